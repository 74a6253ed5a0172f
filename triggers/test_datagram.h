// Serialized SignalFrame datagrams with numeric values, for the ingest tests. Test-only.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "proto/signal_frame.pb.h"

namespace fleetclip::triggers {

inline std::string Datagram(std::string_view producer, int64_t mono_ns, uint64_t seq,
                            std::initializer_list<std::pair<const char*, double>> numbers) {
  proto::SignalFrame f;
  f.set_mono_ns(mono_ns);
  f.set_seq(seq);
  f.set_producer(std::string(producer));
  for (auto [name, v] : numbers) {
    auto* value = f.add_values();
    value->set_name(name);
    value->set_number(v);
  }
  return f.SerializeAsString();
}

// The unnamed producer's.
inline std::string Datagram(int64_t mono_ns, uint64_t seq,
                            std::initializer_list<std::pair<const char*, double>> numbers) {
  return Datagram("", mono_ns, seq, numbers);
}

}  // namespace fleetclip::triggers

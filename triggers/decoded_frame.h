// One accepted signal frame in the form the history and the rules use: catalogue ids instead of
// names. Ingest fills one DecodedFrame and reuses it for every datagram, so after warm-up decoding
// allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "triggers/signal_catalog.h"

namespace fleetclip::triggers {

struct DecodedFrame {
  int64_t mono_ns = 0;   // CLOCK_MONOTONIC of the sample (producer's, or receipt when stamped)
  uint64_t seq = 0;      // producer sequence number, 0 when the producer sends none
  bool stamped = false;  // the producer sent no time; mono_ns is the receipt time
  std::string producer;  // SignalFrame.producer; empty for an unnamed producer
  // Number and flag values (flags as 0/1).
  std::vector<std::pair<SignalId, double>> numbers;
  // Text values. Only the first `text_count` entries are valid; the rest keep their capacity.
  std::vector<std::pair<SignalId, std::string>> texts;
  size_t text_count = 0;

  void Clear() {
    mono_ns = 0;
    seq = 0;
    stamped = false;
    producer.clear();
    numbers.clear();
    text_count = 0;
  }
};

}  // namespace fleetclip::triggers

// The byte layout of a SignalFrame datagram, learned once and then used to decode the frames that
// share it without walking the wire format. A producer sends the same signals in the same order
// every frame, so two consecutive datagrams differ only in the values: the times, the 8 bytes of
// each number, the byte of each flag and the texts. A FrameLayout keeps every other byte of a
// datagram the full decoder accepted (tags, lengths, names, the producer) and, for a new datagram,
// compares those bytes and reads the values in between. When anything differs, Decode says no and
// the caller takes the full path (DatagramDecoder in triggers/signal_ingest.h), which also produces
// the error for a malformed datagram. So a layout never accepts what the full path would reject,
// nor reads other values: the fuzz harness checks both paths against each other. Immutable after
// Learn; Decode is const and thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "triggers/decoded_frame.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::triggers {

class FrameLayout {
 public:
  // The layout of `bytes`, which the full decoder has just accepted against `catalog`; nullopt
  // when the datagram is not in the canonical shape a layout covers (a SignalValue with its fields
  // out of order or repeated, a flag varint longer than one byte...).
  static std::optional<FrameLayout> Learn(std::string_view bytes, const SignalCatalog& catalog,
                                          size_t max_text_bytes);

  // Decodes `bytes` into `out` (replacing all it held) and adds the values of unknown signals to
  // `unknown_values` when the datagram has this layout and the values are valid. False otherwise;
  // `out` is then unspecified and `unknown_values` unchanged.
  bool Decode(std::string_view bytes, DecodedFrame& out, uint64_t& unknown_values) const;

 private:
  // A stretch of the datagram of fixed length: literal bytes with numbers and flags in between,
  // compared eight bytes at a time under a mask (0 over a number, 0x80 over a flag's byte).
  struct Region {
    uint32_t begin = 0;  // into literals_ and mask_
    uint32_t bytes = 0;
    uint32_t first_value = 0;  // into values_
    uint32_t value_count = 0;
  };
  struct Value {
    uint32_t offset = 0;  // from the start of its region
    SignalId id = 0;
    bool flag = false;
  };
  // What separates two regions: a part of varying length.
  enum class Slot : uint8_t {
    kMonoNs,  // a varint: SignalFrame.mono_ns
    kSeq,     // a varint: SignalFrame.seq
    kText,    // a whole SignalValue with a text: length, name (literal), text tag, text
  };
  struct Field {
    Slot slot = Slot::kMonoNs;
    int32_t id = -1;          // kText: the signal; -1 when not in the catalogue
    uint32_t name_begin = 0;  // kText: the name field (tag, length, name) in names_
    uint32_t name_bytes = 0;
  };

  bool Matches(const Region& region, const char* p) const;

  std::string literals_;
  std::string mask_;
  std::string names_;
  std::vector<Region> regions_;  // one more than fields_: regions_[i] comes before fields_[i]
  std::vector<Field> fields_;
  std::vector<Value> values_;   // numbers and flags of catalogue signals, in order
  uint32_t unknown_count_ = 0;  // values of signals not in the catalogue, per frame
  size_t max_text_bytes_ = 0;
  std::string producer_;  // SignalFrame.producer, part of the literal bytes
};

}  // namespace fleetclip::triggers

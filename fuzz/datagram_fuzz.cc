// libFuzzer harness for signal datagrams: SignalIngest must accept or drop any byte string without
// crashing, and whatever the wire decoder accepts, libprotobuf must parse to the same frame
// (differential check of triggers/wire_decoder.h against the reference implementation). The layout
// fast path (triggers/frame_layout.h) is checked against the full walk: a decoder that has learned
// the layout of the input (less its last three bytes) decodes the input again, and the input with
// one byte replaced (position and byte from those last three), exactly as a fresh decoder does.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/signal_frame.pb.h"
#include "triggers/signal_ingest.h"

namespace {

using fleetclip::triggers::DatagramDecoder;
using fleetclip::triggers::DecodedFrame;

bool SameFrame(const DecodedFrame& x, const DecodedFrame& y) {
  if (x.mono_ns != y.mono_ns || x.seq != y.seq || x.numbers != y.numbers ||
      x.text_count != y.text_count) {
    return false;
  }
  for (size_t i = 0; i < x.text_count; ++i) {
    if (x.texts[i] != y.texts[i]) return false;
  }
  return true;
}

// `warm` decodes `bytes` exactly as a fresh decoder does: same verdict, error, frame and count.
void CheckAgainstFresh(const fleetclip::triggers::SignalCatalog& catalog, DatagramDecoder& warm,
                       std::string_view bytes) {
  DatagramDecoder fresh(catalog);
  DecodedFrame want, got;
  const fleetclip::Status expected = fresh.Decode(bytes, want);
  const uint64_t unknown_before = warm.unknown_values();
  const fleetclip::Status actual = warm.Decode(bytes, got);
  if (expected.ok() != actual.ok()) __builtin_trap();
  if (!expected.ok()) {
    if (expected.error().message() != actual.error().message()) __builtin_trap();
    return;
  }
  if (!SameFrame(want, got)) __builtin_trap();
  if (warm.unknown_values() - unknown_before != fresh.unknown_values()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fleetclip;
  using namespace fleetclip::triggers;
  static const SignalCatalog catalog = SignalCatalog::Standard();
  static FakeClock clock;
  static MemoryLogSink sink;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  DatagramDecoder decoder(catalog);
  DecodedFrame frame;
  const bool ours = decoder.Decode(bytes, frame).ok();

  SignalIngest ingest(catalog, clock, Logger(sink, LogLevel::kError), 4096);
  DecodedFrame accepted;
  (void)ingest.Accept(bytes, false, accepted);

  if (size >= 4) {
    const std::string_view learned = bytes.substr(0, size - 3);
    std::string changed(learned);
    changed[(data[size - 3] | data[size - 2] << 8) % changed.size()] =
        static_cast<char>(data[size - 1]);
    DatagramDecoder warm(catalog);
    DecodedFrame scratch;
    (void)warm.Decode(learned, scratch);  // learns the layout when accepted
    CheckAgainstFresh(catalog, warm, learned);
    CheckAgainstFresh(catalog, warm, changed);
  }

  if (!ours) return 0;
  proto::SignalFrame reference;
  if (!reference.ParseFromArray(data, static_cast<int>(size))) __builtin_trap();
  if (reference.mono_ns() != frame.mono_ns || reference.seq() != frame.seq) __builtin_trap();
  size_t number = 0, text = 0;
  for (const proto::SignalValue& v : reference.values()) {
    const std::optional<SignalId> id = catalog.Find(v.name());
    if (!id) continue;
    switch (v.value_case()) {
      case proto::SignalValue::kNumber:
        if (number >= frame.numbers.size() || frame.numbers[number].first != *id ||
            frame.numbers[number].second != v.number()) {
          __builtin_trap();
        }
        ++number;
        break;
      case proto::SignalValue::kFlag:
        if (number >= frame.numbers.size() ||
            frame.numbers[number].second != (v.flag() ? 1.0 : 0.0)) {
          __builtin_trap();
        }
        ++number;
        break;
      case proto::SignalValue::kText:
        if (text >= frame.text_count || frame.texts[text].second != v.text()) __builtin_trap();
        ++text;
        break;
      default:
        __builtin_trap();  // we accepted a value without one
    }
  }
  if (number != frame.numbers.size() || text != frame.text_count) __builtin_trap();
  return 0;
}

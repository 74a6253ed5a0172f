// libFuzzer harness for signal datagrams: SignalIngest must accept or drop any byte string without
// crashing, and whatever the wire decoder accepts, libprotobuf must parse to the same frame
// (differential check of triggers/wire_decoder.h against the reference implementation).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/signal_frame.pb.h"
#include "triggers/signal_ingest.h"

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

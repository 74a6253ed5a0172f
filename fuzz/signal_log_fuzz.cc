// libFuzzer harness for signals.pb.zst (queue/signal_log.h), two checks chosen by the first byte:
//  - frames → encode → decode: the rest of the input becomes frames (times and sequence numbers
//    anywhere in their range, numbers with few decimals, huge, NaN or infinite, flags, texts);
//    decoding gives back the same times, sequence numbers, producers, names, flags and texts, and
//    numbers exact up to 6 decimals (otherwise within 5e-7 and a few ulp);
//  - raw bytes → decode: never crashes, overflows (UBSan) or allocates beyond what the bytes can
//    hold; what decodes, decode → encode → decode gives
//    the same frames (or the encoder refuses a signal repeated in a frame, which only a hand-made
//    file can hold).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/check.h"
#include "queue/signal_log.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::queue;

bool SameNumber(double a, double b, bool exact) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return !exact &&
         std::fabs(a - b) <= 5e-7 + 4 * std::numeric_limits<double>::epsilon() * std::fabs(a);
}

// Values by name, to compare frames whose value order may differ (column order on decode).
std::map<std::string, const proto::SignalValue*> ByName(const proto::SignalFrame& f) {
  std::map<std::string, const proto::SignalValue*> m;
  for (const proto::SignalValue& v : f.values()) m[v.name()] = &v;
  return m;
}

bool SameValue(const proto::SignalValue& a, const proto::SignalValue& b, bool exact) {
  if (a.value_case() != b.value_case()) {
    // An unset value is written as a number 0 (the encoder's default kind).
    const bool a_zero = a.value_case() == proto::SignalValue::VALUE_NOT_SET;
    return a_zero && b.value_case() == proto::SignalValue::kNumber && b.number() == 0;
  }
  switch (a.value_case()) {
    case proto::SignalValue::kFlag:
      return a.flag() == b.flag();
    case proto::SignalValue::kText:
      return a.text() == b.text();
    case proto::SignalValue::kNumber:
      return SameNumber(a.number(), b.number(), exact);
    default:
      return true;
  }
}

void SameFrames(const std::vector<proto::SignalFrame>& want,
                const std::vector<proto::SignalFrame>& got, bool exact) {
  FUZZ_CHECK(want.size() == got.size(),
             std::to_string(want.size()) + " vs " + std::to_string(got.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    FUZZ_CHECK(want[i].mono_ns() == got[i].mono_ns(), "mono_ns of frame " + std::to_string(i));
    FUZZ_CHECK(want[i].seq() == got[i].seq(), "seq of frame " + std::to_string(i));
    FUZZ_CHECK(want[i].producer() == got[i].producer(), "producer of frame " + std::to_string(i));
    const auto a = ByName(want[i]), b = ByName(got[i]);
    FUZZ_CHECK(a.size() == b.size(), "values of frame " + std::to_string(i));
    for (const auto& [name, v] : a) {
      auto it = b.find(name);
      FUZZ_CHECK(it != b.end(), "missing " + name);
      FUZZ_CHECK(SameValue(*v, *it->second, exact), name + " in frame " + std::to_string(i) + ": " +
                                                        v->DebugString() + " vs " +
                                                        it->second->DebugString());
    }
  }
}

double Number(FuzzedDataProvider& fdp, bool& few_decimals) {
  switch (fdp.ConsumeIntegralInRange(0, 5)) {
    case 0:
      return static_cast<double>(fdp.ConsumeIntegral<int32_t>());
    case 1:
      return static_cast<double>(
                 fdp.ConsumeIntegralInRange<int64_t>(-1'000'000'000, 1'000'000'000)) /
             1000.0;  // three decimals: exact
    case 2:
      few_decimals = false;
      return fdp.ConsumeFloatingPoint<double>();
    case 3: {
      const double special[] = {std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN(),
                                9e9,
                                -9e9,
                                9.1e9,
                                0.0};
      return special[fdp.ConsumeIntegralInRange<size_t>(0, 6)];
    }
    default:
      few_decimals = false;
      return fdp.ConsumeProbability<double>() * 100;
  }
}

void RoundTrip(FuzzedDataProvider& fdp) {
  static const char* const kNames[] = {"speed", "accel_long", "gear", "autonomy_engaged", "note"};
  static const char* const kProducers[] = {"", "can0", "autonomy", "model.steer"};
  // Each name has one kind for the whole window: 0 number, 1 flag, 2 text.
  int kinds[5];
  for (int& k : kinds) k = fdp.ConsumeIntegralInRange(0, 2);
  std::vector<proto::SignalFrame> frames(fdp.ConsumeIntegralInRange<size_t>(0, 64));
  bool exact = true;
  for (proto::SignalFrame& f : frames) {
    f.set_mono_ns(fdp.ConsumeIntegral<int64_t>());
    f.set_seq(fdp.ConsumeIntegral<uint64_t>());
    f.set_producer(kProducers[fdp.ConsumeIntegralInRange(0, 3)]);
    for (int n = 0; n < 5; ++n) {
      if (!fdp.ConsumeBool()) continue;
      proto::SignalValue* v = f.add_values();
      v->set_name(kNames[n]);
      if (kinds[n] == 0) v->set_number(Number(fdp, exact));
      if (kinds[n] == 1) v->set_flag(fdp.ConsumeBool());
      if (kinds[n] == 2) {  // ASCII: ingest lets only UTF-8 through (proto3 strings)
        std::string text = fdp.ConsumeRandomLengthString(64);
        for (char& c : text) c = static_cast<char>(static_cast<unsigned char>(c) % 128);
        v->set_text(std::move(text));
      }
    }
  }
  Result<std::string> encoded = EncodeSignalLog(frames);
  FUZZ_CHECK(encoded.ok(), encoded.error().ToString());
  Result<std::vector<proto::SignalFrame>> decoded = DecodeSignalLog(*encoded);
  FUZZ_CHECK(decoded.ok(), decoded.error().ToString());
  SameFrames(frames, *decoded, exact);
}

bool RepeatsASignal(const std::vector<proto::SignalFrame>& frames) {
  for (const proto::SignalFrame& f : frames) {
    std::set<std::string> seen;
    for (const proto::SignalValue& v : f.values())
      if (!seen.insert(v.name()).second) return true;
  }
  return false;
}

void Raw(std::string_view bytes) {
  Result<std::vector<proto::SignalFrame>> decoded = DecodeSignalLog(bytes);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.error().code() == ErrorCode::kCorruption, decoded.error().ToString());
    return;
  }
  Result<std::string> encoded = EncodeSignalLog(*decoded);
  if (!encoded.ok()) {
    // Only a file with two columns of one name can hold what the encoder refuses.
    FUZZ_CHECK(RepeatsASignal(*decoded), encoded.error().ToString());
    return;
  }
  Result<std::vector<proto::SignalFrame>> again = DecodeSignalLog(*encoded);
  FUZZ_CHECK(again.ok(), again.error().ToString());
  SameFrames(*decoded, *again, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    FuzzedDataProvider fdp(data + 1, size - 1);
    RoundTrip(fdp);
  } else {
    Raw(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  }
  return 0;
}

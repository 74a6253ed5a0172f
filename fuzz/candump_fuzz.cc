// libFuzzer harness for candump log lines (can/candump.h), two checks chosen by the first byte:
//  - raw line → ParseCandumpLine: never crashes; a frame it accepts, formatted with
//    FormatCandumpLine, parses back to the same time, interface, id, flags and payload, and
//    formatting that again gives the same line (the formatter is the parser's inverse);
//  - generated frame → FormatCandumpLine → ParseCandumpLine: any id, classic or FD (a valid FD
//    length), flags nibble, payload and time (nanoseconds included) comes back exactly.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "can/candump.h"
#include "fuzz/check.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::can;

void SameFrame(const CanFrame& want, const CanFrame& got, const std::string& line) {
  FUZZ_CHECK(want.id == got.id, "id: " + line);
  FUZZ_CHECK(want.extended == got.extended, "extended: " + line);
  FUZZ_CHECK(want.fd == got.fd, "fd: " + line);
  FUZZ_CHECK(want.fd_flags == got.fd_flags, "fd_flags: " + line);
  FUZZ_CHECK(want.len == got.len, "len: " + line);
  for (uint32_t i = 0; i < want.len; ++i) FUZZ_CHECK(want.data[i] == got.data[i], "data: " + line);
}

void Raw(std::string_view line) {
  CandumpRecord first;
  Result<CandumpLine> parsed = ParseCandumpLine(line, first);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.error().code() == ErrorCode::kInvalidArgument, parsed.error().ToString());
    FUZZ_CHECK(parsed.error().message().starts_with("column "), parsed.error().message());
    return;
  }
  if (*parsed != CandumpLine::kFrame) return;
  const std::string formatted = FormatCandumpLine(first.time_ns, first.interface, first.frame);
  CandumpRecord again;
  Result<CandumpLine> reparsed = ParseCandumpLine(formatted, again);
  FUZZ_CHECK(reparsed.ok() && *reparsed == CandumpLine::kFrame,
             formatted + (reparsed.ok() ? "" : ": " + reparsed.error().ToString()));
  FUZZ_CHECK(again.time_ns == first.time_ns, "time: " + formatted);
  FUZZ_CHECK(again.interface == first.interface, "interface: " + formatted);
  SameFrame(first.frame, again.frame, formatted);
  FUZZ_CHECK(FormatCandumpLine(again.time_ns, again.interface, again.frame) == formatted,
             "not stable: " + formatted);
}

void Generated(FuzzedDataProvider& fdp) {
  static constexpr uint8_t kFdLengths[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64};
  CanFrame f;
  f.extended = fdp.ConsumeBool();
  f.id = fdp.ConsumeIntegralInRange<uint32_t>(0, f.extended ? kMaxExtendedId : kMaxStandardId);
  f.fd = fdp.ConsumeBool();
  f.fd_flags = f.fd ? fdp.ConsumeIntegralInRange<uint8_t>(0, 15) : 0;
  f.len = f.fd ? kFdLengths[fdp.ConsumeIntegralInRange<size_t>(0, 15)]
               : fdp.ConsumeIntegralInRange<uint8_t>(0, 8);
  for (uint32_t i = 0; i < f.len; ++i) f.data[i] = fdp.ConsumeIntegral<uint8_t>();
  // Any time 64-bit nanoseconds hold (the parser refuses the rest).
  const int64_t time_ns = fdp.ConsumeIntegralInRange<int64_t>(0, INT64_MAX);
  std::string interface = fdp.ConsumeRandomLengthString(16);
  for (char& c : interface) {
    if (c == ' ' || c == '\n' || c == '\r') c = '_';  // a token: no separators
  }
  if (interface.empty()) interface = "can0";
  const std::string line = FormatCandumpLine(time_ns, interface, f);
  CandumpRecord r;
  Result<CandumpLine> parsed = ParseCandumpLine(line, r);
  FUZZ_CHECK(parsed.ok() && *parsed == CandumpLine::kFrame,
             line + (parsed.ok() ? "" : ": " + parsed.error().ToString()));
  FUZZ_CHECK(r.time_ns == time_ns, "time: " + line);
  FUZZ_CHECK(r.interface == interface, "interface: " + line);
  SameFrame(f, r.frame, line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    Raw(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  } else {
    FuzzedDataProvider fdp(data + 1, size - 1);
    Generated(fdp);
  }
  return 0;
}

// candump log parsing and formatting (can/candump.h).
#include "can/candump.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace fleetclip::can {
namespace {

constexpr uint32_t kErrorFlag = 0x20000000u;  // CAN_ERR_FLAG in a candump id

// Hex digit values by character, -1 for anything else: one load per digit on the hot path.
constexpr std::array<int8_t, 256> kHex = [] {
  std::array<int8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<size_t>(c)] = c >= '0' && c <= '9'   ? static_cast<int8_t>(c - '0')
                                : c >= 'a' && c <= 'f' ? static_cast<int8_t>(c - 'a' + 10)
                                : c >= 'A' && c <= 'F' ? static_cast<int8_t>(c - 'A' + 10)
                                                       : int8_t{-1};
  }
  return t;
}();

int HexValue(char c) { return kHex[static_cast<unsigned char>(c)]; }

Error LineError(size_t column, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "column " + std::to_string(column + 1) + ": " + what);
}

}  // namespace

Result<CandumpLine> ParseCandumpLine(std::string_view line, CandumpRecord& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line[0] != '(') return CandumpLine::kSkipped;
  size_t i = 1;
  int64_t seconds = 0;
  const size_t sec_start = i;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9' && i - sec_start < 12) {
    seconds = seconds * 10 + (line[i++] - '0');
  }
  if (i == sec_start || i >= line.size() || line[i] != '.') {
    return LineError(i, "expected a timestamp (seconds.microseconds) after '('");
  }
  ++i;
  int64_t frac = 0;
  size_t digits = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9' && digits < 9) {
    frac = frac * 10 + (line[i++] - '0');
    ++digits;
  }
  if (digits == 0 || i >= line.size() || line[i] != ')') {
    return LineError(i, "expected up to 9 fraction digits and ')' in the timestamp");
  }
  for (size_t d = digits; d < 9; ++d) frac *= 10;
  // Twelve digits of seconds can exceed what int64 nanoseconds hold (year 2262).
  if (__builtin_mul_overflow(seconds, int64_t{1000000000}, &out.time_ns) ||
      __builtin_add_overflow(out.time_ns, frac, &out.time_ns)) {
    return LineError(sec_start, "timestamp " + std::string(line.substr(sec_start, i - sec_start)) +
                                    " is beyond what nanoseconds in 64 bits hold");
  }
  ++i;
  if (i >= line.size() || line[i] != ' ') return LineError(i, "expected ' ' after the timestamp");
  ++i;
  const size_t if_start = i;
  while (i < line.size() && line[i] != ' ') ++i;
  if (i == if_start || i >= line.size()) return LineError(i, "expected an interface name");
  out.interface = line.substr(if_start, i - if_start);
  ++i;

  const size_t id_start = i;
  uint32_t id = 0;
  while (i < line.size() && line[i] != '#') {
    const int h = HexValue(line[i]);
    if (h < 0 || i - id_start >= 8) return LineError(i, "expected a hex CAN id of 3 or 8 digits");
    id = (id << 4) | static_cast<uint32_t>(h);
    ++i;
  }
  const size_t id_digits = i - id_start;
  if (i >= line.size() || (id_digits != 3 && id_digits != 8)) {
    return LineError(id_start, "expected a hex CAN id of 3 or 8 digits and '#'");
  }
  ++i;
  CanFrame& f = out.frame;
  f.extended = id_digits == 8;
  f.fd = false;
  f.fd_flags = 0;
  f.mono_ns = out.time_ns;
  if (f.extended && (id & kErrorFlag) != 0) return CandumpLine::kSkipped;
  if (f.extended && id > kMaxExtendedId) {
    return LineError(id_start,
                     "extended id " + std::string(line.substr(id_start, 8)) + " is above 1FFFFFFF");
  }
  if (!f.extended && id > kMaxStandardId) {
    return LineError(id_start,
                     "standard id " + std::string(line.substr(id_start, 3)) + " is above 7FF");
  }
  f.id = id;
  uint32_t max_len = kMaxClassicBytes;
  if (i < line.size() && line[i] == '#') {
    ++i;
    const int flags = i < line.size() ? HexValue(line[i]) : -1;
    if (flags < 0) return LineError(i, "expected the CAN FD flags nibble after '##'");
    f.fd = true;
    f.fd_flags = static_cast<uint8_t>(flags);
    max_len = kMaxFdBytes;
    ++i;
  } else if (i < line.size() && (line[i] == 'R' || line[i] == 'r')) {
    return CandumpLine::kSkipped;  // remote frame: no data
  }
  uint32_t len = 0;
  while (i < line.size() && line[i] != ' ') {
    if (line[i] == '.') {
      ++i;
      continue;
    }
    const int hi = HexValue(line[i]);
    const int lo = i + 1 < line.size() ? HexValue(line[i + 1]) : -1;
    if (hi < 0 || lo < 0) return LineError(i, "expected data as pairs of hex digits");
    if (len >= max_len) {
      return LineError(i, std::string("more than ") + std::to_string(max_len) +
                              " data bytes in a " + (f.fd ? "CAN FD" : "classic CAN") + " frame");
    }
    f.data[len++] = static_cast<uint8_t>((hi << 4) | lo);
    i += 2;
  }
  if (f.fd && !IsValidFdLength(len)) {
    return LineError(i, "CAN FD frame of " + std::to_string(len) +
                            " bytes (allowed: 0-8, 12, 16, 20, 24, 32, 48, 64)");
  }
  f.len = static_cast<uint8_t>(len);
  return CandumpLine::kFrame;
}

std::string FormatCandumpLine(int64_t time_ns, std::string_view interface, const CanFrame& frame) {
  // Microseconds as candump writes them; nanoseconds when the time has them (a log written with
  // nine fraction digits), so that parsing the line gives the same time back.
  char head[64];
  const long long whole = static_cast<long long>(time_ns / 1000000000);
  const long long frac = static_cast<long long>(time_ns % 1000000000);
  if (frac % 1000 == 0) {
    std::snprintf(head, sizeof(head), "(%lld.%06lld) ", whole, frac / 1000);
  } else {
    std::snprintf(head, sizeof(head), "(%lld.%09lld) ", whole, frac);
  }
  std::string s = head;
  s += interface;
  char id[16];
  std::snprintf(id, sizeof(id), frame.extended ? " %08X#" : " %03X#", frame.id);
  s += id;
  static const char* kDigits = "0123456789ABCDEF";
  if (frame.fd) {
    s += '#';
    s += kDigits[frame.fd_flags & 15];
  }
  for (uint32_t i = 0; i < frame.len; ++i) {
    s += kDigits[frame.data[i] >> 4];
    s += kDigits[frame.data[i] & 15];
  }
  return s;
}

Result<CandumpReader> CandumpReader::Open(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) return ErrnoError("open candump log " + path.native(), errno);
  return CandumpReader(path, f);
}

Result<bool> CandumpReader::Fill() {
  if (eof_) return begin_ < end_;
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  const size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_.get());
  if (n == 0) {
    if (std::ferror(file_.get())) return ErrnoError("read candump log " + path_.native(), errno);
    eof_ = true;
  }
  end_ += n;
  return begin_ < end_;
}

Result<bool> CandumpReader::Next(CandumpRecord& out) {
  while (true) {
    const char* start = buf_.data() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    std::string_view text;
    if (nl != nullptr) {
      text = std::string_view(start, static_cast<size_t>(nl - start));
      begin_ += text.size() + 1;
    } else if (eof_) {
      if (begin_ >= end_) return false;
      text = std::string_view(start, end_ - begin_);  // a last line without a newline
      begin_ = end_;
    } else {
      if (end_ - begin_ > kMaxLineBytes) {
        return Error(ErrorCode::kInvalidArgument, path_.native() + ":" + std::to_string(line_ + 1) +
                                                      ": line longer than " +
                                                      std::to_string(kMaxLineBytes) + " bytes");
      }
      Result<bool> more = Fill();
      if (!more.ok()) return more.error();
      continue;
    }
    ++line_;
    Result<CandumpLine> r = ParseCandumpLine(text, out);
    if (!r.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   path_.native() + ":" + std::to_string(line_) + ": " + r.error().message());
    }
    if (*r == CandumpLine::kFrame) return true;
    ++skipped_;
  }
}

}  // namespace fleetclip::can

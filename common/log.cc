// Line formatting and sinks for common/log.h.
#include "common/log.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace fleetclip {

LogField::LogField(std::string_view k, double v) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  value = buf;
}

void AppendLogField(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  out += key;
  out += '=';
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

Logger Logger::WithFields(std::initializer_list<LogField> fields) const {
  Logger child = *this;
  for (const auto& f : fields) AppendLogField(child.prefix_, f.key, f.value);
  return child;
}

void Logger::Log(LogLevel level, std::string_view event,
                 std::initializer_list<LogField> fields) const {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(96);
  line += '<';
  line += static_cast<char>('0' + static_cast<int>(level));
  line += ">event=";
  line += event;
  line += prefix_;
  for (const auto& f : fields) AppendLogField(line, f.key, f.value);
  sink_->Write(line);
}

void FdLogSink::Write(std::string_view line) {
  std::string buf(line);
  buf += '\n';
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::write(fd_, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere else to report a broken log fd
    done += static_cast<size_t>(n);
  }
}

void MemoryLogSink::Write(std::string_view line) {
  std::lock_guard lock(mu_);
  lines_.emplace_back(line);
}

std::vector<std::string> MemoryLogSink::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

int MemoryLogSink::Count(std::string_view needle) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& l : lines_) n += l.find(needle) != std::string::npos;
  return n;
}

}  // namespace fleetclip

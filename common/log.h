// Structured, leveled logging for journald: one line per record, a syslog priority prefix ("<3>")
// that journald turns into the record's priority, then `event=name key=value ...`. Values with
// spaces, quotes or '=' are quoted. Loggers are cheap values passed down from main (no global
// logger); WithFields() makes a child that adds fixed fields such as `camera=front`.
#pragma once

#include <concepts>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fleetclip {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  template <std::integral T>
  LogField(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);

  std::string_view key;
  std::string value;
};

// Where finished lines go. Write() receives one complete line without the newline; thread-safe.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(std::string_view line) = 0;
};

// Writes each line to a file descriptor (stderr by default) with a single write(2).
class FdLogSink final : public LogSink {
 public:
  explicit FdLogSink(int fd = 2) : fd_(fd) {}
  void Write(std::string_view line) override;

 private:
  int fd_;
};

// Keeps lines in memory; for tests.
class MemoryLogSink final : public LogSink {
 public:
  void Write(std::string_view line) override;
  std::vector<std::string> Lines() const;
  // Number of lines containing `needle`.
  int Count(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;  // guarded by mu_
};

// Formats records and hands them to a sink. The sink must outlive the logger and its children.
class Logger {
 public:
  explicit Logger(LogSink& sink, LogLevel min_level = LogLevel::kInfo)
      : sink_(&sink), min_(min_level) {}

  Logger WithFields(std::initializer_list<LogField> fields) const;
  bool Enabled(LogLevel level) const { return static_cast<int>(level) <= static_cast<int>(min_); }

  void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) const;
  void Error(std::string_view event, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kError, event, fields);
  }
  void Warn(std::string_view event, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kWarning, event, fields);
  }
  void Notice(std::string_view event, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kNotice, event, fields);
  }
  void Info(std::string_view event, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kInfo, event, fields);
  }
  void Debug(std::string_view event, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kDebug, event, fields);
  }

 private:
  LogSink* sink_;
  LogLevel min_;
  std::string prefix_;  // pre-formatted fixed fields, each with a leading space
};

// Appends ` key=value` to `out`, quoting and escaping the value when needed.
void AppendLogField(std::string& out, std::string_view key, std::string_view value);

}  // namespace fleetclip

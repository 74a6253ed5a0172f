// candump log files (can-utils `candump -l` / `-L`): one frame per line,
//   (1436509052.249713) can0 123#DEADBEEF          classic CAN, 3 hex digits: standard id
//   (1436509052.249713) can0 12345678#0102         8 hex digits: extended id
//   (1436509052.249713) can0 123##1AABBCC          CAN FD: '##', the flags nibble, then the data
//   (1436509052.249713) can0 123#R                 remote frame (read past: no data to decode)
// Data bytes may be separated by '.'. Anything after the frame (newer can-utils write " R" or
// " T" for the direction) is ignored, and so are lines that do not start with '(' (canplayer does
// the same). Error frames (id with CAN_ERR_FLAG) are read past and counted.
// The reader reuses one buffer and one record: reading allocates nothing once warm.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "can/frame.h"
#include "common/result.h"
#include "common/unique_handle.h"

namespace fleetclip::can {

enum class CandumpLine {
  kFrame,    // a data frame: `frame`, `interface` and `time_ns` are set
  kSkipped,  // a comment, a blank line, a remote or error frame
};

// One parsed line. `interface` points into the line's text (valid until the next line).
struct CandumpRecord {
  int64_t time_ns = 0;  // the log's timestamp (seconds.microseconds) in ns
  std::string_view interface;
  CanFrame frame;
};

// Parses one line (without its newline). The error names what is wrong and where in the line.
Result<CandumpLine> ParseCandumpLine(std::string_view line, CandumpRecord& out);

// Formats a frame as a candump log line (no newline), the inverse of ParseCandumpLine.
std::string FormatCandumpLine(int64_t time_ns, std::string_view interface, const CanFrame& frame);

class CandumpReader {
 public:
  static Result<CandumpReader> Open(const std::filesystem::path& path);

  // Reads the next data frame into `out`; false at the end of the file. A malformed line is a
  // kInvalidArgument error naming the file and line number.
  Result<bool> Next(CandumpRecord& out);

  uint64_t line() const { return line_; }
  uint64_t skipped() const { return skipped_; }

 private:
  CandumpReader(std::filesystem::path path, std::FILE* file)
      : path_(std::move(path)), file_(file), buf_(kChunk) {}
  // Refills the buffer keeping the unread tail; false when nothing is left.
  Result<bool> Fill();

  static constexpr size_t kChunk = 1 << 20;
  static constexpr size_t kMaxLineBytes = 4096;  // a 64-byte FD frame's line is under 200
  std::filesystem::path path_;
  UniqueHandle<std::FILE, std::fclose> file_;
  std::vector<char> buf_;
  size_t begin_ = 0;  // unread bytes are [begin_, end_)
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_ = 0;
  uint64_t skipped_ = 0;
};

}  // namespace fleetclip::can

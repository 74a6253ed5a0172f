// Drive files: a recorded signal stream as a sequence of length-delimited SignalFrames (a base-128
// varint byte count, then the frame), the framing protobuf's writeDelimitedTo/parseDelimitedFrom
// use, so any protobuf runtime can read and write them. No header: the first frame starts at byte
// 0.
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/unique_handle.h"
#include "proto/signal_frame.pb.h"

namespace fleetclip::triggers {

inline constexpr size_t kMaxDriveFrameBytes = 65536;

class DriveWriter {
 public:
  static Result<DriveWriter> Create(const std::filesystem::path& path);
  Status Append(const proto::SignalFrame& frame);
  // Flushes and fsyncs; the writer is unusable afterwards.
  Status Close();

 private:
  DriveWriter(std::filesystem::path path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::filesystem::path path_;
  UniqueHandle<std::FILE, std::fclose> file_;
  std::string buf_;
};

class DriveReader {
 public:
  static Result<DriveReader> Open(const std::filesystem::path& path);
  // The next frame, nullopt at a clean end of file. A truncated or oversized frame is a
  // kCorruption error naming the byte offset.
  Result<std::optional<proto::SignalFrame>> Next();
  // Raw next frame bytes (for replaying without re-encoding).
  Result<std::optional<std::string>> NextBytes();
  // The same into a reused buffer: false at a clean end of file.
  Result<bool> NextBytesInto(std::string& bytes);

 private:
  DriveReader(std::filesystem::path path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::filesystem::path path_;
  UniqueHandle<std::FILE, std::fclose> file_;
  uint64_t offset_ = 0;
  uint64_t index_ = 0;
};

}  // namespace fleetclip::triggers

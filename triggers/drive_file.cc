// Varint-delimited frame reading and writing for triggers/drive_file.h.
#include "triggers/drive_file.h"

#include <unistd.h>

#include <cerrno>

namespace fleetclip::triggers {

Result<DriveWriter> DriveWriter::Create(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wbe");
  if (f == nullptr) return ErrnoError("create drive file " + path.native(), errno);
  return DriveWriter(path, f);
}

Status DriveWriter::Append(const proto::SignalFrame& frame) {
  buf_.clear();
  if (!frame.SerializeToString(&buf_)) {
    return Error(ErrorCode::kInternal, "serializing a SignalFrame failed");
  }
  uint8_t header[10];
  size_t n = 0;
  for (uint64_t v = buf_.size();; v >>= 7) {
    header[n++] = static_cast<uint8_t>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    if (v < 0x80) break;
  }
  if (std::fwrite(header, 1, n, file_.get()) != n ||
      std::fwrite(buf_.data(), 1, buf_.size(), file_.get()) != buf_.size()) {
    return ErrnoError("write drive file " + path_.native(), errno);
  }
  return Ok();
}

Status DriveWriter::Close() {
  if (std::fflush(file_.get()) != 0) return ErrnoError("flush drive file " + path_.native(), errno);
  if (::fsync(::fileno(file_.get())) != 0) {
    return ErrnoError("fsync drive file " + path_.native(), errno);
  }
  if (std::fclose(file_.release()) != 0) {
    return ErrnoError("close drive file " + path_.native(), errno);
  }
  return Ok();
}

Result<DriveReader> DriveReader::Open(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) return ErrnoError("open drive file " + path.native(), errno);
  return DriveReader(path, f);
}

Result<std::optional<std::string>> DriveReader::NextBytes() {
  std::string bytes;
  Result<bool> more = NextBytesInto(bytes);
  if (!more.ok()) return more.error();
  if (!*more) return std::optional<std::string>();
  return std::optional<std::string>(std::move(bytes));
}

Result<bool> DriveReader::NextBytesInto(std::string& bytes) {
  const uint64_t frame_offset = offset_;
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    const int c = std::fgetc(file_.get());
    if (c == EOF) {
      if (std::ferror(file_.get())) return ErrnoError("read drive file " + path_.native(), errno);
      if (shift == 0) return false;
      return Error(ErrorCode::kCorruption, path_.native() + ": frame " + std::to_string(index_) +
                                               " at byte " + std::to_string(frame_offset) +
                                               ": truncated length");
    }
    ++offset_;
    if (shift > 28) {
      return Error(ErrorCode::kCorruption, path_.native() + ": frame " + std::to_string(index_) +
                                               " at byte " + std::to_string(frame_offset) +
                                               ": length varint too long");
    }
    length |= static_cast<uint64_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) break;
  }
  if (length > kMaxDriveFrameBytes) {
    return Error(ErrorCode::kCorruption, path_.native() + ": frame " + std::to_string(index_) +
                                             " at byte " + std::to_string(frame_offset) +
                                             ": length " + std::to_string(length) + " exceeds " +
                                             std::to_string(kMaxDriveFrameBytes));
  }
  bytes.resize(length);
  if (std::fread(bytes.data(), 1, length, file_.get()) != length) {
    return Error(ErrorCode::kCorruption, path_.native() + ": frame " + std::to_string(index_) +
                                             " at byte " + std::to_string(frame_offset) +
                                             ": truncated (" + std::to_string(length) +
                                             " bytes announced)");
  }
  offset_ += length;
  ++index_;
  return true;
}

Result<std::optional<proto::SignalFrame>> DriveReader::Next() {
  const uint64_t frame_offset = offset_;
  Result<std::optional<std::string>> bytes = NextBytes();
  if (!bytes.ok()) return bytes.error();
  if (!bytes->has_value()) return std::optional<proto::SignalFrame>();
  proto::SignalFrame frame;
  if (!frame.ParseFromString(**bytes)) {
    return Error(ErrorCode::kCorruption, path_.native() + ": frame " + std::to_string(index_ - 1) +
                                             " at byte " + std::to_string(frame_offset) +
                                             ": not a SignalFrame");
  }
  return std::optional<proto::SignalFrame>(std::move(frame));
}

}  // namespace fleetclip::triggers

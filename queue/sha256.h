// SHA-256 of buffers and files, as lowercase hex, through OpenSSL's EVP interface (already on
// every Debian system, hardware-accelerated where the CPU has SHA extensions).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/result.h"

namespace fleetclip::queue {

std::string Sha256Hex(std::string_view data);

// The part size the clip writer records part MD5s for: the uploader's multipart part size
// (uploader/s3_transport.h, S3TransportOptions::part_size_bytes), whole MiB, >= S3's 5 MiB.
inline constexpr int64_t kPartDigestBytes = 8LL << 20;

struct FileDigests {
  std::string sha256_hex;
  int64_t md5_part_size = 0;
  std::string part_md5_hex;  // 32 hex digits per md5_part_size slice (the last may be shorter)
};
// SHA-256 of the whole file and the MD5 of each `part_size` slice, in one read of the file (1 MiB
// blocks, each hashed by both while it is in cache). part_size 0: sha256 only. The read goes
// through `fs` (the clip writer's and recovery's seam); without it, through POSIX.
Result<FileDigests> FileDigestsOf(FileSystem& fs, const std::filesystem::path& path,
                                  int64_t part_size);
Result<FileDigests> FileDigestsOf(const std::filesystem::path& path, int64_t part_size);
// Reads the whole file in 1 MiB blocks.
Result<std::string> Sha256FileHex(const std::filesystem::path& path);
// Raw bytes from hex digits of either case (empty on an odd count or a non-hex digit), and back
// (lower case).
std::string HexToBytes(std::string_view hex);
std::string BytesToHex(std::string_view bytes);

}  // namespace fleetclip::queue

// SHA-256 of buffers and files, as lowercase hex, through OpenSSL's EVP interface (already on
// every Debian system, hardware-accelerated where the CPU has SHA extensions).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace fleetclip::queue {

std::string Sha256Hex(std::string_view data);
// Reads the whole file in 1 MiB blocks.
Result<std::string> Sha256FileHex(const std::filesystem::path& path);
// 32 raw bytes from 64 hex digits (empty on malformed input), and back.
std::string HexToBytes(std::string_view hex);
std::string BytesToHex(std::string_view bytes);

}  // namespace fleetclip::queue

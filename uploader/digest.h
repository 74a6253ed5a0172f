// Checksums the uploader needs: MD5 per part (Content-MD5 and the ETag S3 computes from it), the
// multipart ETag (MD5 of the parts' MD5s, "-N"), and SHA-256 of whole files, through OpenSSL's EVP.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip::uploader {

using Md5Digest = std::array<unsigned char, 16>;

Md5Digest Md5(std::string_view data);
std::string Hex(const unsigned char* data, size_t size);
template <size_t N>
std::string Hex(const std::array<unsigned char, N>& d) {
  return Hex(d.data(), d.size());
}
std::string Base64(const unsigned char* data, size_t size);
// Hex back to bytes; empty on malformed input.
std::vector<unsigned char> FromHex(std::string_view hex);

// The ETag S3 gives a multipart object: hex MD5 over the concatenated binary part MD5s, then "-N".
// `part_etags_hex` are the parts' ETags (quotes allowed) in part order; "" if one is not an MD5.
std::string MultipartEtag(const std::vector<std::string>& part_etags_hex);

// "\"abc\"" → "abc".
std::string_view StripQuotes(std::string_view etag);

// SHA-256 of bytes in memory, lower-case hex.
std::string Sha256Hex(std::string_view data);

// SHA-256 of a whole file, lower-case hex.
Result<std::string> Sha256FileHex(const std::filesystem::path& path);

}  // namespace fleetclip::uploader

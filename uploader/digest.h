// Checksums the uploader needs: MD5 per part (Content-MD5 and the ETag S3 computes from it) and the
// multipart ETag (MD5 of the parts' MD5s, "-N"), through OpenSSL's EVP. SHA-256 and hex are
// queue/sha256.h's, the clip writer's: one implementation for both.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "queue/sha256.h"

namespace fleetclip::uploader {

using Md5Digest = std::array<unsigned char, 16>;

Md5Digest Md5(std::string_view data);
// Lower-case hex of a digest.
template <size_t N>
std::string Hex(const std::array<unsigned char, N>& d) {
  return queue::BytesToHex(std::string_view(reinterpret_cast<const char*>(d.data()), N));
}
std::string Base64(const unsigned char* data, size_t size);

// The ETag S3 gives a multipart object: hex MD5 over the concatenated binary part MD5s, then "-N".
// `part_etags_hex` are the parts' ETags (quotes allowed) in part order; "" if one is not an MD5.
std::string MultipartEtag(const std::vector<std::string>& part_etags_hex);

// "\"abc\"" → "abc".
std::string_view StripQuotes(std::string_view etag);

}  // namespace fleetclip::uploader

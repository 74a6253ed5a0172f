// OpenSSL-backed checksums (digest.h).
#include "uploader/digest.h"

#include <openssl/evp.h>

namespace fleetclip::uploader {

Md5Digest Md5(std::string_view data) {
  Md5Digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr);
  return out;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string_view StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return etag;
}

std::string MultipartEtag(const std::vector<std::string>& part_etags_hex) {
  std::string concat;
  for (const std::string& e : part_etags_hex) {
    const std::string bin = queue::HexToBytes(StripQuotes(e));
    if (bin.size() != 16) return "";
    concat += bin;
  }
  return Hex(Md5(concat)) + "-" + std::to_string(part_etags_hex.size());
}

}  // namespace fleetclip::uploader

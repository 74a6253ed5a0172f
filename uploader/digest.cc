// OpenSSL-backed checksums (digest.h).
#include "uploader/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "common/unique_handle.h"

namespace fleetclip::uploader {

using EvpCtx = UniqueHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

Md5Digest Md5(std::string_view data) {
  Md5Digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr);
  return out;
}

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    s += kHex[data[i] >> 4];
    s += kHex[data[i] & 15];
  }
  return s;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::vector<unsigned char> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<unsigned char> out;
  if (hex.size() % 2 != 0) return out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
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
    std::vector<unsigned char> bin = FromHex(StripQuotes(e));
    if (bin.size() != 16) return "";
    concat.append(reinterpret_cast<const char*>(bin.data()), bin.size());
  }
  return Hex(Md5(concat)) + "-" + std::to_string(part_etags_hex.size());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return Hex(out, len);
}

Result<std::string> Sha256FileHex(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("opening " + path.string(), errno);
  EvpCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Error(ErrorCode::kInternal, "EVP sha256 init failed");
  auto buf = std::make_unique<char[]>(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.get(), 1 << 20);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading " + path.string(), errno);
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.get(), static_cast<size_t>(n));
  }
  unsigned char out[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return Hex(out, len);
}

}  // namespace fleetclip::uploader

// SHA-256 through OpenSSL EVP. See queue/sha256.h.
#include "queue/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "common/unique_handle.h"

namespace fleetclip::queue {
namespace {
using MdCtx = UniqueHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
}  // namespace

std::string BytesToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string HexToBytes(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return {};
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return BytesToHex(std::string_view(reinterpret_cast<const char*>(md), len));
}

Result<std::string> Sha256FileHex(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path.string() + " for sha256", errno);
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL sha256 init failed");
  }
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read " + path.string(), errno);
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return BytesToHex(std::string_view(reinterpret_cast<const char*>(md), len));
}

Result<FileDigests> FileDigestsOf(const std::filesystem::path& path, int64_t part_size) {
  PosixFileSystem posix;
  return FileDigestsOf(posix, path, part_size);
}

Result<FileDigests> FileDigestsOf(FileSystem& fs, const std::filesystem::path& path,
                                  int64_t part_size) {
  auto file = fs.NewReadableFile(path);
  if (!file.ok()) return file.error();
  MdCtx sha(EVP_MD_CTX_new());
  MdCtx md5(EVP_MD_CTX_new());
  if (!sha || !md5 || EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL digest init failed");
  }
  FileDigests out;
  out.md5_part_size = part_size;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  auto end_part = [&] {
    EVP_DigestFinal_ex(md5.get(), md, &len);
    out.part_md5_hex += BytesToHex(std::string_view(reinterpret_cast<const char*>(md), len));
    EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
  };
  std::vector<char> buf(1 << 20);
  int64_t in_part = 0;  // bytes of the current part hashed so far
  while (true) {
    auto read = (*file)->Read(buf.data(), buf.size());
    if (!read.ok()) return read.error();
    const auto n = static_cast<int64_t>(*read);
    if (n == 0) break;
    EVP_DigestUpdate(sha.get(), buf.data(), static_cast<size_t>(n));
    for (int64_t at = 0; part_size > 0 && at < n;) {
      const int64_t take = std::min<int64_t>(n - at, part_size - in_part);
      EVP_DigestUpdate(md5.get(), buf.data() + at, static_cast<size_t>(take));
      at += take;
      in_part += take;
      if (in_part == part_size) {
        end_part();
        in_part = 0;
      }
    }
  }
  if (part_size > 0 && (in_part > 0 || out.part_md5_hex.empty())) end_part();
  EVP_DigestFinal_ex(sha.get(), md, &len);
  out.sha256_hex = BytesToHex(std::string_view(reinterpret_cast<const char*>(md), len));
  return out;
}

}  // namespace fleetclip::queue

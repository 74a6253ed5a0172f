// Presigned or bearer-token HTTP PUT (http_put_transport.h).
#include "uploader/http_put_transport.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "common/unique_handle.h"
#include "uploader/digest.h"
#include "uploader/retry_classifier.h"
#include "uploader/s3_client.h"
#include "uploader/s3_xml.h"

namespace fleetclip::uploader {
namespace {

using EvpCtx = UniqueHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

// Base64 MD5 of the whole file, read in 1 MiB blocks.
Result<std::string> FileMd5Base64(int fd, const std::string& what) {
  EvpCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1)
    return Error(ErrorCode::kInternal, "EVP md5 init failed");
  std::string buf(1 << 20, '\0');
  for (off_t off = 0;;) {
    const ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading " + what, errno);
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    off += n;
  }
  unsigned char d[16];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), d, &len);
  return Base64(d, len);
}

}  // namespace

Result<std::unique_ptr<HttpPutTransport>> HttpPutTransport::Presigned(PresignedUrlSource urls,
                                                                      HttpOptions options,
                                                                      Logger log) {
  Result<HttpClient> http = HttpClient::Create(options);
  if (!http.ok()) return http.error();
  std::unique_ptr<HttpPutTransport> t(new HttpPutTransport(std::move(*http), std::move(log)));
  t->urls_ = std::move(urls);
  return t;
}

Result<std::unique_ptr<HttpPutTransport>> HttpPutTransport::Bearer(std::string base_url,
                                                                   BearerTokenSource tokens,
                                                                   HttpOptions options,
                                                                   Logger log) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  if (!base_url.starts_with("https://") && !base_url.starts_with("http://"))
    return Error(ErrorCode::kInvalidArgument,
                 "upload.url: \"" + base_url + "\" is not an http(s) URL");
  Result<HttpClient> http = HttpClient::Create(options);
  if (!http.ok()) return http.error();
  std::unique_ptr<HttpPutTransport> t(new HttpPutTransport(std::move(*http), std::move(log)));
  t->base_url_ = std::move(base_url);
  t->tokens_ = std::move(tokens);
  return t;
}

Status HttpPutTransport::PutFile(const std::string& clip_id, const LocalFile& file,
                                 const std::string& key, UploadJournal& journal,
                                 std::stop_token stop) {
  UniqueFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("opening " + file.path.string(), errno);
  Result<std::string> md5 = FileMd5Base64(fd.get(), file.path.string());
  if (!md5.ok()) return md5.error();
  HttpRequest req;
  req.method = "PUT";
  req.body_fd = fd.get();
  req.body_bytes = file.bytes;
  req.headers.push_back("Content-MD5: " + *md5);
  req.headers.push_back("Content-Type: application/octet-stream");
  if (urls_) {
    Result<std::string> url = urls_(key);
    if (!url.ok()) return url.error();
    req.url = *url;
  } else {
    if (token_.empty()) {
      Result<std::string> token = tokens_();
      if (!token.ok()) return token.error();
      token_ = *token;
    }
    req.url = base_url_ + "/" + UriEncode(key, true);
    req.headers.push_back("Authorization: Bearer " + token_);
  }
  ++stats_.parts_sent;
  HttpResponse r = http_.Perform(req, std::move(stop));
  if (r.curl_code == 0 && r.status / 100 == 2) {
    stats_.bytes_sent += file.bytes;
    return journal.MarkFileUploaded(clip_id, file.name);
  }
  const std::optional<S3ErrorDocument> error =
      r.curl_code == 0 ? ParseS3Error(r.body) : std::nullopt;
  TransferFailure f{r.curl_code, r.status, error ? error->code : "",
                    r.curl_code != 0 ? r.curl_error : (error ? error->message : "")};
  if (Classify(f) == FailureClass::kRefresh) token_.clear();  // ask the source again next time
  return ToError("PUT " + key, f);
}

}  // namespace fleetclip::uploader

// The S3 REST calls the uploader makes, signed with SigV4 through libcurl, path-style URLs
// (`<endpoint>/<bucket>/<key>`), which AWS S3, Ceph RGW and MinIO all accept. Every call sends
// `x-amz-content-sha256: UNSIGNED-PAYLOAD` (libcurl 7.88 does not add the header itself) and every
// body a Content-MD5, so the server rejects a corrupted part instead of storing it. Queries are
// written pre-sorted with explicit `=` (libcurl 7.88 mis-signs a bare `?uploads`). Any response
// whose body is an <Error> document is an error, even with status 200. Response documents are read
// by uploader/s3_xml.h (libexpat). Not thread-safe: one S3Client per thread (each owns a
// connection).
#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "uploader/digest.h"
#include "uploader/http_client.h"
#include "uploader/retry_classifier.h"
#include "uploader/s3_xml.h"

namespace fleetclip::uploader {

struct S3Endpoint {
  std::string endpoint;  // "http://127.0.0.1:7480", no trailing slash
  std::string bucket;
  SigV4Key key;
};

// A request body: bytes in memory, or the range [offset, offset + bytes) of an open file, which
// libcurl reads straight into its send buffer (no copy of ours, as `curl -T` does). `md5` is the
// Content-MD5 when it is already known (taken by the clip writer, or computed once by the caller);
// without it the MD5 of `data` is computed here, and a file range without one is sent unchecked.
struct S3Body {
  std::string_view data{};
  int fd = -1;
  int64_t offset = 0;
  int64_t bytes = 0;
  std::optional<Md5Digest> md5{};
};

struct S3ObjectInfo {
  int64_t bytes = 0;
  std::string etag;  // no quotes
};

// An S3 call's outcome: the value, or the failure with its retry class.
template <typename T>
struct S3Result {
  S3Result(T v) : value(std::move(v)) {}  // NOLINT: implicit by design, like Result
  S3Result(Error e, FailureClass c, std::string code = "")
      : value(std::move(e)), failure_class(c), s3_code(std::move(code)) {}

  Result<T> value;
  FailureClass failure_class = FailureClass::kPermanent;  // meaningful only when !value.ok()
  std::string s3_code;                                    // the <Code> of the error body, if any
};

class S3Client {
 public:
  S3Client(S3Endpoint endpoint, HttpClient http)
      : ep_(std::move(endpoint)), http_(std::move(http)) {}

  void set_key(SigV4Key key) { ep_.key = std::move(key); }
  HttpClient& http() { return http_; }

  S3Result<std::string> PutObject(std::string_view key, std::string_view body,
                                  std::stop_token stop);
  S3Result<std::string> PutObject(std::string_view key, const S3Body& body, std::stop_token stop);
  S3Result<std::string> CreateMultipartUpload(std::string_view key, std::stop_token stop);
  // Returns the part's ETag (hex). `body` is the part; Content-MD5 is computed here.
  S3Result<std::string> UploadPart(std::string_view key, std::string_view upload_id,
                                   int part_number, std::string_view body, std::stop_token stop);
  S3Result<std::string> UploadPart(std::string_view key, std::string_view upload_id,
                                   int part_number, const S3Body& body, std::stop_token stop);
  S3Result<std::vector<S3Part>> ListParts(std::string_view key, std::string_view upload_id,
                                          std::stop_token stop);
  // `parts` in ascending part order. Returns the object's ETag when the server sends one.
  S3Result<std::string> CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                                const std::vector<S3Part>& parts,
                                                std::stop_token stop);
  S3Result<bool> AbortMultipartUpload(std::string_view key, std::string_view upload_id,
                                      std::stop_token stop);
  // The open multipart uploads under `prefix` (the first 1000: enough for tests and tools).
  S3Result<std::vector<S3OpenUpload>> ListMultipartUploads(std::string_view prefix,
                                                           std::stop_token stop);
  S3Result<S3ObjectInfo> HeadObject(std::string_view key, std::stop_token stop);
  S3Result<bool> DeleteObject(std::string_view key, std::stop_token stop);
  S3Result<bool> CreateBucket(std::stop_token stop);
  // Streams the object's bytes to `sink` (tests and tools).
  S3Result<int64_t> GetObject(std::string_view key,
                              const std::function<bool(std::string_view)>& sink,
                              std::stop_token stop);

  std::string ObjectUrl(std::string_view key) const;

 private:
  template <typename T>
  S3Result<T> Fail(std::string_view what, const HttpResponse& r);
  HttpResponse Call(std::string method, std::string url, std::string_view body, bool md5,
                    std::stop_token stop);
  HttpResponse Call(std::string method, std::string url, const S3Body& body, bool md5,
                    std::stop_token stop);

  S3Endpoint ep_;
  HttpClient http_;
};

}  // namespace fleetclip::uploader

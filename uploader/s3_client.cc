// S3 REST calls over HttpClient (s3_client.h).
#include "uploader/s3_client.h"

#include <charconv>
#include <optional>

#include "uploader/digest.h"
#include "uploader/s3_xml.h"

namespace fleetclip::uploader {
namespace {

// True when the body is an S3 <Error> document (a 200 can carry one).
bool IsErrorDocument(std::string_view body) { return ParseS3Error(body).has_value(); }

int64_t ToInt(std::string_view s) {
  int64_t v = -1;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

std::string S3Client::ObjectUrl(std::string_view key) const {
  return ep_.endpoint + "/" + UriEncode(ep_.bucket, false) + "/" + UriEncode(key, true);
}

HttpResponse S3Client::Call(std::string method, std::string url, std::string_view body, bool md5,
                            std::stop_token stop) {
  return Call(std::move(method), std::move(url), S3Body{.data = body}, md5, std::move(stop));
}

HttpResponse S3Client::Call(std::string method, std::string url, const S3Body& body, bool md5,
                            std::stop_token stop) {
  HttpRequest req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.body = body.data;
  req.body_fd = body.fd;
  req.body_offset = body.offset;
  req.body_bytes = body.bytes;
  req.sigv4 = &ep_.key;
  req.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!ep_.key.session_token.empty())
    req.headers.push_back("x-amz-security-token: " + ep_.key.session_token);
  if (md5 && (body.md5 || body.fd < 0)) {
    const Md5Digest d = body.md5 ? *body.md5 : Md5(body.data);
    req.headers.push_back("Content-MD5: " + Base64(d.data(), d.size()));
  }
  if (req.method == "PUT" || req.method == "POST")
    req.headers.push_back("Content-Type: application/octet-stream");
  return http_.Perform(req, std::move(stop));
}

template <typename T>
S3Result<T> S3Client::Fail(std::string_view what, const HttpResponse& r) {
  TransferFailure f;
  f.curl_code = r.curl_code;
  f.http_status = r.status;
  if (r.curl_code != 0) {
    f.message = r.curl_error;
  } else {
    if (std::optional<S3ErrorDocument> e = ParseS3Error(r.body)) {
      f.s3_code = std::move(e->code);
      f.message = std::move(e->message);
    }
  }
  return S3Result<T>{ToError(what, f), Classify(f), f.s3_code};
}

static bool IsOk(const HttpResponse& r) {
  return r.curl_code == 0 && r.status / 100 == 2 && !IsErrorDocument(r.body);
}

S3Result<std::string> S3Client::PutObject(std::string_view key, std::string_view body,
                                          std::stop_token stop) {
  return PutObject(key, S3Body{.data = body}, std::move(stop));
}

S3Result<std::string> S3Client::PutObject(std::string_view key, const S3Body& body,
                                          std::stop_token stop) {
  HttpResponse r = Call("PUT", ObjectUrl(key), body, true, std::move(stop));
  if (!IsOk(r)) return Fail<std::string>("PUT " + std::string(key), r);
  return {std::string(StripQuotes(r.Header("etag")))};
}

S3Result<std::string> S3Client::CreateMultipartUpload(std::string_view key, std::stop_token stop) {
  HttpResponse r = Call("POST", ObjectUrl(key) + "?uploads=", "", false, std::move(stop));
  if (!IsOk(r)) return Fail<std::string>("CreateMultipartUpload " + std::string(key), r);
  Result<std::string> id = ParseInitiateMultipartUpload(r.body);
  if (!id.ok())
    return {Error(ErrorCode::kUnavailable,
                  "CreateMultipartUpload " + std::string(key) + ": " + id.error().message()),
            FailureClass::kTransient};
  return {std::move(*id)};
}

S3Result<std::string> S3Client::UploadPart(std::string_view key, std::string_view upload_id,
                                           int part_number, std::string_view body,
                                           std::stop_token stop) {
  return UploadPart(key, upload_id, part_number, S3Body{.data = body}, std::move(stop));
}

S3Result<std::string> S3Client::UploadPart(std::string_view key, std::string_view upload_id,
                                           int part_number, const S3Body& body,
                                           std::stop_token stop) {
  const std::string url = ObjectUrl(key) + "?partNumber=" + std::to_string(part_number) +
                          "&uploadId=" + UriEncode(upload_id, false);
  HttpResponse r = Call("PUT", url, body, true, std::move(stop));
  if (!IsOk(r))
    return Fail<std::string>(
        "UploadPart " + std::string(key) + " part " + std::to_string(part_number), r);
  return {std::string(StripQuotes(r.Header("etag")))};
}

S3Result<std::vector<S3Part>> S3Client::ListParts(std::string_view key, std::string_view upload_id,
                                                  std::stop_token stop) {
  std::vector<S3Part> parts;
  int marker = 0;
  for (int page = 0; page < 20; ++page) {  // 10 000 parts at 1000 a page, with room
    const std::string url = ObjectUrl(key) +
                            "?max-parts=1000&part-number-marker=" + std::to_string(marker) +
                            "&uploadId=" + UriEncode(upload_id, false);
    HttpResponse r = Call("GET", url, "", false, stop);
    if (!IsOk(r)) return Fail<std::vector<S3Part>>("ListParts " + std::string(key), r);
    Result<S3PartsPage> listed = ParseListParts(r.body);
    if (!listed.ok())
      return {Error(ErrorCode::kUnavailable,
                    "ListParts " + std::string(key) + ": " + listed.error().message()),
              FailureClass::kTransient};
    for (S3Part& part : listed->parts) parts.push_back(std::move(part));
    if (!listed->truncated) return {std::move(parts)};
    const int next = listed->next_marker;
    if (next <= marker) break;
    marker = next;
  }
  return {Error(ErrorCode::kUnavailable, "ListParts " + std::string(key) + ": pages did not end"),
          FailureClass::kTransient};
}

S3Result<std::string> S3Client::CompleteMultipartUpload(std::string_view key,
                                                        std::string_view upload_id,
                                                        const std::vector<S3Part>& parts,
                                                        std::stop_token stop) {
  std::string xml = "<CompleteMultipartUpload>";
  for (const S3Part& p : parts) {
    xml += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>&quot;" +
           p.etag + "&quot;</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  HttpResponse r = Call("POST", ObjectUrl(key) + "?uploadId=" + UriEncode(upload_id, false), xml,
                        true, std::move(stop));
  // A 200 can carry an <Error> (the server failed after it started answering): FLEETCLIP_S3_OK
  // checks the body, and a result without <CompleteMultipartUploadResult> is not a success either.
  if (!IsOk(r)) return Fail<std::string>("CompleteMultipartUpload " + std::string(key), r);
  Result<std::string> etag = ParseCompleteMultipartUpload(r.body);
  if (!etag.ok())
    return {Error(ErrorCode::kUnavailable, "CompleteMultipartUpload " + std::string(key) +
                                               ": 200 without a result document (" +
                                               etag.error().message() + ")"),
            FailureClass::kTransient};
  // radosgw 16 answers with an empty <ETag>; HeadObject has the right one.
  return {std::move(*etag)};
}

S3Result<bool> S3Client::AbortMultipartUpload(std::string_view key, std::string_view upload_id,
                                              std::stop_token stop) {
  HttpResponse r = Call("DELETE", ObjectUrl(key) + "?uploadId=" + UriEncode(upload_id, false), "",
                        false, std::move(stop));
  if (!IsOk(r)) return Fail<bool>("AbortMultipartUpload " + std::string(key), r);
  return {true};
}

S3Result<std::vector<S3OpenUpload>> S3Client::ListMultipartUploads(std::string_view prefix,
                                                                   std::stop_token stop) {
  HttpResponse r = Call("GET",
                        ep_.endpoint + "/" + UriEncode(ep_.bucket, false) +
                            "?prefix=" + UriEncode(prefix, false) + "&uploads=",
                        "", false, std::move(stop));
  if (!IsOk(r)) return Fail<std::vector<S3OpenUpload>>("ListMultipartUploads " + ep_.bucket, r);
  Result<std::vector<S3OpenUpload>> uploads = ParseListMultipartUploads(r.body);
  if (!uploads.ok())
    return {Error(ErrorCode::kUnavailable,
                  "ListMultipartUploads " + ep_.bucket + ": " + uploads.error().message()),
            FailureClass::kTransient};
  return {std::move(*uploads)};
}

S3Result<S3ObjectInfo> S3Client::HeadObject(std::string_view key, std::stop_token stop) {
  HttpResponse r = Call("HEAD", ObjectUrl(key), "", false, std::move(stop));
  if (!IsOk(r)) return Fail<S3ObjectInfo>("HEAD " + std::string(key), r);
  return {
      S3ObjectInfo{ToInt(r.Header("content-length")), std::string(StripQuotes(r.Header("etag")))}};
}

S3Result<bool> S3Client::DeleteObject(std::string_view key, std::stop_token stop) {
  HttpResponse r = Call("DELETE", ObjectUrl(key), "", false, std::move(stop));
  if (!IsOk(r)) return Fail<bool>("DELETE " + std::string(key), r);
  return {true};
}

S3Result<bool> S3Client::CreateBucket(std::stop_token stop) {
  HttpResponse r =
      Call("PUT", ep_.endpoint + "/" + UriEncode(ep_.bucket, false), "", false, std::move(stop));
  const std::optional<S3ErrorDocument> error = ParseS3Error(r.body);
  if (!IsOk(r) && !(error && error->code == "BucketAlreadyOwnedByYou"))
    return Fail<bool>("CreateBucket " + ep_.bucket, r);
  return {true};
}

S3Result<int64_t> S3Client::GetObject(std::string_view key,
                                      const std::function<bool(std::string_view)>& sink,
                                      std::stop_token stop) {
  HttpRequest req;
  req.url = ObjectUrl(key);
  req.sigv4 = &ep_.key;
  req.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  int64_t bytes = 0;
  std::string error_body;
  int status = 0;
  req.body_sink = [&](std::string_view chunk) {
    if (status == 0) status = 1;
    bytes += static_cast<int64_t>(chunk.size());
    if (error_body.size() < 4096) error_body.append(chunk.substr(0, 4096));
    return sink(chunk);
  };
  HttpResponse r = http_.Perform(req, std::move(stop));
  if (r.curl_code != 0 || r.status / 100 != 2) {
    r.body = error_body;
    return Fail<int64_t>("GET " + std::string(key), r);
  }
  return {bytes};
}

}  // namespace fleetclip::uploader

// S3 REST calls over HttpClient (s3_client.h).
#include "uploader/s3_client.h"

#include <charconv>

#include "uploader/digest.h"

namespace fleetclip::uploader {
namespace {

std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&quot;", '"'}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&apos;", '\''}};
    bool matched = false;
    for (const auto& [name, ch] : kEntities) {
      if (s.substr(i).starts_with(name)) {
        out += ch;
        i += name.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out += '&';
  }
  return out;
}

// True when the body is an S3 <Error> document (after an optional XML declaration).
bool IsErrorDocument(std::string_view body) {
  size_t p = body.find('<');
  while (p != std::string_view::npos && p + 1 < body.size() && body[p + 1] == '?')
    p = body.find('<', p + 1);
  return p != std::string_view::npos && body.substr(p).starts_with("<Error>");
}

int64_t ToInt(std::string_view s) {
  int64_t v = -1;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  // Not `"<" + std::string(tag)`: GCC 12 at -O3 reports a -Wrestrict false positive for that
  // (GCC bug 105329; see TempPathFor in common/durable_file.cc).
  const std::string open = std::string("<").append(tag).append(">");
  const std::string close = std::string("</").append(tag).append(">");
  size_t pos = 0;
  for (;;) {
    const size_t a = xml.find(open, pos);
    if (a == std::string_view::npos) break;
    const size_t b = xml.find(close, a + open.size());
    if (b == std::string_view::npos) break;
    out.push_back(xml.substr(a + open.size(), b - a - open.size()));
    pos = b + close.size();
  }
  return out;
}

std::string XmlText(std::string_view xml, std::string_view tag) {
  auto e = XmlElements(xml, tag);
  return e.empty() ? "" : DecodeEntities(e.front());
}

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
    f.s3_code = XmlText(r.body, "Code");
    f.message = XmlText(r.body, "Message");
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
  std::string id = XmlText(r.body, "UploadId");
  if (id.empty())
    return {Error(ErrorCode::kUnavailable,
                  "CreateMultipartUpload " + std::string(key) + ": no UploadId in the response"),
            FailureClass::kTransient};
  return {std::move(id)};
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
    for (std::string_view p : XmlElements(r.body, "Part")) {
      S3Part part;
      part.part_number = static_cast<int>(ToInt(XmlText(p, "PartNumber")));
      part.bytes = ToInt(XmlText(p, "Size"));
      part.etag = std::string(StripQuotes(XmlText(p, "ETag")));
      parts.push_back(std::move(part));
    }
    if (XmlText(r.body, "IsTruncated") != "true") return {std::move(parts)};
    const int next = static_cast<int>(ToInt(XmlText(r.body, "NextPartNumberMarker")));
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
  if (r.body.find("CompleteMultipartUploadResult") == std::string::npos)
    return {Error(ErrorCode::kUnavailable, "CompleteMultipartUpload " + std::string(key) +
                                               ": 200 without a result document"),
            FailureClass::kTransient};
  // radosgw 16 answers with an empty <ETag>; HeadObject has the right one.
  return {std::string(StripQuotes(XmlText(r.body, "ETag")))};
}

S3Result<bool> S3Client::AbortMultipartUpload(std::string_view key, std::string_view upload_id,
                                              std::stop_token stop) {
  HttpResponse r = Call("DELETE", ObjectUrl(key) + "?uploadId=" + UriEncode(upload_id, false), "",
                        false, std::move(stop));
  if (!IsOk(r)) return Fail<bool>("AbortMultipartUpload " + std::string(key), r);
  return {true};
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
  if (!IsOk(r) && XmlText(r.body, "Code") != "BucketAlreadyOwnedByYou")
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

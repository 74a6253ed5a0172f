// Object sources for file://, s3:// (our S3Client, SigV4) and https:// (our HttpClient), and the
// verified download. See cli/clip_fetch.h.
#include "cli/clip_fetch.h"

#include <fstream>

#include "cli/clip_folder.h"
#include "daemon/upload_target.h"
#include "proto/clip_manifest.pb.h"
#include "queue/sha256.h"
#include "uploader/s3_client.h"

namespace fleetclip::cli {
namespace {
namespace fs = std::filesystem;

std::string WithSlash(std::string s) {
  if (!s.empty() && s.back() != '/') s += '/';
  return s;
}

class FileSource final : public ObjectSource {
 public:
  explicit FileSource(fs::path dir) : dir_(std::move(dir)) {}
  Result<std::string> Get(const std::string& name) override {
    std::error_code ec;
    if (!fs::exists(dir_ / name, ec)) {
      return Error(ErrorCode::kNotFound, "no object " + Describe(name));
    }
    return ReadWholeFile(dir_ / name);
  }
  std::string Describe(const std::string& name) const override {
    return "file://" + (dir_ / name).string();
  }

 private:
  fs::path dir_;
};

class S3Source final : public ObjectSource {
 public:
  S3Source(uploader::S3Client client, std::string bucket, std::string prefix)
      : client_(std::move(client)), bucket_(std::move(bucket)), prefix_(std::move(prefix)) {}
  Result<std::string> Get(const std::string& name) override {
    std::string body;
    auto got = client_.GetObject(prefix_ + name,
                                 [&](std::string_view c) { return body.append(c), true; }, {});
    if (!got.value.ok()) {
      const Error& e = got.value.error();
      return Error(got.s3_code == "NoSuchKey" ? ErrorCode::kNotFound : e.code(),
                   Describe(name) + ": " + e.message());
    }
    return body;
  }
  std::string Describe(const std::string& name) const override {
    return "s3://" + bucket_ + "/" + prefix_ + name;
  }

 private:
  uploader::S3Client client_;
  std::string bucket_, prefix_;
};

class HttpsSource final : public ObjectSource {
 public:
  HttpsSource(uploader::HttpClient http, std::string base, std::string token)
      : http_(std::move(http)), base_(std::move(base)), token_(std::move(token)) {}
  Result<std::string> Get(const std::string& name) override {
    uploader::HttpRequest req;
    req.url = base_ + name;
    if (!token_.empty()) req.headers.push_back("Authorization: Bearer " + token_);
    std::string body;
    req.body_sink = [&](std::string_view c) { return body.append(c), true; };
    const uploader::HttpResponse r = http_.Perform(req);
    if (r.curl_code != 0) return Error(ErrorCode::kUnavailable, req.url + ": " + r.curl_error);
    if (r.status == 404) return Error(ErrorCode::kNotFound, "no object " + req.url);
    if (r.status / 100 != 2) {
      return Error(r.status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kPermissionDenied,
                   req.url + ": HTTP " + std::to_string(r.status));
    }
    return body;
  }
  std::string Describe(const std::string& name) const override { return base_ + name; }

 private:
  uploader::HttpClient http_;
  std::string base_, token_;
};

Status WriteFileSynced(const fs::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f.flush()) return ErrnoError("write " + path.string(), errno);
  return Ok();
}

}  // namespace

Result<std::unique_ptr<ObjectSource>> OpenObjectSource(const std::string& url,
                                                       const FetchSourceOptions& options) {
  if (url.starts_with("file://")) {
    return std::unique_ptr<ObjectSource>(std::make_unique<FileSource>(url.substr(7)));
  }
  std::map<std::string, std::string> creds;
  if (!options.credentials.empty()) {
    auto read = daemon::ReadCredentialsFile(options.credentials);
    if (!read.ok()) return read.error();
    creds = std::move(*read);
  }
  auto http = uploader::HttpClient::Create({.max_response_body_bytes = 1 << 20});
  if (!http.ok()) return http.error();
  if (url.starts_with("s3://")) {
    const std::string rest = url.substr(5);
    const size_t slash = rest.find('/');
    const std::string bucket = rest.substr(0, slash);
    if (bucket.empty()) {
      return Error(ErrorCode::kInvalidArgument, "URL \"" + url + "\" names no bucket");
    }
    if (options.endpoint.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "s3:// needs --endpoint (or upload.endpoint in the base config)");
    }
    if (!creds.contains("access_key_id") || !creds.contains("secret_access_key")) {
      return Error(ErrorCode::kInvalidArgument,
                   "s3:// needs --credentials FILE with access_key_id and secret_access_key (or "
                   "upload.credentials_file in the base config)");
    }
    uploader::S3Endpoint ep;
    ep.endpoint = options.endpoint;
    while (!ep.endpoint.empty() && ep.endpoint.back() == '/') ep.endpoint.pop_back();
    ep.bucket = bucket;
    ep.key.access_key = creds["access_key_id"];
    ep.key.secret_key = creds["secret_access_key"];
    ep.key.session_token = creds["session_token"];
    ep.key.region = options.region;
    const std::string prefix = slash == std::string::npos ? "" : WithSlash(rest.substr(slash + 1));
    return std::unique_ptr<ObjectSource>(std::make_unique<S3Source>(
        uploader::S3Client(std::move(ep), std::move(*http)), bucket, prefix));
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    return std::unique_ptr<ObjectSource>(
        std::make_unique<HttpsSource>(std::move(*http), WithSlash(url), creds["bearer_token"]));
  }
  return Error(ErrorCode::kInvalidArgument,
               "URL \"" + url + "\" is not s3://, https:// or file://");
}

Result<FetchResult> FetchClip(ObjectSource& source, const fs::path& dir) {
  auto manifest_bytes = source.Get("manifest.pb");
  if (!manifest_bytes.ok()) {
    return Error(manifest_bytes.error().code(),
                 manifest_bytes.error().message() +
                     " (the manifest is uploaded last: without it the clip is not complete there)");
  }
  proto::ClipManifest m;
  if (!m.ParseFromString(*manifest_bytes) || m.clip_id().empty()) {
    return Error(ErrorCode::kCorruption, source.Describe("manifest.pb") + " is not a ClipManifest");
  }
  FetchResult out;
  out.clip_id = m.clip_id();
  out.dir = dir / m.clip_id();
  std::error_code ec;
  fs::create_directories(out.dir, ec);
  if (ec) return ErrnoError("create " + out.dir.string(), ec.value());
  for (const proto::ClipFile& f : m.files()) {
    if (f.name().empty() || f.name().find('/') != std::string::npos || f.name()[0] == '.') {
      return Error(ErrorCode::kCorruption,
                   "manifest names a file \"" + f.name() + "\" outside the clip folder");
    }
    auto bytes = source.Get(f.name());
    if (!bytes.ok()) return bytes.error();
    const std::string sha = queue::Sha256Hex(*bytes);
    const std::string want = queue::BytesToHex(f.sha256());
    if (static_cast<int64_t>(bytes->size()) != f.bytes() || sha != want) {
      return Error(ErrorCode::kCorruption,
                   source.Describe(f.name()) + " fails its check: manifest has " +
                       std::to_string(f.bytes()) + " bytes sha256 " + want + ", object has " +
                       std::to_string(bytes->size()) + " bytes sha256 " + sha);
    }
    const fs::path tmp = out.dir / ("." + f.name() + ".part");
    if (Status s = WriteFileSynced(tmp, *bytes); !s.ok()) return s.error();
    fs::rename(tmp, out.dir / f.name(), ec);
    if (ec) return ErrnoError("rename into " + (out.dir / f.name()).string(), ec.value());
    ++out.files;
    out.bytes += static_cast<int64_t>(bytes->size());
  }
  // The manifest last, as on the upload side: a folder with manifest.pb is complete.
  if (Status s = WriteFileSynced(out.dir / "manifest.pb", *manifest_bytes); !s.ok()) {
    return s.error();
  }
  out.bytes += static_cast<int64_t>(manifest_bytes->size());
  return out;
}

}  // namespace fleetclip::cli

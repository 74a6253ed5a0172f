// The transport factory of daemon/upload_target.h.
#include "daemon/upload_target.h"

#include <fstream>

#include "uploader/file_transport.h"
#include "uploader/http_put_transport.h"
#include "uploader/s3_transport.h"

namespace fleetclip::daemon {
namespace {

std::string Trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

Error Bad(std::string message) { return Error(ErrorCode::kInvalidArgument, std::move(message)); }

// "bucket/prefix/more" → {"bucket", "prefix/more"}.
std::pair<std::string, std::string> SplitFirst(std::string_view rest) {
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), ""};
  std::string tail(rest.substr(slash + 1));
  while (!tail.empty() && tail.back() == '/') tail.pop_back();
  return {std::string(rest.substr(0, slash)), tail};
}

Result<std::string> Required(const std::map<std::string, std::string>& creds,
                             const std::filesystem::path& file, const std::string& key) {
  auto it = creds.find(key);
  if (it == creds.end() || it->second.empty()) {
    return Bad("credentials file " + file.string() + " has no " + key);
  }
  return it->second;
}

// The host of "scheme://host[:port]/…".
std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.starts_with("[")) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

}  // namespace

bool IsLocalTarget(const proto::UploadTarget& target) {
  if (target.url().starts_with("file://")) return true;
  const std::string host =
      HostOf(target.url().starts_with("s3://") ? target.endpoint() : target.url());
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

Result<std::map<std::string, std::string>> ReadCredentialsFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return ErrnoError("open credentials file " + path.string(), errno);
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Bad(path.string() + ":" + std::to_string(line_no) + ": expected key=value");
    }
    const std::string key = Trim(line.substr(0, eq));
    static const char* kKnown[] = {"access_key_id", "secret_access_key", "session_token",
                                   "bearer_token"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      return Bad(path.string() + ":" + std::to_string(line_no) + ": unknown key \"" + key +
                 "\" (access_key_id, secret_access_key, session_token, bearer_token)");
    }
    out[key] = Trim(line.substr(eq + 1));
  }
  return out;
}

Result<UploadTargetParts> MakeUploadTarget(const proto::UploadTarget& target,
                                           const proto::UploadPolicyConfig& policy, Logger log) {
  const std::string& url = target.url();
  UploadTargetParts parts;
  uploader::HttpOptions http;
  http.max_send_bytes_per_s = policy.bandwidth_limit_bps() / 8;
  if (url.starts_with("file://")) {
    const std::filesystem::path dir = url.substr(7);
    if (!dir.is_absolute()) return Bad("upload.url: \"" + url + "\" must be file:///absolute/dir");
    parts.transport = std::make_unique<uploader::FileTransport>(dir);
    parts.description = url;
    return parts;
  }
  const std::filesystem::path creds_file = target.credentials_file();
  if (url.starts_with("s3://")) {
    auto [bucket, prefix] = SplitFirst(std::string_view(url).substr(5));
    if (bucket.empty()) return Bad("upload.url: \"" + url + "\" has no bucket");
    if (target.endpoint().empty()) return Bad("upload.endpoint: required for an s3:// url");
    if (creds_file.empty()) return Bad("upload.credentials_file: required for an s3:// url");
    const std::string region = target.region().empty() ? "us-east-1" : target.region();
    uploader::S3Endpoint ep{target.endpoint(), bucket, {}};
    uploader::SigV4KeySource keys = [creds_file, region]() -> Result<uploader::SigV4Key> {
      auto creds = ReadCredentialsFile(creds_file);
      if (!creds.ok()) return creds.error();
      auto access = Required(*creds, creds_file, "access_key_id");
      if (!access.ok()) return access.error();
      auto secret = Required(*creds, creds_file, "secret_access_key");
      if (!secret.ok()) return secret.error();
      const auto token = creds->find("session_token");
      return uploader::SigV4Key{*access, *secret,
                                token == creds->end() ? std::string() : token->second, region};
    };
    if (auto k = keys(); !k.ok()) return k.error();  // refuse to start with unusable keys
    uploader::S3TransportOptions options;
    if (target.multipart_threshold_bytes() > 0) {
      options.multipart_threshold_bytes = target.multipart_threshold_bytes();
    }
    if (target.part_size_bytes() > 0) options.part_size_bytes = target.part_size_bytes();
    if (policy.parallel_parts() > 0) options.parallel_parts = policy.parallel_parts();
    options.bandwidth_limit_bps = policy.bandwidth_limit_bps();
    options.http = http;
    auto t = uploader::S3Transport::Create(ep, keys, options, log);
    if (!t.ok()) return t.error();
    parts.transport = std::move(*t);
    parts.prefix = prefix;
    parts.description = url + " at " + target.endpoint();
    return parts;
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    if (creds_file.empty()) return Bad("upload.credentials_file: required for an https:// url");
    uploader::BearerTokenSource tokens = [creds_file]() -> Result<std::string> {
      auto creds = ReadCredentialsFile(creds_file);
      if (!creds.ok()) return creds.error();
      return Required(*creds, creds_file, "bearer_token");
    };
    if (auto t = tokens(); !t.ok()) return t.error();
    auto t = uploader::HttpPutTransport::Bearer(url, tokens, http, log);
    if (!t.ok()) return t.error();
    parts.transport = std::move(*t);
    parts.description = url;
    return parts;
  }
  return Bad("upload.url: \"" + url + "\" is not s3://, https://, http:// or file://");
}

std::string TargetPrefix(const std::string& url) {
  for (std::string_view scheme : {"s3://", "https://", "http://"}) {
    if (url.starts_with(scheme))
      return SplitFirst(std::string_view(url).substr(scheme.size())).second;
  }
  return "";
}

Status LazyTransport::EnsureInner() {
  if (inner_) return Ok();
  Result<UploadTargetParts> made = MakeUploadTarget(target_, policy_, log_);
  if (!made.ok()) {
    return Error(ErrorCode::kUnavailable,
                 "upload target not usable yet: " + made.error().ToString());
  }
  log_.Notice("upload_target_ready", {{"target", made->description}});
  inner_ = std::move(made->transport);
  published_.store(inner_.get());
  return Ok();
}

Status LazyTransport::PutFile(const std::string& clip_id, const uploader::LocalFile& file,
                              const std::string& key, uploader::UploadJournal& journal,
                              std::stop_token stop) {
  if (Status s = EnsureInner(); !s.ok()) return s;
  return inner_->PutFile(clip_id, file, key, journal, stop);
}

Status LazyTransport::AbortUpload(const std::string& key, const std::string& upload_id) {
  if (Status s = EnsureInner(); !s.ok()) return s;
  return inner_->AbortUpload(key, upload_id);
}

const uploader::TransferStats& LazyTransport::stats() const {
  uploader::Transport* t = published_.load();
  return t != nullptr ? t->stats() : none_;
}

}  // namespace fleetclip::daemon

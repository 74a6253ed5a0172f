// From the base config's `upload` section to a uploader::Transport (DESIGN.md §7):
//   s3://bucket/prefix   S3 with SigV4 (upload.endpoint, upload.region), keys from the credentials
//   file https://host/base    HTTP PUT of <base>/<key> with `Authorization: Bearer <token>`
//   file:///dir          a local directory (development, the demo)
// The credentials file (never the config itself) holds `key=value` lines: access_key_id,
// secret_access_key, session_token (optional) for S3, or bearer_token for HTTPS; `#` starts a
// comment. It is read again whenever the server says the keys expired, so a rotated file is picked
// up without a restart.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "common/log.h"
#include "common/result.h"
#include "proto/config.pb.h"
#include "uploader/transport.h"

namespace fleetclip::daemon {

struct UploadTargetParts {
  std::unique_ptr<uploader::Transport> transport;
  std::string prefix;       // the object key prefix (s3://bucket/<prefix>, https://host/<prefix>)
  std::string description;  // for logs and status: "s3://bucket/prefix at https://…"
};

// Parses a credentials file; errors name the file, the line and what is wrong.
Result<std::map<std::string, std::string>> ReadCredentialsFile(const std::filesystem::path& path);

// True for a target on this machine: file://, or an endpoint/URL on 127.0.0.0/8, localhost or
// [::1]. Uploading to it spends no link, so the upload policy's link rules do not apply.
bool IsLocalTarget(const proto::UploadTarget& target);

// `policy` supplies the bandwidth cap and the parallel part count.
Result<UploadTargetParts> MakeUploadTarget(const proto::UploadTarget& target,
                                           const proto::UploadPolicyConfig& policy, Logger log);

// The object key prefix of a target URL (s3://bucket/<prefix>, https://host/<prefix>; "" else).
std::string TargetPrefix(const std::string& url);

// A transport built on first use, and again on every use until building it succeeds: a daemon
// whose credentials file is not there yet (provisioning writes it later) or not readable still
// records and queues clips, and each upload attempt until then fails as retryable with the reason
// (shown in status, retried with backoff). Thread-safe stats(); PutFile from the upload thread.
class LazyTransport final : public uploader::Transport {
 public:
  LazyTransport(proto::UploadTarget target, proto::UploadPolicyConfig policy, Logger log)
      : target_(std::move(target)), policy_(std::move(policy)), log_(std::move(log)) {}

  Status PutFile(const std::string& clip_id, const uploader::LocalFile& file,
                 const std::string& key, uploader::UploadJournal& journal,
                 std::stop_token stop) override;
  const uploader::TransferStats& stats() const override;
  // Through the target once it can be built; kUnavailable until then (the abort is kept).
  Status AbortUpload(const std::string& key, const std::string& upload_id) override;

 private:
  // Builds inner_ when it is not there yet. Upload thread only.
  Status EnsureInner();

  const proto::UploadTarget target_;
  const proto::UploadPolicyConfig policy_;
  Logger log_;
  std::unique_ptr<uploader::Transport> inner_;     // upload thread only
  std::atomic<uploader::Transport*> published_{};  // inner_, for stats() from other threads
  uploader::TransferStats none_;
};

}  // namespace fleetclip::daemon

// From the base config's `upload` section to a uploader::Transport (DESIGN.md §7):
//   s3://bucket/prefix   S3 with SigV4 (upload.endpoint, upload.region), keys from the credentials
//   file https://host/base    HTTP PUT of <base>/<key> with `Authorization: Bearer <token>`
//   file:///dir          a local directory (development, the demo)
// The credentials file (never the config itself) holds `key=value` lines: access_key_id,
// secret_access_key, session_token (optional) for S3, or bearer_token for HTTPS; `#` starts a
// comment. It is read again whenever the server says the keys expired, so a rotated file is picked
// up without a restart.
#pragma once

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

}  // namespace fleetclip::daemon

// Reading the base config (protobuf text format, /etc/fleetclip/fleetclip.conf) from the CLI, so
// that `fleetclip list` on the car finds the queue where the daemon keeps it. Parse errors name the
// file, the line and the column. The daemon's full validation of every field lives in daemon/config
// (`fleetclip config validate` runs it); the queue commands only need to parse the file and read a
// few keys.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"
#include "proto/config.pb.h"

namespace fleetclip::cli {

// $FLEETCLIP_CONFIG when set, else /etc/fleetclip/fleetclip.conf.
std::filesystem::path DefaultConfigPath();

// kNotFound when the file does not exist; kInvalidArgument naming file:line:col when it does not
// parse.
Result<proto::BaseConfig> ReadBaseConfig(const std::filesystem::path& path);

}  // namespace fleetclip::cli

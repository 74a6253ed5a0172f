// See cli/config_file.h. The parsing itself is daemon/config's (the same file:line:col errors the
// daemon gives); the CLI skips the daemon's defaults and validation so that the queue commands work
// with a partial config.
#include "cli/config_file.h"

#include <cstdlib>

#include "daemon/config/base_config.h"

namespace fleetclip::cli {

std::filesystem::path DefaultConfigPath() {
  const char* env = std::getenv("FLEETCLIP_CONFIG");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : std::filesystem::path(config::kDefaultConfigPath);
}

Result<proto::BaseConfig> ReadBaseConfig(const std::filesystem::path& path) {
  proto::BaseConfig config;
  if (Status s = config::ReadTextProtoFile(path, &config); !s.ok()) return s.error();
  return config;
}

}  // namespace fleetclip::cli

// fleetclipd: the fleetclip service (DESIGN.md §8). Usage:
//   fleetclipd [--config FILE]      run (default /etc/fleetclip/fleetclip.conf)
//   fleetclipd --check [--config FILE]   validate the config and exit
//   fleetclipd --version
// Exit codes: 0 stopped by SIGTERM/SIGINT (or --check passed), 1 runtime failure, 2 usage,
// 78 (EX_CONFIG) invalid base config — the unit sets RestartPreventExitStatus=78 so systemd does
// not restart-loop on a config only a person can fix.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/config/base_config.h"
#include "daemon/daemon.h"

#ifndef FLEETCLIP_VERSION
#define FLEETCLIP_VERSION "0.0.0"
#endif

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitConfig = 78;

int Usage(std::FILE* to, int code) {
  std::fprintf(to,
               "usage: fleetclipd [--config FILE] [--check] [--version]\n"
               "  --config FILE  base config (default %s, or $FLEETCLIP_CONFIG)\n"
               "  --check        validate the config and exit (0 valid, 78 invalid)\n"
               "  --version      print the version\n",
               fleetclip::config::kDefaultConfigPath);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fleetclip;
  // glibc gives each thread that allocates its own malloc arena (up to 8 per core): every camera
  // thread's ring then sits in an arena of its own with its own slack, ~2 MiB a camera over the
  // ring's packets (BENCHMARKS.md "realtime"). Two arenas are plenty for ~240 packet allocations a
  // second. MALLOC_ARENA_MAX in the environment, which glibc reads itself, still decides.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  std::string config_path = config::kDefaultConfigPath;
  if (const char* env = std::getenv("FLEETCLIP_CONFIG"); env && *env) config_path = env;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a == "--check") {
      check = true;
    } else if (a == "--version") {
      std::printf("fleetclipd %s\n", FLEETCLIP_VERSION);
      return 0;
    } else if (a == "--help" || a == "-h") {
      return Usage(stdout, 0);
    } else {
      std::fprintf(stderr, "fleetclipd: unknown argument \"%s\"\n", argv[i]);
      return Usage(stderr, kExitUsage);
    }
  }
  FdLogSink sink(2);
  Logger log(sink);
  if (check) {
    Result<proto::BaseConfig> loaded = config::LoadBaseConfig(config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.error().message().c_str());
      return kExitConfig;
    }
    std::printf("%s: valid\n", config_path.c_str());
    return 0;
  }
  if (Status s = daemon::BlockSignals(); !s.ok()) {
    log.Error("start_failed", {{"error", s.error().ToString()}});
    return 1;
  }
  // The platform the daemon borrows: the clock and the file system its queue and configs use.
  RealClock clock;
  PosixFileSystem file_system;
  Result<std::unique_ptr<daemon::Daemon>> d =
      daemon::Daemon::Create({.config_path = config_path,
                              .software_version = FLEETCLIP_VERSION,
                              .file_system = &file_system},
                             clock, sink);
  if (!d.ok()) {
    log.Error("start_failed", {{"error", d.error().ToString()}});
    return d.error().code() == ErrorCode::kInvalidArgument ? kExitConfig : 1;
  }
  return (*d)->Run();
}

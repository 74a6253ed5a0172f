// fleetclipd as one object (DESIGN.md §8). Create() is the start of the pipeline — load config →
// open the queue (recovery) → build capture, triggers, clip writer, uploader and backend client —
// and Run() the rest: start every thread → notify ready → main loop (signalfd, control socket,
// status and metrics timers, watchdog) → orderly shutdown on SIGTERM.
//
// Threads: one per camera, the signal thread, the clip writer, the upload thread, the backend
// thread (config poll + heartbeat, only when a config URL is set), and the main loop.
//
// Config: the base config file plus the accepted fleet config (daemon/config/). Reload (SIGHUP or
// the control socket) re-reads the base config and re-verifies the persisted fleet config; a
// pushed config is applied by the backend thread. The config table (daemon/config/config_keys.h)
// says which base-config keys a reload applies (rules, upload policy, storage limits, trusted keys,
// metrics file); the others (ids, cameras, sockets, directories, upload target, backend) keep
// their values from the start, and status names each one the file changed until a restart.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/log.h"
#include "common/result.h"

namespace fleetclip::daemon {

struct DaemonOptions {
  std::filesystem::path config_path;
  std::string software_version;
  Nanos status_interval = std::chrono::seconds(15);  // STATUS=, metrics textfile
  // The seam for the queue's files, the storage budget's statvfs and the fleet-config store;
  // borrowed, must outlive the daemon. nullptr: the POSIX file system.
  FileSystem* file_system = nullptr;
};

class Daemon {
 public:
  // Loads and validates the config and opens the queue (running recovery). Nothing runs yet. A
  // config error is kInvalidArgument naming the file, the field, the value and the bound.
  static Result<std::unique_ptr<Daemon>> Create(DaemonOptions options, const Clock& clock,
                                                LogSink& log_sink);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGTERM or SIGINT, then shuts down in order. Returns the process exit code.
  // SIGTERM, SIGINT and SIGHUP must be blocked in every thread before Create() (BlockSignals()).
  int Run();

  struct Impl;

 private:
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Blocks SIGTERM, SIGINT and SIGHUP (they are read from a signalfd) and ignores SIGPIPE. Call first
// in main, before any thread exists, so every thread inherits the mask.
Status BlockSignals();

}  // namespace fleetclip::daemon

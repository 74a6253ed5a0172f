// The systemd side of Type=notify (sd_notify(3)): READY=1 once recovery is done and every thread
// runs, STATUS= with a one-line summary, WATCHDOG=1 while every worker shows progress, RELOADING=1
// and STOPPING=1. Without $NOTIFY_SOCKET (run by hand, tests) every call is a no-op.
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"

namespace fleetclip::daemon {

class ServiceNotifier {
 public:
  ServiceNotifier();

  void Ready() const { Send("READY=1"); }
  void Status(std::string_view line) const;
  void Watchdog() const { Send("WATCHDOG=1"); }
  void Reloading() const { Send("RELOADING=1"); }
  void ReloadDone() const { Send("READY=1"); }
  void Stopping() const { Send("STOPPING=1"); }

  // How often to ping: half of WatchdogSec (from $WATCHDOG_USEC for this process), or nullopt
  // when the watchdog is off.
  std::optional<Nanos> watchdog_interval() const { return watchdog_interval_; }

 private:
  void Send(std::string_view state) const;
  std::optional<Nanos> watchdog_interval_;
};

}  // namespace fleetclip::daemon

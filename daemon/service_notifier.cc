// sd_notify through libsystemd; see daemon/service_notifier.h.
#include "daemon/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <string>

namespace fleetclip::daemon {

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
  }
}

void ServiceNotifier::Status(std::string_view line) const {
  std::string state = "STATUS=";
  for (char c : line) state += (c == '\n') ? ' ' : c;  // one line: a newline would end the field
  Send(state);
}

void ServiceNotifier::Send(std::string_view state) const {
  const std::string s(state);
  sd_notify(0, s.c_str());
}

}  // namespace fleetclip::daemon

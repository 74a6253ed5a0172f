// `fleetclip status` lines for the CAN buses (cli/can_status.h).
#include "cli/can_status.h"

#include <cstdio>

namespace fleetclip::cli {

void PrintCanBuses(const proto::DaemonStatus& s, std::ostream& out) {
  for (const proto::CanBusStatus& b : s.can()) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "  can %-12s %s  frames %llu  translated %llu  unknown ids %llu  out of range "
                  "%llu  out of order %llu  counter skips %llu  bad checksums %llu (dropped)\n",
                  b.interface().c_str(), b.unhealthy() ? "UNHEALTHY" : "healthy",
                  static_cast<unsigned long long>(b.frames()),
                  static_cast<unsigned long long>(b.translated()),
                  static_cast<unsigned long long>(b.unknown_ids()),
                  static_cast<unsigned long long>(b.out_of_range()),
                  static_cast<unsigned long long>(b.out_of_order()),
                  static_cast<unsigned long long>(b.counter_skips()),
                  static_cast<unsigned long long>(b.bad_checksums()));
    out << line;
    if (!b.last_error().empty()) out << "               last error: " << b.last_error() << "\n";
    for (const proto::CanMessageStatus& m : b.messages()) {
      std::snprintf(line, sizeof line,
                    "    message %-24s 0x%03X %s frames %llu  counter skips %llu  bad checksums "
                    "%llu  out of range %llu\n",
                    m.name().c_str(), m.id(), m.checked() ? "checked  " : "unchecked",
                    static_cast<unsigned long long>(m.frames()),
                    static_cast<unsigned long long>(m.counter_skips()),
                    static_cast<unsigned long long>(m.bad_checksums()),
                    static_cast<unsigned long long>(m.out_of_range()));
      out << line;
    }
    if (b.messages_omitted() > 0) {
      out << "    (" << b.messages_omitted() << " more messages not shown)\n";
    }
  }
}

}  // namespace fleetclip::cli

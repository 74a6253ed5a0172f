// NetworkManager's metered flag over the system D-Bus with sd-bus (network_probe.h). Used only when
// NetworkManager owns its bus name; anything unexpected answers "unknown" (nullopt) so config
// overrides and defaults decide.
#include <systemd/sd-bus.h>

#include "common/unique_handle.h"
#include "uploader/network_probe.h"

namespace fleetclip::uploader {
namespace {

using BusHandle = UniqueHandle<sd_bus, sd_bus_flush_close_unref>;
using BusMessage = UniqueHandle<sd_bus_message, sd_bus_message_unref>;

constexpr const char* kNm = "org.freedesktop.NetworkManager";

// NMMetered: 0 unknown, 1 yes, 2 no, 3 guess-yes, 4 guess-no.
std::optional<bool> FromNmMetered(uint32_t v) {
  if (v == 1 || v == 3) return true;
  if (v == 2 || v == 4) return false;
  return std::nullopt;
}

class NmMeteredSource final : public MeteredSource {
 public:
  std::optional<bool> Metered(const std::string& interface) override {
    sd_bus* raw = nullptr;
    if (sd_bus_open_system(&raw) < 0) return std::nullopt;
    BusHandle bus(raw);
    sd_bus_error err{};  // SD_BUS_ERROR_NULL, without its C99 compound literal (clang -Wpedantic)
    sd_bus_message* reply_raw = nullptr;
    int has_owner = 0;
    if (sd_bus_call_method(bus.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "NameHasOwner", &err, &reply_raw, "s",
                           kNm) < 0) {
      sd_bus_error_free(&err);
      return std::nullopt;
    }
    BusMessage reply(reply_raw);
    if (sd_bus_message_read(reply.get(), "b", &has_owner) < 0 || has_owner == 0)
      return std::nullopt;
    reply_raw = nullptr;
    if (sd_bus_call_method(bus.get(), kNm, "/org/freedesktop/NetworkManager", kNm,
                           "GetDeviceByIpIface", &err, &reply_raw, "s", interface.c_str()) < 0) {
      sd_bus_error_free(&err);
      return std::nullopt;
    }
    BusMessage device_reply(reply_raw);
    const char* path = nullptr;
    if (sd_bus_message_read(device_reply.get(), "o", &path) < 0 || path == nullptr)
      return std::nullopt;
    uint32_t metered = 0;
    if (sd_bus_get_property_trivial(bus.get(), kNm, path, "org.freedesktop.NetworkManager.Device",
                                    "Metered", &err, 'u', &metered) < 0) {
      sd_bus_error_free(&err);
      return std::nullopt;
    }
    return FromNmMetered(metered);
  }
};

}  // namespace

std::unique_ptr<MeteredSource> MakeNetworkManagerMeteredSource() {
  return std::make_unique<NmMeteredSource>();
}

}  // namespace fleetclip::uploader

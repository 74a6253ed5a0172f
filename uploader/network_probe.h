// Which link would carry an upload right now: the interface of the default route (lowest metric
// in /proc/net/route), its class from sysfs (Wi-Fi, Ethernet, cellular, unknown) and whether it
// is metered. The metered flag comes from config overrides per interface first, then from
// NetworkManager over D-Bus when NM is running (NmMeteredSource), else "not metered" for Wi-Fi and
// Ethernet and "metered" for cellular. The /proc and /sys roots are injectable so tests build fake
// trees. Probe() reads a handful of small files; call it from the upload thread, not concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "proto/config.pb.h"

namespace fleetclip::uploader {

using LinkClass = proto::LinkClass;

// "wifi", "ethernet", "cellular", "unknown": the names used in reasons and daily budgets.
std::string_view LinkClassName(LinkClass link);
std::optional<LinkClass> ParseLinkClass(std::string_view name);

struct NetworkState {
  bool online = false;    // a default route exists
  std::string interface;  // its interface, e.g. "wlan0"
  LinkClass link = proto::LINK_UNKNOWN;
  bool metered = false;
  std::string metered_source;  // "config", "networkmanager", "default"
};

// Where the metered flag of an interface can be learned; nullopt when it cannot.
class MeteredSource {
 public:
  virtual ~MeteredSource() = default;
  virtual std::optional<bool> Metered(const std::string& interface) = 0;
};

// NetworkManager's Device.Metered over the system D-Bus (sd-bus). Answers nullopt without delay
// when there is no system bus or NetworkManager does not own its name.
std::unique_ptr<MeteredSource> MakeNetworkManagerMeteredSource();

struct InterfaceOverride {
  std::optional<LinkClass> link;
  std::optional<bool> metered;
};

struct NetworkProbeOptions {
  std::filesystem::path proc_root = "/proc";
  std::filesystem::path sys_root = "/sys";
  std::map<std::string, InterfaceOverride> overrides;  // by interface name
};

// `base` with upload_policy.metered_interfaces (interface → metered) as metered overrides, which
// win over NetworkManager and the link default; an interface's link override in `base` is kept.
// Interface names must be 1..15 characters without '/', ':' or white space (Linux IFNAMSIZ).
Result<NetworkProbeOptions> ProbeOptionsFromPolicy(const proto::UploadPolicyConfig& config,
                                                   NetworkProbeOptions base = {});

class NetworkProbe {
 public:
  // `metered` may be null (no D-Bus); it must outlive the probe.
  NetworkProbe(NetworkProbeOptions options, MeteredSource* metered)
      : options_(std::move(options)), metered_(metered) {}

  // kNotFound when /proc/net/route cannot be read; offline (online = false) without a default
  // route.
  Result<NetworkState> Probe();

  // The class sysfs gives `interface` (no overrides).
  LinkClass ClassifyInterface(const std::string& interface) const;

 private:
  NetworkProbeOptions options_;
  MeteredSource* metered_;
};

}  // namespace fleetclip::uploader

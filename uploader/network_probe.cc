// Default route, link class and metered flag (network_probe.h).
#include "uploader/network_probe.h"

#include <fstream>
#include <sstream>

namespace fleetclip::uploader {
namespace {

constexpr unsigned kRouteUp = 0x1;  // RTF_UP
constexpr int kArphrdEther = 1;
constexpr int kArphrdPpp = 512;
constexpr int kArphrdNone = 65534;  // raw-IP modems (qmi_wwan, mhi)

std::string ReadSmallFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string_view LinkClassName(LinkClass link) {
  switch (link) {
    case proto::LINK_WIFI:
      return "wifi";
    case proto::LINK_ETHERNET:
      return "ethernet";
    case proto::LINK_CELLULAR:
      return "cellular";
    default:
      return "unknown";
  }
}

std::optional<LinkClass> ParseLinkClass(std::string_view name) {
  for (LinkClass c :
       {proto::LINK_WIFI, proto::LINK_ETHERNET, proto::LINK_CELLULAR, proto::LINK_UNKNOWN})
    if (LinkClassName(c) == name) return c;
  return std::nullopt;
}

LinkClass NetworkProbe::ClassifyInterface(const std::string& interface) const {
  const std::filesystem::path dir = options_.sys_root / "class/net" / interface;
  std::error_code ec;
  if (std::filesystem::exists(dir / "wireless", ec) ||
      std::filesystem::exists(dir / "phy80211", ec))
    return proto::LINK_WIFI;
  const std::string uevent = ReadSmallFile(dir / "uevent");
  if (uevent.find("DEVTYPE=wlan") != std::string::npos) return proto::LINK_WIFI;
  if (uevent.find("DEVTYPE=wwan") != std::string::npos) return proto::LINK_CELLULAR;
  int type = -1;
  std::istringstream(ReadSmallFile(dir / "type")) >> type;
  if (type == kArphrdPpp || interface.starts_with("wwan") || interface.starts_with("rmnet"))
    return proto::LINK_CELLULAR;
  if (type == kArphrdNone && std::filesystem::exists(dir / "device", ec))
    return proto::LINK_CELLULAR;
  if (type == kArphrdEther) return proto::LINK_ETHERNET;
  return proto::LINK_UNKNOWN;
}

Result<NetworkState> NetworkProbe::Probe() {
  const std::filesystem::path route = options_.proc_root / "net/route";
  std::ifstream in(route);
  if (!in) return Error(ErrorCode::kNotFound, "cannot read " + route.string());
  NetworkState state;
  long best_metric = -1;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iface, dest, gateway, flags_hex, refcnt, use, metric;
    if (!(fields >> iface >> dest >> gateway >> flags_hex >> refcnt >> use >> metric)) continue;
    const unsigned flags = static_cast<unsigned>(std::stoul(flags_hex, nullptr, 16));
    if (dest != "00000000" || (flags & kRouteUp) == 0) continue;
    const long m = std::stol(metric);
    if (best_metric < 0 || m < best_metric) {
      best_metric = m;
      state.interface = iface;
    }
  }
  if (state.interface.empty()) return state;
  state.online = true;
  state.link = ClassifyInterface(state.interface);
  const auto ov = options_.overrides.find(state.interface);
  if (ov != options_.overrides.end() && ov->second.link) state.link = *ov->second.link;
  if (ov != options_.overrides.end() && ov->second.metered) {
    state.metered = *ov->second.metered;
    state.metered_source = "config";
  } else if (std::optional<bool> nm =
                 metered_ != nullptr ? metered_->Metered(state.interface) : std::nullopt) {
    state.metered = *nm;
    state.metered_source = "networkmanager";
  } else {
    state.metered = state.link == proto::LINK_CELLULAR;
    state.metered_source = "default";
  }
  return state;
}

Result<NetworkProbeOptions> ProbeOptionsFromPolicy(const proto::UploadPolicyConfig& config,
                                                   NetworkProbeOptions base) {
  for (const auto& [name, metered] : config.metered_interfaces()) {
    const bool valid =
        !name.empty() && name.size() <= 15 && name.find_first_of("/: \t\n") == std::string::npos;
    if (!valid)
      return Error(ErrorCode::kInvalidArgument,
                   "upload_policy.metered_interfaces[\"" + name +
                       "\"]: not an interface name (1..15 characters, no '/', ':' or spaces)");
    base.overrides[name].metered = metered;
  }
  return base;
}

}  // namespace fleetclip::uploader

// UploadPolicy as a table on the fake clock and a fixed-offset time zone, plus NetworkProbe on fake
// /proc and /sys trees.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/temp_dir.h"
#include "uploader/network_probe.h"
#include "uploader/upload_policy.h"

namespace fleetclip::uploader {
namespace {

using namespace std::chrono_literals;

// 2026-01-01 00:00 UTC is the FakeClock's wall origin; the zone is UTC+2, so local = UTC + 2 h.
constexpr int kOffsetMinutes = 120;

struct Case {
  const char* name;
  LinkClass link;
  bool metered;
  int local_hour;  // local time of the decision (minutes :30)
  bool parked;
  int priority;
  int64_t used_bytes;  // already sent on this link today
  bool allowed;
  const char* reason;
};

constexpr auto W = proto::LINK_WIFI;
constexpr auto E = proto::LINK_ETHERNET;
constexpr auto C = proto::LINK_CELLULAR;
constexpr auto U = proto::LINK_UNKNOWN;

const Case kCases[] = {
    {"wifi, night, parked", W, false, 23, true, 10, 0, true, "uploading: wifi, in window, parked"},
    {"ethernet after midnight", E, false, 3, true, 10, 0, true,
     "uploading: ethernet, in window, parked"},
    {"window end is exclusive", W, false, 6, true, 10, 0, false, "waiting: window opens 22:00"},
    {"afternoon", W, false, 14, true, 10, 0, false, "waiting: window opens 22:00"},
    {"night but driving", W, false, 23, false, 10, 0, false, "waiting: not parked"},
    {"cellular", C, true, 23, true, 10, 0, false, "waiting: cellular link"},
    {"unknown link", U, false, 23, true, 10, 0, false, "waiting: unknown link"},
    {"metered wifi (phone hotspot)", W, true, 23, true, 10, 0, false, "waiting: metered wifi link"},
    {"urgent skips the window", W, false, 14, false, 95, 0, true,
     "uploading: urgent priority 95 on wifi"},
    {"urgent at the threshold", W, false, 14, false, 90, 0, true,
     "uploading: urgent priority 90 on wifi"},
    {"urgent never takes cellular", C, true, 14, false, 100, 0, false, "waiting: cellular link"},
    {"urgent never takes metered", W, true, 14, false, 100, 0, false, "waiting: metered wifi link"},
    {"budget used up", W, false, 23, true, 10, 5'000, false,
     "waiting: daily wifi budget used (5000 of 5000 bytes)"},
    {"budget stops urgent too", W, false, 23, true, 99, 6'000, false,
     "waiting: daily wifi budget used (6000 of 5000 bytes)"},
    {"budget not yet used", W, false, 23, true, 10, 4'999, true,
     "uploading: wifi, in window, parked"},
};

TEST_CASE("The policy table: link, metered, window across midnight, parked, urgency and budget") {
  FixedOffsetTimeZone zone(kOffsetMinutes);
  PolicyConfig config;
  config.daily_bytes_per_link[proto::LINK_WIFI] = 5'000;
  UploadPolicy policy(config, zone);
  for (const Case& c : kCases) {
    FakeClock clock;
    // Local hh:30 = UTC (hh - 2):30.
    clock.Advance(std::chrono::minutes(((c.local_hour - 2 + 24) % 24) * 60 + 30));
    ParkedTracker parked;
    parked.Observe(clock.Now(), c.parked ? 0.0 : 12.0, false);
    clock.Advance(3min);
    NetworkState net{true, "if0", c.link, c.metered, "config"};
    DailyBudget budget;
    REQUIRE(budget.Add(c.link, zone.ToLocal(clock.WallNow()), c.used_bytes).ok());
    PolicyDecision d = policy.Decide(net, parked, budget, clock.Now(), clock.WallNow(), c.priority);
    INFO(c.name);
    CHECK(d.allowed == c.allowed);
    CHECK(d.reason == c.reason);
  }
}

TEST_CASE("Parked means speed zero for the configured time, or gear P at once") {
  FakeClock clock;
  ParkedTracker p;
  CHECK_FALSE(p.Parked(clock.Now(), 120'000));
  p.Observe(clock.Now(), 0.0, false);
  clock.Advance(119s);
  CHECK_FALSE(p.Parked(clock.Now(), 120'000));
  clock.Advance(1s);
  CHECK(p.Parked(clock.Now(), 120'000));
  p.Observe(clock.Now(), 3.0, false);
  CHECK_FALSE(p.Parked(clock.Now(), 120'000));
  p.Observe(clock.Now(), 0.0, true);
  CHECK(p.Parked(clock.Now(), 120'000));
}

TEST_CASE("No network and no signals have their own reasons") {
  FixedOffsetTimeZone zone(0);
  UploadPolicy policy({}, zone);
  FakeClock clock;
  clock.Advance(23h);
  ParkedTracker none;
  DailyBudget budget;
  CHECK(policy.Decide({}, none, budget, clock.Now(), clock.WallNow(), 0).reason ==
        "waiting: no network");
  NetworkState wifi{true, "wlan0", proto::LINK_WIFI, false, "default"};
  CHECK(policy.Decide(wifi, none, budget, clock.Now(), clock.WallNow(), 0).reason ==
        "waiting: no vehicle signals yet");
}

TEST_CASE("A window that does not cross midnight and an always-open window") {
  FixedOffsetTimeZone zone(0);
  proto::UploadPolicyConfig pc;
  pc.set_window_start("09:00");
  pc.set_window_end("17:00");
  pc.set_require_parked(false);
  Result<PolicyConfig> config = PolicyFromProto(pc);
  REQUIRE(config.ok());
  UploadPolicy policy(*config, zone);
  FakeClock clock;
  ParkedTracker p;
  DailyBudget b;
  NetworkState wifi{true, "wlan0", proto::LINK_WIFI, false, "default"};
  clock.Advance(8h + 59min);
  CHECK(policy.Decide(wifi, p, b, clock.Now(), clock.WallNow(), 0).reason ==
        "waiting: window opens 09:00");
  clock.Advance(1min);
  CHECK(policy.Decide(wifi, p, b, clock.Now(), clock.WallNow(), 0).allowed);
  pc.set_window_end("09:00");
  UploadPolicy always(*PolicyFromProto(pc), zone);
  clock.Advance(12h);
  CHECK(always.Decide(wifi, p, b, clock.Now(), clock.WallNow(), 0).allowed);
}

TEST_CASE("A policy that does not mention parking requires the car to be parked") {
  proto::UploadPolicyConfig pc;
  REQUIRE(PolicyFromProto(pc)->require_parked);
  pc.set_require_parked(false);
  REQUIRE_FALSE(PolicyFromProto(pc)->require_parked);
}

TEST_CASE("Bad policy values are rejected naming the field and the bound") {
  proto::UploadPolicyConfig pc;
  pc.set_window_start("25:00");
  Result<PolicyConfig> r = PolicyFromProto(pc);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message(), Catch::StartsWith("upload_policy.window_start: \"25:00\""));
  pc.set_window_start("22:00");
  (*pc.mutable_daily_bytes_per_link())["satellite"] = 5;
  r = PolicyFromProto(pc);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message(), Catch::Contains("satellite"));
}

// A fake /proc and /sys.
class FakeRoots {
 public:
  FakeRoots() { std::filesystem::create_directories(dir_.path() / "proc/net"); }
  void Route(const std::string& table) {
    std::ofstream(dir_.path() / "proc/net/route")
        << "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        << table;
  }
  void Interface(const std::string& name, int type, const std::string& uevent, bool wireless) {
    const auto d = dir_.path() / "sys/class/net" / name;
    std::filesystem::create_directories(d);
    std::ofstream(d / "type") << type << "\n";
    std::ofstream(d / "uevent") << uevent;
    if (wireless) std::filesystem::create_directories(d / "wireless");
  }
  NetworkProbeOptions Options() const { return {dir_.path() / "proc", dir_.path() / "sys", {}}; }

 private:
  TempDir dir_;
};

class FixedMetered final : public MeteredSource {
 public:
  explicit FixedMetered(std::optional<bool> v) : v_(v) {}
  std::optional<bool> Metered(const std::string&) override { return v_; }

 private:
  std::optional<bool> v_;
};

TEST_CASE("The probe picks the default route with the lowest metric and classifies it") {
  FakeRoots roots;
  roots.Interface("wlan0", 1, "DEVTYPE=wlan\nINTERFACE=wlan0\n", true);
  roots.Interface("eth0", 1, "INTERFACE=eth0\n", false);
  roots.Interface("wwan0", 65534, "DEVTYPE=wwan\n", false);
  roots.Route(
      "wwan0\t00000000\t0101A8C0\t0003\t0\t0\t700\t00000000\t0\t0\t0\n"
      "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
      "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n");
  NetworkProbe probe(roots.Options(), nullptr);
  Result<NetworkState> s = probe.Probe();
  REQUIRE(s.ok());
  CHECK(s->online);
  CHECK(s->interface == "wlan0");
  CHECK(s->link == proto::LINK_WIFI);
  CHECK_FALSE(s->metered);
  CHECK(probe.ClassifyInterface("eth0") == proto::LINK_ETHERNET);
  CHECK(probe.ClassifyInterface("wwan0") == proto::LINK_CELLULAR);
  CHECK(probe.ClassifyInterface("missing0") == proto::LINK_UNKNOWN);
}

TEST_CASE("Without a default route the probe reports offline") {
  FakeRoots roots;
  roots.Route("eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n");
  Result<NetworkState> s = NetworkProbe(roots.Options(), nullptr).Probe();
  REQUIRE(s.ok());
  CHECK_FALSE(s->online);
}

TEST_CASE("Metered comes from config overrides, then NetworkManager, then the link's default") {
  FakeRoots roots;
  roots.Interface("wlan0", 1, "DEVTYPE=wlan\n", true);
  roots.Route("wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n");
  FixedMetered nm_yes(true), nm_unknown(std::nullopt);
  CHECK(NetworkProbe(roots.Options(), &nm_yes).Probe()->metered_source == "networkmanager");
  CHECK(NetworkProbe(roots.Options(), &nm_yes).Probe()->metered);
  CHECK(NetworkProbe(roots.Options(), &nm_unknown).Probe()->metered_source == "default");
  NetworkProbeOptions o = roots.Options();
  o.overrides["wlan0"] = {proto::LINK_CELLULAR, false};
  Result<NetworkState> s = NetworkProbe(o, &nm_yes).Probe();
  CHECK(s->link == proto::LINK_CELLULAR);
  CHECK_FALSE(s->metered);
  CHECK(s->metered_source == "config");
}

TEST_CASE("upload_policy.metered_interfaces become the probe's metered overrides") {
  FakeRoots roots;
  roots.Interface("wlan0", 1, "DEVTYPE=wlan\n", true);
  roots.Interface("usb0", 1, "DEVTYPE=gadget\n", false);
  roots.Route("wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n");
  proto::UploadPolicyConfig pc;
  (*pc.mutable_metered_interfaces())["wlan0"] = true;  // a phone hotspot seen as Wi-Fi
  (*pc.mutable_metered_interfaces())["usb0"] = false;
  NetworkProbeOptions base = roots.Options();
  base.overrides["usb0"].link = proto::LINK_ETHERNET;  // kept alongside the metered flag
  Result<NetworkProbeOptions> o = ProbeOptionsFromPolicy(pc, base);
  REQUIRE(o.ok());
  CHECK(o->proc_root == base.proc_root);
  REQUIRE(o->overrides.size() == 2);
  CHECK(o->overrides.at("wlan0").metered == std::optional<bool>(true));
  CHECK_FALSE(o->overrides.at("wlan0").link.has_value());
  CHECK(o->overrides.at("usb0").metered == std::optional<bool>(false));
  CHECK(o->overrides.at("usb0").link == std::optional<LinkClass>(proto::LINK_ETHERNET));
  FixedMetered nm_no(false);
  Result<NetworkState> s = NetworkProbe(*o, &nm_no).Probe();
  REQUIRE(s.ok());
  CHECK(s->metered);
  CHECK(s->metered_source == "config");
  // Nothing configured: no overrides, NetworkManager decides.
  Result<NetworkProbeOptions> none = ProbeOptionsFromPolicy({}, roots.Options());
  REQUIRE(none.ok());
  CHECK(none->overrides.empty());
  CHECK(NetworkProbe(*none, &nm_no).Probe()->metered_source == "networkmanager");
  // A name that cannot be an interface is refused naming the field.
  proto::UploadPolicyConfig bad;
  (*bad.mutable_metered_interfaces())["wlan0:1 x"] = true;
  Result<NetworkProbeOptions> refused = ProbeOptionsFromPolicy(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message().find("upload_policy.metered_interfaces") != std::string::npos);
}

class MemoryCounters final : public CounterStore {
 public:
  Result<int64_t> Counter(const std::string& name) override {
    ++reads;
    auto it = values.find(name);
    return it == values.end() ? 0 : it->second;
  }
  Status IncrementCounter(const std::string& name, int64_t by) override {
    values[name] += by;
    return Ok();
  }
  std::map<std::string, int64_t> values;
  int reads = 0;
};

TEST_CASE("The daily budget survives a restart through its counter store") {
  FixedOffsetTimeZone zone(60);  // local day starts at 23:00 UTC
  proto::UploadPolicyConfig pc;
  (*pc.mutable_daily_bytes_per_link())["wifi"] = 1000;
  UploadPolicy policy(*PolicyFromProto(pc), zone);
  FakeClock clock;
  clock.Advance(20h);  // 2026-01-01 21:00 local
  const LocalTime today = zone.ToLocal(clock.WallNow());
  MemoryCounters store;
  {
    DailyBudget before(&store);
    REQUIRE(before.Add(proto::LINK_WIFI, today, 300).ok());
    REQUIRE(before.Add(proto::LINK_WIFI, today, 100).ok());
    REQUIRE(before.Add(proto::LINK_CELLULAR, today, 5).ok());
    CHECK(policy.BudgetLeft(proto::LINK_WIFI, before, clock.WallNow()) == 600);
  }
  CHECK(store.values.at(DailyBudget::CounterName(proto::LINK_WIFI, today)) == 400);
  CHECK(DailyBudget::CounterName(proto::LINK_WIFI, today) == "upload_bytes.wifi.2026-01-01");
  // "Restart": a new budget on the same store remembers today's spending.
  DailyBudget after(&store);
  CHECK(after.Used(proto::LINK_WIFI, today) == 400);
  CHECK(after.Used(proto::LINK_CELLULAR, today) == 5);
  CHECK(policy.BudgetLeft(proto::LINK_WIFI, after, clock.WallNow()) == 600);
  CHECK_FALSE(policy.BudgetLeft(proto::LINK_ETHERNET, after, clock.WallNow()).has_value());
  const int reads = store.reads;
  CHECK(after.Used(proto::LINK_WIFI, today) == 400);
  CHECK(store.reads == reads);  // read once, then from memory
  REQUIRE(after.Add(proto::LINK_WIFI, today, 600).ok());
  NetworkState wifi{true, "wlan0", proto::LINK_WIFI, false, "default"};
  ParkedTracker parked;
  parked.Observe(clock.Now(), 0, true);
  clock.Advance(2h);  // 23:00 local, inside the window
  CHECK(DailyBudget(&store).Used(proto::LINK_WIFI, today) == 1000);
  CHECK(policy.Decide(wifi, parked, DailyBudget(&store), clock.Now(), clock.WallNow(), 0).reason ==
        "waiting: daily wifi budget used (1000 of 1000 bytes)");
  // The next local day starts from zero.
  clock.Advance(1h);
  CHECK(policy.BudgetLeft(proto::LINK_WIFI, DailyBudget(&store), clock.WallNow()) == 1000);
  CHECK(policy.Decide(wifi, parked, DailyBudget(&store), clock.Now(), clock.WallNow(), 0).allowed);
}

TEST_CASE("Without NetworkManager on the bus the D-Bus source says unknown") {
  // This machine runs no NetworkManager (and no system bus in CI containers).
  CHECK_FALSE(MakeNetworkManagerMeteredSource()->Metered("lo").has_value());
}

}  // namespace
}  // namespace fleetclip::uploader

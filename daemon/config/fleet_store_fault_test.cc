// The fault sweep for one fleet-config persist (DESIGN.md §10): an accepted config is offered
// while the 1st, 2nd, … Nth file operation (N counted on a clean run) fails in turn with EIO and
// with ENOSPC, through a FaultFileSystem. After each: Offer returns an error naming the operation
// and the file (or only the best-effort ETag step failed and the config was kept); the config kept
// before still loads, or the new one does when Offer succeeded, never a mix; no temp file is left;
// and the next persist succeeds.
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <string>

#include "common/durable_file.h"
#include "daemon/config/config_test_support.h"
#include "daemon/config/fleet_store.h"
#include "tests/support/fault_file_system.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::config {
namespace {

namespace fs = std::filesystem;
using testing::Sign;
using testing::TestBase;
using testing::TestFleet;
using testing::TestNow;

// Names beside the config that only a write in progress leaves (".fleet_config.signed.tmp-…").
int TempFiles(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  }
  return n;
}

// The version a fresh start applies from `dir`.
uint64_t LoadedVersion(const fs::path& dir, const proto::BaseConfig& base, const Logger& log) {
  FleetConfigStore store(dir, log);
  REQUIRE(store.Load(base, TestNow()).ok());
  return store.active().version;
}

}  // namespace

TEST_CASE("Failing any one file operation of a fleet-config persist keeps the config before") {
  TempDir dir;
  MemoryLogSink sink;
  Logger log{sink};
  Ed25519PrivateKey k1 = testing::NewKey();
  const fs::path tmpl = dir.path() / "template";
  fs::create_directories(tmpl);
  const proto::BaseConfig base = TestBase({{"k1", &k1}}, tmpl.string());
  {
    FleetConfigStore store(tmpl, log);
    REQUIRE(store.Load(base, TestNow()).ok());
    REQUIRE(store.Offer(base, Sign(TestFleet(1), {{"k1", &k1}}), TestNow(), "\"v1\"").ok());
  }
  const std::string v2 = Sign(TestFleet(2), {{"k1", &k1}});
  const std::string v3 = Sign(TestFleet(3), {{"k1", &k1}});
  PosixFileSystem posix;
  fleetclip::testing::FaultFileSystem fault(posix);

  int64_t ops = 0, renamed_at = 0, persisted_at = 0;
  {
    const fs::path state = dir.path() / "count";
    fs::copy(tmpl, state, fs::copy_options::recursive);
    FleetConfigStore store(fault, state, log);
    REQUIRE(store.Load(base, TestNow()).ok());
    fault.FailNth(0, 0);
    auto offered = store.Offer(base, v2, TestNow(), "\"v2\"");
    REQUIRE(offered.ok());
    REQUIRE(offered->accepted());
    ops = fault.ops();
    // Where the config itself is renamed into place and that rename made durable; the ETag's
    // steps come after.
    const std::vector<fleetclip::testing::FsOp> history = fault.history();
    for (size_t i = 0; i < history.size(); ++i) {
      if (history[i].op == "rename" && history[i].target.ends_with(kFleetConfigFileName)) {
        renamed_at = static_cast<int64_t>(i) + 1;
      }
    }
    persisted_at = renamed_at + 1;  // the directory fsync after it
    REQUIRE(renamed_at > 0);
    REQUIRE(history[static_cast<size_t>(persisted_at) - 1].op == "fsync directory");
  }
  REQUIRE(ops > persisted_at);
  int64_t runs = 0, errors = 0, tolerated = 0;
  int run = 0;
  for (int err : {EIO, ENOSPC}) {
    for (int64_t k = 1; k <= ops; ++k) {
      const fs::path state = dir.path() / ("run" + std::to_string(run++));
      fs::copy(tmpl, state, fs::copy_options::recursive);
      FleetConfigStore store(fault, state, log);
      REQUIRE(store.Load(base, TestNow()).ok());
      fault.FailNth(k, err);
      auto offered = store.Offer(base, v2, TestNow(), "\"v2\"");
      const auto failed = fault.failed();
      fault.FailNth(0, 0);
      INFO("operation " << k << " of " << ops << " failed with " << strerror(err) << ": "
                        << (failed ? failed->Text() : "none"));
      REQUIRE(failed.has_value());
      ++runs;
      if (offered.ok()) {
        // Only the ETag's steps, after the config is durable, are best effort.
        CHECK(k > persisted_at);
        CHECK(store.active().version == 2);
        ++tolerated;
      } else {
        CHECK(k <= persisted_at);
        INFO("error: " << offered.error().ToString());
        CHECK(offered.error().message().find(failed->Text()) != std::string::npos);
        CHECK(offered.error().code() == (err == ENOSPC ? ErrorCode::kNoSpace : ErrorCode::kIo));
        CHECK(store.active().version == 1);
        ++errors;
      }
      CHECK(TempFiles(state) == 0);
      // Never a mix: the old config, or (once renamed into place, its directory fsync failing)
      // possibly the new one, which a restart then verifies and applies as it would any other.
      const uint64_t loaded = LoadedVersion(state, base, log);
      if (k <= renamed_at) {
        CHECK(loaded == 1);
      } else if (k <= persisted_at) {
        CHECK((loaded == 1 || loaded == 2));
      } else {
        CHECK(loaded == 2);
      }
      // The next persist goes through.
      REQUIRE(store.Offer(base, v3, TestNow(), "\"v3\"").ok());
      CHECK(LoadedVersion(state, base, log) == 3);
      fs::remove_all(state);
    }
  }
  std::printf(
      "fault sweep: one fleet-config persist: %lld operations x {EIO, ENOSPC}: %lld runs with one "
      "failed, %lld returned an error naming the operation and file, %lld tolerated (ETag only)\n",
      static_cast<long long>(ops), static_cast<long long>(runs), static_cast<long long>(errors),
      static_cast<long long>(tolerated));
  CHECK(runs == 2 * ops);
}

}  // namespace fleetclip::config

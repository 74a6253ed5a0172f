// StorageBudget arithmetic and eviction order on a simulated filesystem and a real store: what is
// evicted first, what is never evicted, and when the incoming clip is dropped instead.
#include "queue/storage_budget.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "queue/sqlite_db.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::queue {
namespace {
namespace fs = std::filesystem;

class FakeDisk final : public DiskSpace {
 public:
  Result<FsSpace> Space(const fs::path&) const override { return space; }
  FsSpace space{100LL << 30, 50LL << 30};
};

struct Fixture {
  TempDir dir;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink};
  FakeDisk disk;
  std::unique_ptr<ClipStore> store =
      std::move(ClipStore::Open({.state_dir = dir.path()}, clock, log).value());
  int next = 0;

  std::string Add(int priority, int64_t bytes) {
    char id[40];
    std::snprintf(id, sizeof id, "01900000-0000-7000-8000-%012d", next++);
    fs::create_directories(store->ClipDir(id));
    std::ofstream(store->ClipDir(id) / "front.mp4") << std::string(static_cast<size_t>(bytes), 'v');
    ClipRecord c;
    c.id = id;
    c.priority = priority;
    c.bytes = c.local_bytes = bytes;
    c.created_unix_ms = next;
    c.files.push_back({"front.mp4", bytes, "", false});
    REQUIRE(store->InsertClip(c).ok());
    return id;
  }
  ClipState StateOf(const std::string& id) { return store->Get(id)->state; }
};

StorageLimits Quota(int64_t bytes) {
  StorageLimits l;
  l.quota_bytes = bytes;
  l.min_free_bytes = 0;
  l.min_free_percent = 0;
  return l;
}

}  // namespace

TEST_CASE("A clip that fits under the quota evicts nothing") {
  Fixture f;
  StorageBudget budget(*f.store, f.disk, Quota(10'000), f.log);
  auto a = f.Add(10, 4000);
  REQUIRE(budget.MakeRoom(6000, 10).ok());
  CHECK(f.StateOf(a) == ClipState::kReady);
}

TEST_CASE("Uploaded clips still on disk are evicted before any ready clip") {
  Fixture f;
  StorageBudget budget(*f.store, f.disk, Quota(10'000), f.log);
  auto ready = f.Add(0, 3000);
  auto up = f.Add(50, 3000);
  {  // an uploaded clip whose folder is still there (removal pending)
    auto db = Db::Open((f.dir.path() / "queue.db").string(), false);
    REQUIRE(db->Exec("UPDATE clips SET state='uploaded' WHERE id='" + up + "'").ok());
  }
  REQUIRE(budget.MakeRoom(6000, 0).ok());  // 2000 bytes to free
  CHECK(f.StateOf(up) == ClipState::kEvicted);
  CHECK(f.StateOf(ready) == ClipState::kReady);
}

TEST_CASE("A clip being uploaded is never evicted") {
  Fixture f;
  StorageBudget budget(*f.store, f.disk, Quota(10'000), f.log);
  auto up = f.Add(0, 9000);
  REQUIRE(f.store->MarkUploading(up).ok());
  CHECK(budget.MakeRoom(6000, 50).error().code() == ErrorCode::kNoSpace);
  CHECK(f.StateOf(up) == ClipState::kUploading);
}

TEST_CASE("Ready clips go lowest priority first, then oldest first") {
  Fixture f;
  StorageBudget budget(*f.store, f.disk, Quota(10'000), f.log);
  auto p20_old = f.Add(20, 3000);
  auto p10 = f.Add(10, 3000);
  auto p20_new = f.Add(20, 3000);
  REQUIRE(budget.MakeRoom(5000, 50).ok());  // 14000 > 10000: 4000 to free -> two clips
  CHECK(f.StateOf(p10) == ClipState::kEvicted);
  CHECK(f.StateOf(p20_old) == ClipState::kEvicted);
  CHECK(f.StateOf(p20_new) == ClipState::kReady);
  CHECK_FALSE(fs::exists(f.store->ClipDir(p10)));
  CHECK(f.store->Counter(kCounterEvicted).value() == 2);
}

TEST_CASE("A pinned clip is never evicted") {
  Fixture f;
  StorageBudget budget(*f.store, f.disk, Quota(10'000), f.log);
  auto pinned = f.Add(0, 6000);
  auto other = f.Add(0, 3000);
  REQUIRE(f.store->SetPinned(pinned, true).ok());
  REQUIRE(budget.MakeRoom(3000, 0).ok());
  CHECK(f.StateOf(pinned) == ClipState::kReady);
  CHECK(f.StateOf(other) == ClipState::kEvicted);
}

TEST_CASE("An incoming clip of lower priority than everything held is dropped and counted") {
  Fixture f;
  StorageBudget budget(*f.store, f.disk, Quota(10'000), f.log);
  auto high = f.Add(80, 9000);
  Status s = budget.MakeRoom(5000, 10);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kNoSpace);
  CHECK(s.error().message().find("quota 10000") != std::string::npos);
  CHECK(f.StateOf(high) == ClipState::kReady);
  CHECK(f.store->Counter(kCounterDroppedNoSpace).value() == 1);
}

TEST_CASE("The free-space floor counts as much as the quota") {
  Fixture f;
  StorageLimits l = Quota(1LL << 40);
  l.min_free_percent = 10;  // 10 GiB of the fake 100 GiB
  f.disk.space.free_bytes = (10LL << 30) + 1000;
  StorageBudget budget(*f.store, f.disk, l, f.log);
  auto a = f.Add(0, 3000);
  REQUIRE(budget.MakeRoom(3000, 0).ok());  // 2000 below the floor -> evict a
  CHECK(f.StateOf(a) == ClipState::kEvicted);
}

TEST_CASE("Storage limits out of range are refused by field name") {
  StorageLimits l;
  l.quota_bytes = 0;
  CHECK(ValidateStorageLimits(l).error().message().find("storage.quota_bytes") !=
        std::string::npos);
  l.quota_bytes = 1;
  l.min_free_percent = 100;
  CHECK(ValidateStorageLimits(l).error().message().find("min_free_percent") != std::string::npos);
}

}  // namespace fleetclip::queue

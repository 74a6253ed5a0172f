// ClipWriter on real rings filled from a libx264 stream and a real store: the folder holds one
// MP4 per camera, signals.pb.zst and manifest.pb with matching sizes and sha256, the rows commit
// after the files, and a full disk (a real small tmpfs) leaves neither a partial clip nor a row.
#include "queue/clip_writer.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "queue/clip_test_support.h"
#include "queue/manifest.h"
#include "queue/sha256.h"
#include "queue/signal_log.h"
#include "tests/support/tmpfs_mount.h"

namespace fleetclip::queue {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The shared ring (queue/clip_test_support.h) and a state directory, by default in its temp dir.
struct Fixture : testing::RingFixture {
  explicit Fixture(const fs::path& state_dir = {})
      : state(state_dir.empty() ? dir.path() / "state" : state_dir) {}
  std::unique_ptr<ClipStore> OpenStore() {
    return std::move(
        ClipStore::Open({.state_dir = state, .reserve_bytes = 64 << 10}, clock, log).value());
  }
  fs::path state;
};

using testing::ReadAll;
using testing::Unlimited;

// Reports plenty of room so writes run into the real ENOSPC.
class LyingDisk final : public DiskSpace {
 public:
  Result<FsSpace> Space(const fs::path&) const override { return FsSpace{1LL << 40, 1LL << 40}; }
};

}  // namespace

TEST_CASE("A written clip's folder matches its manifest and its rows") {
  Fixture f;
  auto store = f.OpenStore();
  StatvfsDiskSpace disk;
  StorageBudget budget(*store, disk, Unlimited(), f.log);
  ClipWriter writer(*store, budget, {{"front", f.ring.get()}}, Fixture::Signals, f.clock, f.log,
                    {.vehicle_id = "car-7"}, 1);
  auto rec = writer.Write(writer.Cut(f.Request()));
  REQUIRE(rec.ok());
  const fs::path dir = store->ClipDir(rec->id);
  proto::ClipManifest m;
  REQUIRE(m.ParseFromString(ReadAll(dir / "manifest.pb")));
  CHECK(m.vehicle_id() == "car-7");
  CHECK(m.cameras_size() == 1);
  REQUIRE(m.files_size() == 2);
  for (const auto& file : m.files()) {
    CHECK(fs::file_size(dir / file.name()) == static_cast<uint64_t>(file.bytes()));
    CHECK(Sha256FileHex(dir / file.name()).value() == BytesToHex(file.sha256()));
  }
  auto row = store->Get(rec->id).value();
  CHECK(row.files.size() == 3);  // front.mp4, signals.pb.zst, manifest.pb
  for (const FileRecord& file : row.files) {
    // The MP4 carries the uploader's part MD5s, taken in the same read as its sha256.
    if (file.name != "front.mp4") continue;
    auto digests = FileDigestsOf(dir / file.name, kPartDigestBytes);
    REQUIRE(digests.ok());
    CHECK(file.md5_part_size == kPartDigestBytes);
    CHECK(file.part_md5_hex == digests->part_md5_hex);
    CHECK(file.part_md5_hex.size() ==
          32 * static_cast<size_t>((file.bytes + kPartDigestBytes - 1) / kPartDigestBytes));
  }
  CHECK(row.rules == "harsh_braking");
  CHECK(row.bytes == rec->bytes);
  CHECK(fs::is_empty(store->clips_dir() / ".tmp"));
}

TEST_CASE("The clip's signal log decodes to the window's frames") {
  Fixture f;
  auto store = f.OpenStore();
  StatvfsDiskSpace disk;
  StorageBudget budget(*store, disk, Unlimited(), f.log);
  ClipWriter writer(*store, budget, {{"front", f.ring.get()}}, Fixture::Signals, f.clock, f.log, {},
                    2);
  const auto req = f.Request();
  auto rec = writer.Write(writer.Cut(req));
  REQUIRE(rec.ok());
  auto frames = DecodeSignalLog(ReadAll(store->ClipDir(rec->id) / "signals.pb.zst"));
  REQUIRE(frames.ok());
  CHECK(frames->size() == Fixture::Signals(req.start, req.end).size());
}

TEST_CASE("A clip records the config version active when its window was cut") {
  Fixture f;
  auto store = f.OpenStore();
  StatvfsDiskSpace disk;
  StorageBudget budget(*store, disk, Unlimited(), f.log);
  ClipWriter writer(*store, budget, {{"front", f.ring.get()}}, Fixture::Signals, f.clock, f.log,
                    {.config_version = 3}, 4);
  const ClipJob before = writer.Cut(f.Request());
  writer.SetConfigVersion(9);
  const ClipJob after = writer.Cut(f.Request());
  auto version_of = [&](const ClipJob& job) {
    auto rec = writer.Write(job);
    REQUIRE(rec.ok());
    proto::ClipManifest m;
    REQUIRE(m.ParseFromString(ReadAll(store->ClipDir(rec->id) / "manifest.pb")));
    return m.config_version();
  };
  CHECK(version_of(before) == 3);
  CHECK(version_of(after) == 9);
}

TEST_CASE("Submitted clips are written by the writer thread and all are in on Stop") {
  Fixture f;
  auto store = f.OpenStore();
  StatvfsDiskSpace disk;
  StorageBudget budget(*store, disk, Unlimited(), f.log);
  ClipWriter writer(*store, budget, {{"front", f.ring.get()}}, Fixture::Signals, f.clock, f.log, {},
                    3);
  writer.Start();
  for (int i = 0; i < 3; ++i) writer.Submit(f.Request());
  writer.Stop();
  CHECK(writer.written() == 3);
  CHECK(writer.pending() == 0);
  ListFilter all;
  all.limit = 0;
  CHECK(store->List(all)->size() == 3);
}

TEST_CASE("A full disk leaves no partial clip and no row, and writing resumes when space returns") {
  // Without root, queue/clip_fault_test.cc covers the same through FaultFileSystem (ENOSPC at
  // every operation of a clip write); this one keeps the kernel's own full disk.
  TempDir mnt;
  testing::TmpfsMount small(mnt.path(), "size=600k");
  FLEETCLIP_SKIP_UNLESS_MOUNTED(small);
  Fixture f(mnt.path() / "state");
  auto store = f.OpenStore();
  LyingDisk disk;
  StorageBudget budget(*store, disk, Unlimited(), f.log);
  ClipWriter writer(*store, budget, {{"front", f.ring.get()}}, Fixture::Signals, f.clock, f.log, {},
                    4);
  std::vector<std::string> written;
  Error last(ErrorCode::kInternal, "no write failed");
  for (int i = 0; i < 50; ++i) {
    auto r = writer.Write(writer.Cut(f.Request()));
    if (!r.ok()) {
      last = r.error();
      break;
    }
    written.push_back(r->id);
  }
  CHECK(last.code() == ErrorCode::kNoSpace);
  CHECK(fs::is_empty(store->clips_dir() / ".tmp"));
  ListFilter all;
  all.limit = 0;
  auto rows = store->List(all).value();
  CHECK(rows.size() == written.size());
  for (const auto& c : rows) CHECK(fs::exists(store->ClipDir(c.id) / "manifest.pb"));
  CHECK(store->Counter(kCounterDroppedNoSpace).value() == 1);
  // Space returns: delete what was written, and the next clip goes in.
  for (const auto& id : written) {
    Status s = store->Delete(id);
    INFO(id << " " << (s.ok() ? "" : s.error().ToString()));
    REQUIRE(s.ok());
  }
  CHECK(writer.Write(writer.Cut(f.Request())).ok());
  CHECK(store->IntegrityCheck().value() == "ok");
}

TEST_CASE("On a small real filesystem the budget evicts older clips instead of failing") {
  // Can move to the FileSystem seam (on main): a wrapper's statvfs can report a small disk.
  TempDir mnt;
  testing::TmpfsMount small(mnt.path(), "size=4m");
  FLEETCLIP_SKIP_UNLESS_MOUNTED(small);
  Fixture f(mnt.path() / "state");
  auto store = f.OpenStore();
  StatvfsDiskSpace disk;
  StorageLimits l = Unlimited();
  l.min_free_bytes = 1 << 20;
  StorageBudget budget(*store, disk, l, f.log);
  ClipWriter writer(*store, budget, {{"front", f.ring.get()}}, Fixture::Signals, f.clock, f.log, {},
                    5);
  for (int i = 0; i < 30; ++i) {
    auto r = writer.Write(writer.Cut(f.Request()));
    INFO(i << " " << (r.ok() ? "" : r.error().ToString()));
    REQUIRE(r.ok());
  }
  CHECK(store->Counter(kCounterEvicted).value() > 0);
  CHECK(store->Counter(kCounterDroppedNoSpace).value() == 0);
}

}  // namespace fleetclip::queue

// Power cuts (DESIGN.md §10): writing, committing, deleting and evicting a clip run on a
// PowerCutFileSystem that, before the 1st, 2nd, … mutating file operation (and before and after
// the whole call), "loses power": only what was fsynced survives, file data and directory entries
// each on their own (tests/support/power_cut_fs.h). Recovery then runs on that image, in a fresh
// directory, and every clip the store had committed at the cut must be intact (every file's
// sha256 matches its manifest and its row), no partial clip may appear, and .tmp is empty.
//
// SQLite is trusted under synchronous=FULL: its files do not go through the seam, and the image
// gets queue.db and queue.db-wal as they are at the cut (a commit that returned is durable; one
// that did not is not visible). What is tested is our protocol around it: the order of writes,
// fsyncs, renames and commits.
#include <cstdio>
#include <functional>
#include <map>

#include "queue/clip_test_support.h"
#include "queue/sqlite_db.h"
#include "queue/storage_budget.h"
#include "tests/support/power_cut_fs.h"

namespace fleetclip::queue {
namespace {
namespace fs = std::filesystem;

using fleetclip::testing::PowerCutFileSystem;
using testing::ClipProblem;
using testing::CopyState;
using testing::LocalClips;
using testing::RingFixture;
using testing::StoreProblems;
using testing::TmpEmpty;
using testing::Unlimited;

StoreOptions PowerCutOptions(const fs::path& state, FileSystem* files) {
  return StoreOptions{.state_dir = state, .reserve_bytes = 64 << 10, .file_system = files};
}

// The rows that claim local files in an image's queue.db, and whether each is being removed.
std::map<std::string, bool> CommittedAt(const fs::path& image) {
  auto db = Db::Open((image / "queue.db").string(), false).value();
  auto st = db.Prepare("SELECT id,deleting FROM clips WHERE local_bytes>0").value();
  std::map<std::string, bool> out;
  while (st.Step().value()) out[st.Text(0)] = st.Int(1) != 0;
  return out;
}

struct CutReport {
  std::string name;
  int64_t cut_points = 0;
  int64_t clips_checked = 0;      // committed clips found intact after recovery, summed over cuts
  int64_t removals_finished = 0;  // clips marked for removal at the cut, gone after recovery
  int64_t adopted = 0;  // complete folders not yet committed, adopted by recovery (intact)
  ~CutReport() {
    std::printf(
        "power cut: %s: %lld cut points, %lld committed clips checked intact, %lld marked "
        "removals finished, %lld complete uncommitted clips adopted\n",
        name.c_str(), static_cast<long long>(cut_points), static_cast<long long>(clips_checked),
        static_cast<long long>(removals_finished), static_cast<long long>(adopted));
  }
};

// The act under test, on a store whose files go through `fs`.
using Act = std::function<void(ClipStore& store, FileSystem& files)>;

// Cuts the power at every point of `act` run on a copy of `tmpl`, recovers each image and checks
// it. `removed` is the clip the act removes (empty for none).
void CutEverywhere(CutReport& report, const RingFixture& ring, const fs::path& tmpl,
                   const Act& act) {
  PosixFileSystem posix;
  int64_t ops = 0;
  {
    const fs::path state = ring.dir.path() / "count";
    CopyState(tmpl, state);
    PowerCutFileSystem pc(posix, state, {"queue.db", "queue.db-wal"}, {"queue.db-shm"});
    auto store = ClipStore::Open(PowerCutOptions(state, &pc), ring.clock, ring.log).value();
    pc.CutBefore(INT64_MAX, ring.dir.path() / "unused");
    act(*store, pc);
    ops = pc.ops();
    REQUIRE_FALSE(pc.powered_off());
  }
  REQUIRE(ops > 3);
  // 0: before the call; 1..ops: before each mutating operation; ops + 1: after the call.
  for (int64_t k = 0; k <= ops + 1; ++k) {
    INFO("cut point " << k << " of " << ops + 1);
    const fs::path state = ring.dir.path() / ("state" + std::to_string(k));
    const fs::path image = ring.dir.path() / ("image" + std::to_string(k));
    CopyState(tmpl, state);
    {
      PowerCutFileSystem pc(posix, state, {"queue.db", "queue.db-wal"}, {"queue.db-shm"});
      auto store = ClipStore::Open(PowerCutOptions(state, &pc), ring.clock, ring.log).value();
      if (k == 0) {
        pc.CutNow(image);
      } else {
        pc.CutBefore(k, image);
      }
      act(*store, pc);
      if (!pc.powered_off()) pc.CutNow(image);
    }
    ++report.cut_points;
    const std::map<std::string, bool> committed = CommittedAt(image);
    auto recovered = ClipStore::Open(PowerCutOptions(image, &posix), ring.clock, ring.log);
    REQUIRE(recovered.ok());
    ClipStore& store = **recovered;
    CHECK(TmpEmpty(store));
    CHECK(StoreProblems(store).empty());
    const std::set<std::string> live = LocalClips(store);
    for (const auto& [id, removing] : committed) {
      INFO("clip " << id << (removing ? " (marked for removal)" : ""));
      if (removing) {
        CHECK_FALSE(live.contains(id));
        CHECK_FALSE(fs::exists(store.ClipDir(id)));
        ++report.removals_finished;
        continue;
      }
      REQUIRE(live.contains(id));
      CHECK(store.Get(id).value().state == ClipState::kReady);
      CHECK(ClipProblem(store.ClipDir(id)) == "");
      auto clip = store.Get(id);
      REQUIRE(clip.ok());
      for (const FileRecord& f : clip->files) {
        CHECK(Sha256FileHex(store.ClipDir(id) / f.name).value() == f.sha256_hex);
      }
      ++report.clips_checked;
    }
    for (const std::string& id : live) {
      if (committed.contains(id)) continue;
      // Not committed at the cut, yet here: only a complete folder recovery adopted.
      INFO("uncommitted clip " << id);
      CHECK(ClipProblem(store.ClipDir(id)) == "");
      ++report.adopted;
    }
    fs::remove_all(state);
    fs::remove_all(image);
  }
}

// A template state with `n` committed clips; returns their ids.
std::vector<std::string> Template(const fs::path& tmpl, const RingFixture& ring, int n) {
  PosixFileSystem posix;
  auto store = ClipStore::Open(PowerCutOptions(tmpl, &posix), ring.clock, ring.log).value();
  FileSystemDiskSpace disk(posix);
  StorageBudget budget(*store, disk, Unlimited(), ring.log);
  ClipWriter writer(*store, budget, ring.Cameras(), RingFixture::Signals, ring.clock, ring.log, {},
                    7);
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto rec = writer.Write(writer.Cut(ring.Request(10 + i)));
    REQUIRE(rec.ok());
    ids.push_back(rec->id);
  }
  return ids;
}

}  // namespace

TEST_CASE("A power cut anywhere in writing and committing a clip keeps every committed clip") {
  RingFixture ring;
  const fs::path tmpl = ring.dir.path() / "template";
  Template(tmpl, ring, 2);
  CutReport report{"write and commit one clip"};
  int64_t written = 0;
  CutEverywhere(report, ring, tmpl, [&](ClipStore& store, FileSystem& files) {
    FileSystemDiskSpace disk(files);
    StorageBudget budget(store, disk, Unlimited(), ring.log);
    ClipWriter writer(store, budget, ring.Cameras(), RingFixture::Signals, ring.clock, ring.log, {},
                      99);
    if (writer.Write(writer.Cut(ring.Request())).ok()) ++written;
  });
  // The uncut run and the cut after the call committed the clip; the report counts it as checked.
  CHECK(written == 2);
  CHECK(report.clips_checked >= 2 * report.cut_points + 1);
}

TEST_CASE("A power cut anywhere in deleting a clip leaves it whole or gone, and the rest intact") {
  RingFixture ring;
  const fs::path tmpl = ring.dir.path() / "template";
  const std::vector<std::string> ids = Template(tmpl, ring, 2);
  CutReport report{"delete one clip"};
  CutEverywhere(report, ring, tmpl,
                [&](ClipStore& store, FileSystem&) { (void)store.Delete(ids[0]); });
  CHECK(report.clips_checked >= report.cut_points + 1);
  CHECK(report.removals_finished > 0);
}

TEST_CASE(
    "A power cut anywhere in evicting a clip leaves it whole or evicted, and the rest intact") {
  RingFixture ring;
  const fs::path tmpl = ring.dir.path() / "template";
  const std::vector<std::string> ids = Template(tmpl, ring, 2);
  CutReport report{"evict one clip"};
  CutEverywhere(report, ring, tmpl,
                [&](ClipStore& store, FileSystem&) { (void)store.Evict(ids[0]); });
  CHECK(report.clips_checked >= report.cut_points + 1);
  CHECK(report.removals_finished > 0);
}

}  // namespace fleetclip::queue

// The fault sweep (DESIGN.md §10): for writing one clip, one recovery and one eviction, the 1st,
// 2nd, … Nth file operation (N counted on a clean run) fails in turn with EIO and with ENOSPC,
// through the FileSystem seam and a FaultFileSystem. After each: the call returns an error whose
// message names the operation and the file (or the failed step was best effort and the call did
// its job anyway); the clips committed before are intact; no row points at a missing file; after
// recovery .tmp is empty; and the next clip is written. No root, no tmpfs: a real SQLite file and
// real files in a temp dir, with a real libx264 stream muxed into real MP4s.
#include <cerrno>
#include <cstdio>

#include "queue/clip_test_support.h"
#include "queue/sqlite_db.h"
#include "queue/storage_budget.h"
#include "tests/support/fault_file_system.h"

namespace fleetclip::queue {
namespace {
namespace fs = std::filesystem;

using fleetclip::testing::FaultFileSystem;
using testing::ClipProblem;
using testing::CopyState;
using testing::LocalClips;
using testing::RingFixture;
using testing::StoreProblems;
using testing::TmpEmpty;
using testing::Unlimited;

constexpr int kErrnos[] = {EIO, ENOSPC};

StoreOptions Options(const fs::path& state, FileSystem* files) {
  return StoreOptions{.state_dir = state, .reserve_bytes = 64 << 10, .file_system = files};
}

// What one sweep covered, printed at its end.
struct Sweep {
  std::string name;
  int64_t ops = 0;        // operations in a clean run
  int64_t runs = 0;       // runs with one operation failed
  int64_t errors = 0;     // ... that returned an error naming the operation and the file
  int64_t tolerated = 0;  // ... where the failed step was best effort and the call succeeded
  ~Sweep() {
    std::printf(
        "fault sweep: %s: %lld operations x {EIO, ENOSPC}: %lld runs with one failed, %lld "
        "returned an error naming the operation and file, %lld tolerated (best-effort step)\n",
        name.c_str(), static_cast<long long>(ops), static_cast<long long>(runs),
        static_cast<long long>(errors), static_cast<long long>(tolerated));
  }
};

// Checks the error of a run whose `failed` operation was injected with `err`; counts it.
void CheckNamed(Sweep& sweep, const Status& result, const fleetclip::testing::FsOp& failed,
                int err) {
  ++sweep.runs;
  if (result.ok()) {
    ++sweep.tolerated;
    return;
  }
  INFO("error: " << result.error().ToString());
  CHECK(result.error().message().find(failed.Text()) != std::string::npos);
  CHECK(result.error().code() == (err == ENOSPC ? ErrorCode::kNoSpace : ErrorCode::kIo));
  ++sweep.errors;
}

// A writer over `store` whose budget reads free space through `fs`.
struct Writing {
  Writing(ClipStore& store, FileSystem& files, const RingFixture& ring, uint64_t seed)
      : disk(files),
        budget(store, disk, Unlimited(), ring.log),
        writer(store, budget, ring.Cameras(), RingFixture::Signals, ring.clock, ring.log, {},
               seed) {}
  FileSystemDiskSpace disk;
  StorageBudget budget;
  ClipWriter writer;
};

// Writes one clip into the store at `state` (POSIX) and returns its id.
std::string WriteOneClip(const fs::path& state, const RingFixture& ring, uint64_t seed,
                         int priority = 50) {
  PosixFileSystem posix;
  auto store = ClipStore::Open(Options(state, &posix), ring.clock, ring.log).value();
  Writing w(*store, posix, ring, seed);
  auto rec = w.writer.Write(w.writer.Cut(ring.Request(priority)));
  REQUIRE(rec.ok());
  return rec->id;
}

// After recovery: `kept` intact and ready, rows and folders agree, .tmp empty, the next clip goes
// in. Returns the recovered store's live clips.
std::set<std::string> CheckRecoveredAndWriteNext(const fs::path& state, const RingFixture& ring,
                                                 const std::set<std::string>& kept, uint64_t seed) {
  PosixFileSystem posix;
  auto reopened = ClipStore::Open(Options(state, &posix), ring.clock, ring.log);
  REQUIRE(reopened.ok());
  ClipStore& store = **reopened;
  CHECK(TmpEmpty(store));
  CHECK(StoreProblems(store).empty());
  for (const std::string& id : kept) {
    INFO("committed clip " << id);
    CHECK(store.Get(id).value().state == ClipState::kReady);
    CHECK(ClipProblem(store.ClipDir(id)) == "");
  }
  const std::set<std::string> live = LocalClips(store);
  Writing w(store, posix, ring, seed);
  auto next = w.writer.Write(w.writer.Cut(ring.Request()));
  REQUIRE(next.ok());
  CHECK(ClipProblem(store.ClipDir(next->id)) == "");
  return live;
}

}  // namespace

TEST_CASE("Failing any one file operation of a clip write loses nothing and names the file") {
  RingFixture ring;
  const fs::path tmpl = ring.dir.path() / "template";
  const std::string kept = WriteOneClip(tmpl, ring, 1);
  PosixFileSystem posix;
  FaultFileSystem fault(posix);
  Sweep sweep{"write one clip"};
  // A clean run counts the operations.
  {
    const fs::path state = ring.dir.path() / "count";
    CopyState(tmpl, state);
    auto store = ClipStore::Open(Options(state, &fault), ring.clock, ring.log).value();
    Writing w(*store, fault, ring, 2);
    const ClipJob job = w.writer.Cut(ring.Request());
    fault.FailNth(0, 0);
    REQUIRE(w.writer.Write(job).ok());
    sweep.ops = fault.ops();
  }
  REQUIRE(sweep.ops > 10);
  int run = 0;
  for (int err : kErrnos) {
    for (int64_t k = 1; k <= sweep.ops; ++k) {
      const fs::path state = ring.dir.path() / ("run" + std::to_string(run++));
      CopyState(tmpl, state);
      std::string written;
      {
        auto store = ClipStore::Open(Options(state, &fault), ring.clock, ring.log).value();
        Writing w(*store, fault, ring, 100 + static_cast<uint64_t>(run));
        const ClipJob job = w.writer.Cut(ring.Request());
        fault.FailNth(k, err);
        auto r = w.writer.Write(job);
        const auto failed = fault.failed();
        fault.FailNth(0, 0);
        INFO("operation " << k << " of " << sweep.ops << " failed with " << strerror(err) << ": "
                          << (failed ? failed->Text() : "none"));
        REQUIRE(failed.has_value());
        CheckNamed(sweep, r.ok() ? Ok() : Status(r.error()), *failed, err);
        if (r.ok()) written = r->id;
        // Before any restart: the kept clip is intact and every row's files are there.
        CHECK(ClipProblem(store->ClipDir(kept)) == "");
        CHECK(StoreProblems(*store).empty());
        CHECK(LocalClips(*store).size() == (r.ok() ? 2u : 1u));
      }
      INFO("operation " << k << " with " << strerror(err) << ", after recovery");
      std::set<std::string> expect = {kept};
      if (!written.empty()) expect.insert(written);
      // A failed write leaves no clip behind, not even one that recovery could adopt.
      CHECK(CheckRecoveredAndWriteNext(state, ring, expect, 900) == expect);
      fs::remove_all(state);
    }
  }
  CHECK(sweep.runs == 2 * sweep.ops);
}

TEST_CASE("Failing any one file operation of recovery loses no committed clip") {
  RingFixture ring;
  const fs::path tmpl = ring.dir.path() / "template";
  const std::string kept = WriteOneClip(tmpl, ring, 1);
  const std::string deleting = WriteOneClip(tmpl, ring, 2);
  const std::string orphan = WriteOneClip(tmpl, ring, 3);
  const std::string lost = WriteOneClip(tmpl, ring, 4);
  {
    // What a crash leaves: a deletion marked but not done, a folder whose rows never committed,
    // a row whose video is gone, and a half-written clip in .tmp.
    auto db = Db::Open((tmpl / "queue.db").string(), false).value();
    REQUIRE(db.Exec("PRAGMA foreign_keys=ON").ok());  // the rows of a clip go with it
    REQUIRE(db.Exec("UPDATE clips SET deleting=1 WHERE id='" + deleting + "'").ok());
    REQUIRE(db.Exec("DELETE FROM clips WHERE id='" + orphan + "'").ok());
  }
  fs::remove(tmpl / "clips" / lost / "front.mp4");
  fs::create_directories(tmpl / "clips" / ".tmp" / "half");
  std::ofstream(tmpl / "clips" / ".tmp" / "half" / "front.mp4") << "partial";

  PosixFileSystem posix;
  FaultFileSystem fault(posix);
  Sweep sweep{"one recovery"};
  {
    const fs::path state = ring.dir.path() / "count";
    CopyState(tmpl, state);
    fault.FailNth(0, 0);
    auto opened = ClipStore::Open(Options(state, &fault), ring.clock, ring.log);
    INFO((opened.ok() ? "" : opened.error().ToString()));
    REQUIRE(opened.ok());
    sweep.ops = fault.ops();
  }
  REQUIRE(sweep.ops > 10);
  int run = 0;
  for (int err : kErrnos) {
    for (int64_t k = 1; k <= sweep.ops; ++k) {
      const fs::path state = ring.dir.path() / ("run" + std::to_string(run++));
      CopyState(tmpl, state);
      fault.FailNth(k, err);
      auto opened = ClipStore::Open(Options(state, &fault), ring.clock, ring.log);
      const auto failed = fault.failed();
      fault.FailNth(0, 0);
      INFO("operation " << k << " of " << sweep.ops << " failed with " << strerror(err) << ": "
                        << (failed ? failed->Text() : "none"));
      REQUIRE(failed.has_value());
      CheckNamed(sweep, opened.ok() ? Ok() : Status(opened.error()), *failed, err);
      opened = Error(ErrorCode::kCancelled, "closed");  // the next start recovers again
      const std::set<std::string> live =
          CheckRecoveredAndWriteNext(state, ring, {kept, orphan}, 900);
      CHECK(live == std::set<std::string>{kept, orphan});
      {
        PosixFileSystem p;
        auto store = ClipStore::Open(Options(state, &p), ring.clock, ring.log).value();
        CHECK(store->Get(deleting).error().code() == ErrorCode::kNotFound);
        CHECK(store->Get(lost).value().state == ClipState::kLost);
      }
      fs::remove_all(state);
    }
  }
  CHECK(sweep.runs == 2 * sweep.ops);
}

TEST_CASE("Failing any one file operation of an eviction keeps every other clip") {
  RingFixture ring;
  const fs::path tmpl = ring.dir.path() / "template";
  const std::string victim = WriteOneClip(tmpl, ring, 1, 10);
  const std::string kept = WriteOneClip(tmpl, ring, 2, 90);
  int64_t used = 0;
  {
    auto store = ClipStore::Open(Options(tmpl, nullptr), ring.clock, ring.log).value();
    used = store->LocalBytes().value();
  }
  // Room for one more byte only by evicting the low-priority clip.
  StorageLimits limits = Unlimited();
  limits.quota_bytes = used;
  PosixFileSystem posix;
  FaultFileSystem fault(posix);
  Sweep sweep{"one eviction"};
  {
    const fs::path state = ring.dir.path() / "count";
    CopyState(tmpl, state);
    auto store = ClipStore::Open(Options(state, &fault), ring.clock, ring.log).value();
    FileSystemDiskSpace disk(fault);
    StorageBudget budget(*store, disk, limits, ring.log);
    fault.FailNth(0, 0);
    REQUIRE(budget.MakeRoom(1, 50).ok());
    REQUIRE(store->Get(victim).value().state == ClipState::kEvicted);
    sweep.ops = fault.ops();
  }
  REQUIRE(sweep.ops > 3);
  int run = 0;
  for (int err : kErrnos) {
    for (int64_t k = 1; k <= sweep.ops; ++k) {
      const fs::path state = ring.dir.path() / ("run" + std::to_string(run++));
      CopyState(tmpl, state);
      {
        auto store = ClipStore::Open(Options(state, &fault), ring.clock, ring.log).value();
        FileSystemDiskSpace disk(fault);
        StorageBudget budget(*store, disk, limits, ring.log);
        fault.FailNth(k, err);
        Status r = budget.MakeRoom(1, 50);
        const auto failed = fault.failed();
        fault.FailNth(0, 0);
        INFO("operation " << k << " of " << sweep.ops << " failed with " << strerror(err) << ": "
                          << (failed ? failed->Text() : "none"));
        REQUIRE(failed.has_value());
        CheckNamed(sweep, r, *failed, err);
        CHECK(ClipProblem(store->ClipDir(kept)) == "");
        // The victim is whole, or marked for deletion (recovery finishes it), or evicted.
        CHECK(StoreProblems(*store, {victim}).empty());
        const ClipRecord v = store->Get(victim).value();
        if (v.state == ClipState::kReady) {
          auto db = Db::Open((state / "queue.db").string(), true).value();
          const bool marked =
              db.QueryInt("SELECT deleting FROM clips WHERE id='" + victim + "'").value() != 0;
          if (!marked) CHECK(ClipProblem(store->ClipDir(victim)) == "");
        } else {
          CHECK(v.state == ClipState::kEvicted);
          CHECK_FALSE(fs::exists(store->ClipDir(victim)));
        }
      }
      const std::set<std::string> live = CheckRecoveredAndWriteNext(state, ring, {kept}, 900);
      CHECK(live.contains(kept));
      CHECK(live.size() <= 2);
      fs::remove_all(state);
    }
  }
  CHECK(sweep.runs == 2 * sweep.ops);
}

}  // namespace fleetclip::queue

// The queue survives SIGKILL at any point of clip writing and queue updates: a writer process
// (queue_crash_writer) is killed at random moments over and over on one state directory; after
// each kill the store is reopened (recovery) and checked: PRAGMA integrity_check is ok, every clip
// the writer reported committed and did not start to remove is there (evicted by policy, or with
// every file matching its sha256), the temp area is empty, no row points at a missing file and no
// folder is left without its row.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <sstream>

#include "queue/clip_store.h"
#include "queue/sha256.h"
#include "tests/support/media.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip {
namespace {
namespace fs = std::filesystem;

constexpr int kKills = 110;

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child Spawn(const fs::path& state, const fs::path& video, uint64_t seed) {
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  const std::string seed_s = std::to_string(seed);
  const std::string writer = testing::InBuildTree(FLEETCLIP_CRASH_WRITER);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(p[1], 1);
    ::execl(writer.c_str(), writer.c_str(), state.c_str(), video.c_str(), seed_s.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(p[1]);
  return {pid, p[0]};
}

// Reads what the child writes until it has reported `lines` steps (0: from the start), then for
// `extra_ms` more, then kills it and reads the rest. Waiting for reported steps rather than for a
// fixed time since the spawn keeps the kills spread over the writer's work however loaded the
// machine is (exec and the first open can take longer than any fixed delay); `extra_ms` puts
// the kill at a random moment inside the next step. Bounded: at most 20 s per run.
std::string RunAndKill(Child c, int lines, int extra_ms) {
  std::string out;
  char buf[4096];
  struct pollfd pfd {
    c.out, POLLIN, 0
  };
  auto reported = [&] { return static_cast<int>(std::count(out.begin(), out.end(), '\n')); };
  int budget_ms = 20'000;
  int left = extra_ms;
  bool eof = false;
  while (!eof && budget_ms > 0 && (reported() < lines || left > 0)) {
    const int slice = reported() < lines ? 10 : std::min(left, 10);
    const int r = ::poll(&pfd, 1, slice);
    if (r > 0) {
      ssize_t n = ::read(c.out, buf, sizeof buf);
      if (n <= 0) eof = true;
      if (n > 0) out.append(buf, static_cast<size_t>(n));
    }
    if (reported() >= lines) left -= slice;
    budget_ms -= slice;
  }
  ::kill(c.pid, SIGKILL);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  while (true) {
    ssize_t n = ::read(c.out, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(c.out);
  return out;
}

}  // namespace

TEST_CASE("The queue is consistent after 100+ SIGKILLs during clip writes and queue updates") {
  TempDir dir;
  const fs::path video = dir.path() / "cam.mkv";
  testing::MakeTestVideo(video, {.width = 160, .height = 120, .seconds = 2, .gop = 15});
  const fs::path state = dir.path() / "state";
  FakeClock clock;
  MemoryLogSink sink;
  Logger log(sink);
  std::mt19937_64 rng(20260101);
  std::set<std::string> committed, removing;
  int runs_with_commits = 0;
  for (int i = 0; i < kKills; ++i) {
    // A quarter of the kills land from the start (exec, open, recovery, the first write), the
    // rest after one to three reported steps, anywhere in the next 60 ms of work.
    const int steps = static_cast<int>(rng() % 4);
    const int extra_ms =
        steps == 0 ? 30 + static_cast<int>(rng() % 220) : static_cast<int>(rng() % 60);
    const std::string out = RunAndKill(Spawn(state, video, rng()), steps, extra_ms);
    std::istringstream lines(out);
    std::string what, id;
    bool any = false;
    while (lines >> what >> id) {
      (what == "committed" ? committed : removing).insert(id);
      any |= what == "committed";
    }
    runs_with_commits += any ? 1 : 0;

    auto store =
        queue::ClipStore::Open({.state_dir = state, .reserve_bytes = 64 << 10}, clock, log);
    REQUIRE(store.ok());
    REQUIRE((*store)->IntegrityCheck().value() == "ok");
    REQUIRE(fs::is_empty(state / "clips/.tmp"));
    for (const std::string& cid : committed) {
      if (removing.contains(cid)) continue;
      auto c = (*store)->Get(cid);
      INFO("kill " << i << " clip " << cid);
      REQUIRE(c.ok());
      if (c->state == queue::ClipState::kEvicted) continue;
      REQUIRE(c->state == queue::ClipState::kReady);
      for (const auto& f : c->files) {
        REQUIRE(queue::Sha256FileHex((*store)->ClipDir(cid) / f.name).value() == f.sha256_hex);
      }
    }
    queue::ListFilter all;
    all.limit = 0;
    std::set<std::string> live;
    auto rows = (*store)->List(all);
    REQUIRE(rows.ok());
    for (const auto& c : *rows) {
      if (c.local_bytes == 0) continue;
      live.insert(c.id);
      auto full = (*store)->Get(c.id).value();
      for (const auto& f : full.files) {
        INFO("kill " << i << " clip " << c.id << " file " << f.name);
        REQUIRE(fs::file_size((*store)->ClipDir(c.id) / f.name) == static_cast<uint64_t>(f.bytes));
      }
    }
    for (const auto& e : fs::directory_iterator(state / "clips")) {
      const std::string name = e.path().filename().string();
      INFO("kill " << i << " folder " << name);
      REQUIRE((name == ".tmp" || live.contains(name)));
    }
  }
  INFO("committed " << committed.size() << " clips over " << kKills << " kills");
  CHECK(runs_with_commits > kKills / 4);
  CHECK(committed.size() > 50);
}

}  // namespace fleetclip

// Builds a queue database of N clips for bench/queue.sh: the schema from ClipStore itself, then
// rows inserted in one transaction (clips in every state, three rules, one event and three files
// each), as a car would hold after weeks of driving. No clip folders are written.
//   queue_gen STATE_DIR N
#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "queue/clip_id.h"
#include "queue/clip_store.h"

using namespace fleetclip;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: queue_gen STATE_DIR N\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long n = std::stol(argv[2]);
  FakeClock clock;
  FdLogSink sink(2);
  Logger log(sink, LogLevel::kError);
  {
    auto store = queue::ClipStore::Open({.state_dir = dir, .reserve_bytes = 0}, clock, log);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
      return 1;
    }
  }
  sqlite3* db = nullptr;
  if (sqlite3_open((dir + "/queue.db").c_str(), &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt *clip, *event, *file;
  sqlite3_prepare_v2(
      db,
      "INSERT INTO clips(id,state,priority,bytes,local_bytes,created_unix_ms,"
      "window_start_unix_ms,duration_ms,rules) VALUES(?1,?2,?3,?4,?5,?6,?6,45000,?7)",
      -1, &clip, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO events(clip_id,seq,rule,source,fired_unix_ms,priority,peak) "
                     "VALUES(?1,0,?2,'rule',?3,?4,-4.2)",
                     -1, &event, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO files(clip_id,name,bytes,sha256) VALUES(?1,?2,?3,?4)", -1,
                     &file, nullptr);
  const char* kStates[] = {"uploaded", "uploaded", "uploaded", "ready",
                           "failed",   "evicted",  "lost"};
  const char* kRules[] = {"harsh_braking", "disengagement", "steering_jerk"};
  const char* kFiles[] = {"front.mp4", "signals.pb.zst", "manifest.pb"};
  queue::ClipIdGenerator ids(7);
  const int64_t t0 = 1'767'225'600'000;
  for (long i = 0; i < n; ++i) {
    const int64_t t = t0 + i * 20'000;
    const std::string id = ids.Next(WallTime(std::chrono::milliseconds(t)));
    const char* state = kStates[i % 7];
    const char* rule = kRules[i % 3];
    const int64_t bytes = 50'000'000 + (i % 1000) * 1000;
    const bool local = std::string(state) == "ready" || std::string(state) == "failed";
    sqlite3_bind_text(clip, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(clip, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(clip, 3, static_cast<int>(i % 101));
    sqlite3_bind_int64(clip, 4, bytes);
    sqlite3_bind_int64(clip, 5, local ? bytes : 0);
    sqlite3_bind_int64(clip, 6, t);
    sqlite3_bind_text(clip, 7, rule, -1, SQLITE_STATIC);
    sqlite3_step(clip);
    sqlite3_reset(clip);
    sqlite3_bind_text(event, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(event, 2, rule, -1, SQLITE_STATIC);
    sqlite3_bind_int64(event, 3, t);
    sqlite3_bind_int(event, 4, static_cast<int>(i % 101));
    sqlite3_step(event);
    sqlite3_reset(event);
    for (const char* f : kFiles) {
      sqlite3_bind_text(file, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(file, 2, f, -1, SQLITE_STATIC);
      sqlite3_bind_int64(file, 3, bytes / 3);
      sqlite3_bind_text(file, 4, "0000000000000000000000000000000000000000000000000000000000000000",
                        -1, SQLITE_STATIC);
      sqlite3_step(file);
      sqlite3_reset(file);
    }
  }
  sqlite3_finalize(clip);
  sqlite3_finalize(event);
  sqlite3_finalize(file);
  const int rc = sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE", nullptr,
                              nullptr, nullptr);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : 1;
}

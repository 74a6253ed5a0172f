// ClipStore on a real SQLite file in a temp state dir: schema and migrations, the uploader's
// transitions and resume state, the delete protocol and recovery at open.
#include "queue/clip_store.h"

#include <grp.h>
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "proto/clip_manifest.pb.h"
#include "queue/schema.h"
#include "queue/sha256.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::queue {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

ListFilter Filter(std::optional<ClipState> state, std::string rule, int64_t since, int limit) {
  ListFilter f;
  f.state = state;
  f.rule = std::move(rule);
  f.since_unix_ms = since;
  f.limit = limit;
  return f;
}

struct Fixture {
  TempDir dir;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink};
  int next = 0;

  std::unique_ptr<ClipStore> Open(bool recover = true) {
    auto s = ClipStore::Open({.state_dir = dir.path(), .recover = recover}, clock, log);
    REQUIRE(s.ok());
    return std::move(*s);
  }

  // Writes a folder with one file and returns its record (not inserted).
  ClipRecord MakeClip(ClipStore& store, int priority, std::string rule = "harsh_braking") {
    char id[40];
    std::snprintf(id, sizeof id, "01900000-0000-7000-8000-%012d", next++);
    const fs::path d = store.ClipDir(id);
    fs::create_directories(d);
    const std::string payload(1000, 'x');
    std::ofstream(d / "front.mp4", std::ios::binary) << payload;
    ClipRecord c;
    c.id = id;
    c.priority = priority;
    c.bytes = c.local_bytes = 1000;
    c.created_unix_ms = 1'767'225'600'000 + next;
    c.rules = rule;
    EventRecord e;
    e.rule = rule;
    e.source = "rule";
    e.fired_unix_ms = c.created_unix_ms;
    e.priority = priority;
    c.events.push_back(e);
    c.files.push_back({"front.mp4", 1000, Sha256Hex(payload), false});
    return c;
  }
  ClipRecord Insert(ClipStore& store, int priority, std::string rule = "harsh_braking") {
    ClipRecord c = MakeClip(store, priority, std::move(rule));
    REQUIRE(store.InsertClip(c).ok());
    return c;
  }
};

}  // namespace

TEST_CASE("A new store is at the current schema version, in WAL mode, and sound") {
  Fixture f;
  auto store = f.Open();
  CHECK(store->IntegrityCheck().value() == "ok");
  auto db = Db::Open((f.dir.path() / "queue.db").string(), true);
  REQUIRE(db.ok());
  CHECK(db->QueryInt("PRAGMA user_version").value() == kSchemaVersion);
  auto mode = db->Prepare("PRAGMA journal_mode");
  REQUIRE(mode->Step().value());
  CHECK(mode->Text(0) == "wal");
}

TEST_CASE("A version-1 database migrates to the current schema and keeps its clips") {
  Fixture f;
  {
    fs::create_directories(f.dir.path() / "clips");
    auto db = Db::Open((f.dir.path() / "queue.db").string(), false);
    REQUIRE(MigrateTo(*db, 1).ok());
    REQUIRE(db->Exec("INSERT INTO clips(id,state,priority,bytes,local_bytes,created_unix_ms,"
                     "window_start_unix_ms,duration_ms) VALUES('a','failed',5,10,0,1,1,1)")
                .ok());
  }
  auto store = f.Open();
  auto c = store->Get("a");
  REQUIRE(c.ok());
  CHECK(c->state == ClipState::kFailed);
  CHECK(store->Counter(kCounterEvicted).value() == 0);
}

TEST_CASE("FileDigestsOf takes the sha256 and the MD5 of every part in one read") {
  TempDir dir;
  std::string bytes(2 * (1 << 20) + 3, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  const fs::path path = dir.path() / "f.bin";
  std::ofstream(path, std::ios::binary) << bytes;
  auto md5 = [](std::string_view s) {
    unsigned char out[16];
    unsigned int len = 0;
    EVP_Digest(s.data(), s.size(), out, &len, EVP_md5(), nullptr);
    return BytesToHex(std::string_view(reinterpret_cast<const char*>(out), len));
  };
  // 768 KiB parts: boundaries fall inside the 1 MiB read blocks; the last part is short.
  const int64_t part = 768 << 10;
  Result<FileDigests> d = FileDigestsOf(path, part);
  REQUIRE(d.ok());
  CHECK(d->sha256_hex == Sha256Hex(bytes));
  CHECK(d->md5_part_size == part);
  std::string want;
  for (size_t at = 0; at < bytes.size(); at += part)
    want += md5(std::string_view(bytes).substr(at, part));
  CHECK(d->part_md5_hex == want);
  CHECK(d->part_md5_hex.size() == 3 * 32);
  // Exactly one part, and an empty file (one MD5, of nothing).
  CHECK(FileDigestsOf(path, static_cast<int64_t>(bytes.size()))->part_md5_hex == md5(bytes));
  std::ofstream(dir.path() / "empty", std::ios::binary);
  CHECK(FileDigestsOf(dir.path() / "empty", part)->part_md5_hex == md5(""));
  CHECK(FileDigestsOf(path, 0)->part_md5_hex.empty());
}

TEST_CASE("A file's part MD5s are stored with the clip and come back with it") {
  Fixture f;
  auto store = f.Open();
  ClipRecord c = f.MakeClip(*store, 10);
  c.files[0].md5_part_size = kPartDigestBytes;
  c.files[0].part_md5_hex = std::string(32, 'a');
  REQUIRE(store->InsertClip(c).ok());
  store.reset();
  store = f.Open();
  Result<ClipRecord> got = store->Get(c.id);
  REQUIRE(got.ok());
  CHECK(got->files[0].md5_part_size == kPartDigestBytes);
  CHECK(got->files[0].part_md5_hex == std::string(32, 'a'));
  auto due = store->UploadCandidates(f.clock.WallNow(), 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].files[0].part_md5_hex == std::string(32, 'a'));
}

TEST_CASE("A database newer than this build is refused with both versions named") {
  Fixture f;
  {
    auto db = Db::Open((f.dir.path() / "queue.db").string(), false);
    REQUIRE(db->Exec("PRAGMA user_version=99").ok());
  }
  auto s = ClipStore::Open({.state_dir = f.dir.path()}, f.clock, f.log);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message().find("99") != std::string::npos);
}

TEST_CASE("Upload candidates come by priority, then oldest first, and skip clips not yet due") {
  Fixture f;
  auto store = f.Open();
  auto low_old = f.Insert(*store, 10);
  auto high = f.Insert(*store, 80);
  auto low_new = f.Insert(*store, 10);
  auto later = f.Insert(*store, 90);
  REQUIRE(store->ScheduleRetry(later.id, f.clock.WallNow() + 1h, "503").ok());
  auto c = store->UploadCandidates(f.clock.WallNow(), 10);
  REQUIRE(c.ok());
  REQUIRE(c->size() == 3);
  CHECK((*c)[0].id == high.id);
  CHECK((*c)[1].id == low_old.id);
  CHECK((*c)[2].id == low_new.id);
  CHECK((*c)[0].files.size() == 1);
  CHECK((*c)[0].events.size() == 1);
}

TEST_CASE("A retry counts the attempt and keeps the error text") {
  Fixture f;
  auto store = f.Open();
  auto c = f.Insert(*store, 10);
  REQUIRE(store->MarkUploading(c.id).ok());
  REQUIRE(store->ScheduleRetry(c.id, f.clock.WallNow() + 10s, "connection reset").ok());
  auto got = store->Get(c.id).value();
  CHECK(got.state == ClipState::kReady);
  CHECK(got.attempts == 1);
  CHECK(got.last_error == "connection reset");
}

TEST_CASE("Marking uploaded removes the local folder and keeps the row as uploaded") {
  Fixture f;
  auto store = f.Open();
  auto c = f.Insert(*store, 10);
  REQUIRE(store->MarkUploading(c.id).ok());
  REQUIRE(store->MarkUploaded(c.id).ok());
  CHECK_FALSE(fs::exists(store->ClipDir(c.id)));
  auto got = store->Get(c.id).value();
  CHECK(got.state == ClipState::kUploaded);
  CHECK(got.local_bytes == 0);
}

TEST_CASE("Marking a clip uploaded that is not uploading names its state") {
  Fixture f;
  auto store = f.Open();
  auto c = f.Insert(*store, 10);
  Status s = store->MarkUploaded(c.id);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kInvalidArgument);
  CHECK(s.error().message().find("is ready, expected uploading") != std::string::npos);
  CHECK(store->MarkUploading("nope").error().code() == ErrorCode::kNotFound);
}

TEST_CASE("A failed clip comes back to ready with retry") {
  Fixture f;
  auto store = f.Open();
  auto c = f.Insert(*store, 10);
  REQUIRE(store->MarkFailed(c.id, "403 Forbidden").ok());
  CHECK(store->Get(c.id)->state == ClipState::kFailed);
  CHECK(store->Retry(c.id).value() == 1);
  auto got = store->Get(c.id).value();
  CHECK(got.state == ClipState::kReady);
  CHECK(got.attempts == 0);
}

TEST_CASE("Multipart resume state survives reopening and is cleared on demand") {
  Fixture f;
  ClipRecord c;
  {
    auto store = f.Open();
    c = f.Insert(*store, 10);
    REQUIRE(store->SetUploadId(c.id, "front.mp4", "upl-1", 8 << 20).ok());
    REQUIRE(store->AddUploadedPart(c.id, "front.mp4", 2, 8 << 20, "\"e2\"").ok());
    REQUIRE(store->AddUploadedPart(c.id, "front.mp4", 1, 8 << 20, "\"e1\"").ok());
  }
  auto store = f.Open();
  auto st = store->GetUploadState(c.id, "front.mp4");
  REQUIRE(st.ok());
  CHECK(st->upload_id == "upl-1");
  CHECK(st->part_size == 8 << 20);
  REQUIRE(st->parts.size() == 2);
  CHECK(st->parts[0].etag == "\"e1\"");
  REQUIRE(store->ClearUploadState(c.id, "front.mp4").ok());
  CHECK(store->GetUploadState(c.id, "front.mp4")->upload_id.empty());
  CHECK(store->GetUploadState(c.id, "front.mp4")->parts.empty());
}

TEST_CASE("An uploaded part for a file the clip does not have is refused") {
  Fixture f;
  auto store = f.Open();
  auto c = f.Insert(*store, 10);
  CHECK(store->AddUploadedPart(c.id, "rear.mp4", 1, 1, "e").error().code() == ErrorCode::kNotFound);
  CHECK(store->AddUploadedPart(c.id, "front.mp4", 0, 1, "e").error().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("Recovery empties the temp area") {
  Fixture f;
  { auto store = f.Open(); }
  fs::create_directories(f.dir.path() / "clips/.tmp/x");
  std::ofstream(f.dir.path() / "clips/.tmp/x/front.mp4") << "partial";
  auto store = f.Open();
  CHECK(fs::is_empty(f.dir.path() / "clips/.tmp"));
}

TEST_CASE("Recovery marks a clip whose files vanished as lost") {
  Fixture f;
  ClipRecord c;
  {
    auto store = f.Open();
    c = f.Insert(*store, 10);
  }
  fs::remove(f.dir.path() / "clips" / c.id / "front.mp4");
  auto store = f.Open();
  auto got = store->Get(c.id).value();
  CHECK(got.state == ClipState::kLost);
  CHECK(got.local_bytes == 0);
  CHECK_FALSE(fs::exists(store->ClipDir(c.id)));
}

TEST_CASE("Recovery removes an orphan folder that has no manifest") {
  Fixture f;
  ClipRecord c;
  {
    auto store = f.Open();
    c = f.MakeClip(*store, 10);  // folder written, rows never inserted
  }
  auto store = f.Open();
  CHECK_FALSE(fs::exists(store->ClipDir(c.id)));
  CHECK(store->Get(c.id).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("Recovery adopts a complete orphan folder, with the part MD5s of its files") {
  Fixture f;
  ClipRecord c;
  {
    auto store = f.Open();
    c = f.MakeClip(*store, 10);  // folder written, then a crash before the rows
    proto::ClipManifest m;
    m.set_format_version(1);
    m.set_clip_id(c.id);
    m.set_priority(10);
    proto::ClipFile* file = m.add_files();
    file->set_name("front.mp4");
    file->set_bytes(1000);
    file->set_sha256(HexToBytes(c.files[0].sha256_hex));
    std::ofstream(store->ClipDir(c.id) / "manifest.pb", std::ios::binary) << m.SerializeAsString();
  }
  auto store = f.Open();
  Result<ClipRecord> got = store->Get(c.id);
  REQUIRE(got.ok());
  CHECK(got->state == ClipState::kReady);
  const auto front = std::find_if(got->files.begin(), got->files.end(),
                                  [](const FileRecord& r) { return r.name == "front.mp4"; });
  REQUIRE(front != got->files.end());
  CHECK(front->md5_part_size == kPartDigestBytes);
  CHECK(front->part_md5_hex ==
        FileDigestsOf(store->ClipDir(c.id) / "front.mp4", kPartDigestBytes)->part_md5_hex);
  CHECK(front->part_md5_hex.size() == 32);
}

TEST_CASE("Recovery does not adopt an orphan whose manifest names a file outside its folder") {
  Fixture f;
  ClipRecord c;
  fs::path victim;
  {
    auto store = f.Open();
    c = f.MakeClip(*store, 10);  // folder written, then a crash before the rows
    victim = store->ClipDir(c.id).parent_path().parent_path() / "victim.bin";
    fs::copy_file(store->ClipDir(c.id) / "front.mp4", victim);
    proto::ClipManifest m;
    m.set_format_version(1);
    m.set_clip_id(c.id);
    proto::ClipFile* file = m.add_files();
    file->set_name("../../victim.bin");  // same bytes and sha256 as front.mp4: only the name is bad
    file->set_bytes(1000);
    file->set_sha256(HexToBytes(c.files[0].sha256_hex));
    std::ofstream(store->ClipDir(c.id) / "manifest.pb", std::ios::binary) << m.SerializeAsString();
  }
  auto store = f.Open();
  CHECK(store->Get(c.id).error().code() == ErrorCode::kNotFound);
  CHECK(fs::exists(victim));
}

TEST_CASE("Recovery finishes a deletion that was marked before a crash") {
  Fixture f;
  ClipRecord c;
  {
    auto store = f.Open();
    c = f.Insert(*store, 10);
  }
  {
    auto db = Db::Open((f.dir.path() / "queue.db").string(), false);
    REQUIRE(db->Exec("UPDATE clips SET deleting=1").ok());
  }
  auto store = f.Open();
  CHECK(store->Get(c.id).error().code() == ErrorCode::kNotFound);
  CHECK_FALSE(fs::exists(store->ClipDir(c.id)));
}

TEST_CASE("Recovery puts an interrupted upload back to ready") {
  Fixture f;
  ClipRecord c;
  {
    auto store = f.Open();
    c = f.Insert(*store, 10);
    REQUIRE(store->MarkUploading(c.id).ok());
  }
  auto store = f.Open();
  CHECK(store->Get(c.id)->state == ClipState::kReady);
}

TEST_CASE("Listing is newest first and filters by state, rule and time") {
  Fixture f;
  auto store = f.Open();
  auto a = f.Insert(*store, 10, "harsh_braking");
  auto b = f.Insert(*store, 20, "disengagement");
  auto c = f.Insert(*store, 30, "harsh_braking");
  REQUIRE(store->MarkFailed(c.id, "x").ok());
  auto all = store->List({}).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == c.id);
  CHECK(store->List(Filter({}, "harsh_braking", 0, 50))->size() == 2);
  CHECK(store->List(Filter(ClipState::kFailed, "", 0, 50))->size() == 1);
  CHECK(store->List(Filter({}, "", b.created_unix_ms, 50))->size() == 2);
  CHECK(store->List(Filter({}, "", 0, 1))->size() == 1);
  (void)a;
}

TEST_CASE("Stats count clips and bytes by state and by rule") {
  Fixture f;
  auto store = f.Open();
  f.Insert(*store, 10, "harsh_braking");
  auto b = f.Insert(*store, 20, "disengagement");
  REQUIRE(store->MarkFailed(b.id, "x").ok());
  auto st = store->GetStats().value();
  CHECK(st.by_state[0].first == "ready");
  CHECK(st.by_state[0].second.clips == 1);
  CHECK(st.by_state[3].second.clips == 1);
  CHECK(st.by_state[3].second.bytes == 1000);
  REQUIRE(st.by_rule.size() == 2);
  CHECK(st.by_rule[0].first == "disengagement");
  CHECK(st.local_bytes == 2000);
  REQUIRE(st.oldest_waiting.has_value());
}

TEST_CASE("Deleting a clip removes its folder and its rows") {
  Fixture f;
  auto store = f.Open();
  auto c = f.Insert(*store, 10);
  REQUIRE(store->Delete(c.id).ok());
  CHECK_FALSE(fs::exists(store->ClipDir(c.id)));
  CHECK(store->Get(c.id).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("A read-only store lists what a writer committed") {
  Fixture f;
  auto writer = f.Open();
  f.Insert(*writer, 10);
  auto reader = ClipStore::Open({.state_dir = f.dir.path(), .read_only = true}, f.clock, f.log);
  REQUIRE(reader.ok());
  CHECK((*reader)->List({})->size() == 1);
  f.Insert(*writer, 10);
  CHECK((*reader)->List({})->size() == 2);
}

TEST_CASE("A reader that may not write the state dir lists the queue after the daemon stopped") {
  // The packaged layout: the daemon's user owns /var/lib/fleetclip, engineers in its group only
  // read. With the daemon stopped SQLite would have deleted queue.db-wal and -shm, which such a
  // reader cannot re-create; the writer keeps them (SQLITE_FCNTL_PERSIST_WAL) so it need not.
  Fixture f;
  {
    auto writer = f.Open();
    f.Insert(*writer, 10);
  }
  REQUIRE(fs::exists(f.dir.path() / "queue.db-wal"));
  REQUIRE(fs::exists(f.dir.path() / "queue.db-shm"));
  // Root ignores permission bits, so as root the reader runs as nobody; otherwise the bits alone
  // take write access away.
  const auto read_only = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  const auto exec = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  for (const char* name : {"queue.db", "queue.db-wal", "queue.db-shm"}) {
    fs::permissions(f.dir.path() / name, read_only);
  }
  fs::permissions(f.dir.path(), read_only | exec);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
         ::setresuid(65534, 65534, 65534) != 0)) {
      ::_exit(20);
    }
    auto reader = ClipStore::Open({.state_dir = f.dir.path(), .read_only = true}, f.clock, f.log);
    if (!reader.ok()) {
      std::fprintf(stderr, "reader: %s\n", reader.error().ToString().c_str());
      ::_exit(21);
    }
    auto clips = (*reader)->List({});
    ::_exit(clips.ok() && clips->size() == 1 ? 0 : 22);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  fs::permissions(f.dir.path(), fs::perms::owner_all);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace fleetclip::queue

// ClipStore recovery at open: brings the clip folders and the rows back in line after a crash or
// power cut, in this order:
//   1. finish deletions that were marked but not done (the delete protocol's mark);
//   2. empty clips/.tmp/ (clips that were never renamed into place were never promised);
//   3. put `uploading` rows back to `ready` (no upload survives a restart; parts are kept);
//   4. rows that claim local files whose folder or files are missing or of the wrong size -> lost;
//   5. folders with no row: adopt when manifest.pb lists files that are all present with their
//      sha256 (the crash came between the rename and the insert), else remove.
// Every file operation goes through the store's FileSystem. An I/O error while checking is never
// taken for a missing or corrupt file: recovery stops with the error and removes nothing it could
// not read (a clip is marked lost, or an orphan removed, only on kNotFound or a failed check).
#include <map>
#include <set>

#include "common/durable_file.h"
#include "common/file_system.h"
#include "queue/clip_id.h"
#include "queue/clip_store_impl.h"
#include "queue/manifest.h"
#include "queue/sha256.h"

namespace fleetclip::queue {
namespace fs = std::filesystem;

namespace {

// A manifest lists a handful of files; anything near this size is not one of ours.
constexpr size_t kMaxManifestBytes = 1 << 20;

// What a failed check means: the folder is not a whole clip (kNotFound, kCorruption), or the
// check itself could not run (anything else: I/O, no space).
bool ProvesIncomplete(const Error& e) {
  return e.code() == ErrorCode::kNotFound || e.code() == ErrorCode::kCorruption ||
         e.code() == ErrorCode::kInvalidArgument;
}

// The clip's files as listed in its manifest, all present with their size and sha256.
Result<ClipRecord> AdoptableRecord(FileSystem& fs, const fs::path& dir) {
  auto read = ReadWholeFile(fs, dir / std::string(kManifestName), kMaxManifestBytes);
  if (!read.ok()) return read.error();
  const std::string& bytes = *read;
  proto::ClipManifest m;
  if (!m.ParseFromString(bytes)) return Error(ErrorCode::kCorruption, "manifest.pb does not parse");
  if (Status s = CheckManifest(m); !s.ok()) return s.error();  // before any name becomes a path
  if (m.clip_id() != dir.filename().string()) {
    return Error(ErrorCode::kCorruption, "manifest clip_id " + m.clip_id() + " differs");
  }
  std::map<std::string, FileDigests> digests;  // by name; the part MD5s come with the same read
  for (const auto& f : m.files()) {
    auto d = FileDigestsOf(fs, dir / f.name(), kPartDigestBytes);
    if (!d.ok()) return d.error();
    if (d->sha256_hex != BytesToHex(f.sha256())) {
      return Error(ErrorCode::kCorruption, f.name() + " fails its sha256");
    }
    digests[f.name()] = std::move(*d);
  }
  ClipRecord rec = RecordFromManifest(m, bytes);
  for (FileRecord& fr : rec.files) {
    if (auto d = digests.find(fr.name); d != digests.end()) {
      fr.md5_part_size = d->second.md5_part_size;
      fr.part_md5_hex = std::move(d->second.part_md5_hex);
    }
  }
  return rec;
}

// Whether every file is there with its size; an error when that cannot be told.
Result<bool> FilesIntact(FileSystem& fs, const fs::path& dir,
                         const std::vector<FileRecord>& files) {
  for (const FileRecord& f : files) {
    auto st = fs.Stat(dir / f.name);
    if (!st.ok()) {
      if (st.error().code() == ErrorCode::kNotFound) return false;
      return st.error();
    }
    if (st->is_dir || st->bytes != f.bytes) return false;
  }
  return true;
}

}  // namespace

Status ClipStore::Impl::RecoverLocked() {
  // 1. Interrupted deletions.
  {
    auto st = db_.Prepare("SELECT id,deleting FROM clips WHERE deleting<>0");
    if (!st.ok()) return st.error();
    std::vector<std::pair<std::string, int>> pending;
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      pending.emplace_back(st->Text(0), static_cast<int>(st->Int(1)));
    }
    for (const auto& [id, after] : pending) {
      if (Status s = RemoveBundleLocked(id, static_cast<AfterRemoval>(after)); !s.ok()) return s;
      log_.Notice("recovery_finished_delete", {{"clip", id}});
    }
  }
  // 2. The temp area.
  const fs::path tmp = clips_dir_ / ".tmp";
  auto tmp_entries = fs_.ListDir(tmp);
  if (!tmp_entries.ok()) return tmp_entries.error();
  int removed_tmp = 0;
  for (const DirEntry& e : *tmp_entries) {
    if (Status s = RemoveTree(fs_, tmp / e.name); !s.ok()) return s;
    ++removed_tmp;
  }
  if (removed_tmp > 0) {
    if (Status s = fs_.SyncDir(tmp); !s.ok()) return s;
    log_.Notice("recovery_removed_temp", {{"entries", removed_tmp}});
  }
  // 3. Uploads in flight.
  if (Status s = db_.Exec("UPDATE clips SET state='ready' WHERE state='uploading'"); !s.ok()) {
    return s;
  }
  // 4. Rows whose files are gone.
  std::set<std::string> live;
  {
    auto st = db_.Prepare("SELECT id FROM clips WHERE local_bytes>0");
    if (!st.ok()) return st.error();
    std::vector<std::string> ids;
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      ids.push_back(st->Text(0));
    }
    auto lost = db_.Prepare(
        "UPDATE clips SET state='lost',local_bytes=0,last_error='files missing at start' WHERE "
        "id=?1");
    if (!lost.ok()) return lost.error();
    for (const std::string& id : ids) {
      auto clip = GetLocked(id, true);
      if (!clip.ok()) return clip.error();
      auto intact = FilesIntact(fs_, clips_dir_ / id, clip->files);
      if (!intact.ok()) return intact.error();
      if (*intact) {
        live.insert(id);
        continue;
      }
      lost->Reset();
      if (Status s = lost->Bind(1, id).Run(); !s.ok()) return s;
      log_.Warn("recovery_clip_lost", {{"clip", id}});
    }
  }
  // 5. Folders without a live row: adopt or remove.
  bool removed_any = false;
  auto entries = fs_.ListDir(clips_dir_);
  if (!entries.ok()) return entries.error();
  for (const DirEntry& e : *entries) {
    const std::string& name = e.name;
    const fs::path path = clips_dir_ / name;
    if (name == ".tmp" || live.contains(name)) continue;
    auto row = GetLocked(name, false);
    if (!row.ok() && row.error().code() == ErrorCode::kNotFound && IsClipId(name)) {
      auto rec = AdoptableRecord(fs_, path);
      if (!rec.ok() && !ProvesIncomplete(rec.error())) {
        return rec.error().WithContext("check orphan clip " + name);
      }
      if (rec.ok()) {
        if (rec->created_unix_ms == 0) rec->created_unix_ms = ClipIdUnixMs(name).value_or(0);
        if (Status s = InsertClipLocked(*rec); !s.ok()) return s;
        log_.Notice("recovery_adopted_clip", {{"clip", name}, {"bytes", rec->bytes}});
        continue;
      }
      log_.Warn("recovery_removed_orphan", {{"clip", name}, {"reason", rec.error().message()}});
    } else if (!row.ok() && row.error().code() != ErrorCode::kNotFound) {
      return row.error();
    } else {
      log_.Warn("recovery_removed_orphan", {{"path", path.string()}, {"reason", "no live row"}});
    }
    if (Status s = RemoveTree(fs_, path); !s.ok()) return s;
    removed_any = true;
  }
  if (removed_any) return fs_.SyncDir(clips_dir_);
  return Ok();
}

}  // namespace fleetclip::queue

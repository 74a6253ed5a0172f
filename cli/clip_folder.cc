// Finding and reading a clip folder for the viewing commands. See cli/clip_folder.h.
#include "cli/clip_folder.h"

#include <fstream>
#include <sstream>

#include "queue/sha256.h"
#include "queue/signal_log.h"

namespace fleetclip::cli {
namespace fs = std::filesystem;

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open " + path.string(), errno);
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::kIo, "read " + path.string() + " failed");
  return std::move(s).str();
}

Result<ClipFolder> ReadClipFolder(const fs::path& dir) {
  Result<std::string> bytes = ReadWholeFile(dir / "manifest.pb");
  if (!bytes.ok()) return bytes.error();
  ClipFolder c;
  c.dir = dir;
  if (!c.manifest.ParseFromString(*bytes)) {
    return Error(ErrorCode::kCorruption, (dir / "manifest.pb").string() + " is not a ClipManifest");
  }
  return c;
}

Result<ClipFolder> OpenClipFolder(std::string_view clip, const QueueArgs& args,
                                  CommandContext& ctx) {
  const fs::path as_path(clip);
  std::error_code ec;
  if (fs::is_directory(as_path, ec)) {
    if (!fs::exists(as_path / "manifest.pb", ec)) {
      return Error(ErrorCode::kNotFound,
                   "CLIP " + as_path.string() + " is a folder without a manifest.pb");
    }
    return ReadClipFolder(as_path);
  }
  queue::StoreOptions o;
  o.state_dir = args.state_dir;
  o.read_only = true;
  o.recover = false;
  o.reserve_bytes = 0;
  o.file_system = ctx.file_system;
  auto store = queue::ClipStore::Open(o, ctx.clock, ctx.log);
  if (!store.ok()) {
    return Error(store.error().code(), "CLIP \"" + std::string(clip) +
                                           "\" is not a folder, and the queue cannot be read: " +
                                           store.error().message());
  }
  auto record = (*store)->Get(clip);
  if (!record.ok()) return record.error();
  const fs::path dir = (*store)->ClipDir(record->id);
  if (!fs::exists(dir / "manifest.pb", ec)) {
    return Error(ErrorCode::kNotFound, "clip " + record->id + " is " +
                                           std::string(queue::ClipStateName(record->state)) +
                                           " and has no local files (" + dir.string() + ")");
  }
  return ReadClipFolder(dir);
}

Result<std::vector<proto::SignalFrame>> ReadClipSignals(const ClipFolder& clip) {
  if (clip.manifest.signals_file().empty()) return std::vector<proto::SignalFrame>{};
  Result<std::string> bytes = ReadWholeFile(clip.dir / clip.manifest.signals_file());
  if (!bytes.ok()) return bytes.error();
  auto frames = queue::DecodeSignalLog(*bytes);
  if (!frames.ok()) {
    return Error(frames.error().code(),
                 clip.manifest.signals_file() + ": " + frames.error().message());
  }
  return frames;
}

std::vector<FileCheck> VerifyClipFiles(const ClipFolder& clip) {
  std::vector<FileCheck> out;
  for (const proto::ClipFile& f : clip.manifest.files()) {
    FileCheck c;
    c.name = f.name();
    c.bytes = f.bytes();
    c.sha256_hex = queue::BytesToHex(f.sha256());
    const fs::path p = clip.dir / f.name();
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) {
      c.problem = "missing";
    } else if (static_cast<int64_t>(size) != f.bytes()) {
      c.problem = "size " + std::to_string(size) + " differs from the manifest's " +
                  std::to_string(f.bytes());
    } else if (auto sha = queue::Sha256FileHex(p); !sha.ok()) {
      c.problem = sha.error().message();
    } else if (*sha != c.sha256_hex) {
      c.problem = "sha256 " + *sha + " differs from the manifest's";
    } else {
      c.verified = true;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fleetclip::cli

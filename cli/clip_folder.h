// What `fleetclip signals`, `mcap`, `report` and `fetch` share: finding a clip the user named and
// reading it. CLIP is a clip id in the local queue, a clip folder (`clips/<id>/`), or any folder
// holding a manifest.pb (an export, a download). Everything is read from the folder's own files,
// so a clip pulled from object storage is read exactly like one still in the queue.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/queue_cli.h"
#include "common/result.h"
#include "proto/clip_manifest.pb.h"
#include "proto/signal_frame.pb.h"

namespace fleetclip::cli {

struct ClipFolder {
  std::filesystem::path dir;  // holds manifest.pb and the files it lists
  proto::ClipManifest manifest;
};

// A folder when `clip` names one, else the queue's clips/<id>/ (the store opened read-only from
// `args`). kNotFound names what was tried; kCorruption when manifest.pb does not parse.
Result<ClipFolder> OpenClipFolder(std::string_view clip, const QueueArgs& args,
                                  CommandContext& ctx);
// Reads manifest.pb of `dir`.
Result<ClipFolder> ReadClipFolder(const std::filesystem::path& dir);

// The clip's decoded signal log; empty when the manifest names no signals file.
Result<std::vector<proto::SignalFrame>> ReadClipSignals(const ClipFolder& clip);

// A whole file.
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

// One file of the manifest checked against the disk.
struct FileCheck {
  std::string name;
  int64_t bytes = 0;       // the manifest's size
  std::string sha256_hex;  // the manifest's digest
  bool verified = false;   // present, same size, same sha256
  std::string problem;     // why not, for people ("missing", "sha256 differs: …")
};
// Hashes every file the manifest lists.
std::vector<FileCheck> VerifyClipFiles(const ClipFolder& clip);

}  // namespace fleetclip::cli

// Durable file writes: the building blocks of every "it is on disk when this returns" promise.
// A file becomes visible under its final name only complete and fsynced: write a temp file in the
// same directory, fsync it, rename it into place, fsync the directory. ENOSPC comes back as
// ErrorCode::kNoSpace and no partial file is left under either name.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace fleetclip {

// A unique temp name beside `final_path` (same directory, so rename is atomic): ".<name>.tmp-<n>".
std::filesystem::path TempPathFor(const std::filesystem::path& final_path);

// fsync of an existing file or directory.
Status FsyncPath(const std::filesystem::path& path);

// rename(2), then fsync of the destination's directory (and the source's, when it differs).
Status RenameDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes `data` under `path` atomically and durably (temp, fsync, rename, fsync dir).
Status WriteFileDurably(const std::filesystem::path& path, std::string_view data);

// Creates `dir` and missing parents, fsyncing each directory that gained an entry.
Status CreateDirsDurably(const std::filesystem::path& dir);

}  // namespace fleetclip

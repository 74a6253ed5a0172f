// Durable file writes: the building blocks of every "it is on disk when this returns" promise.
// A file becomes visible under its final name only complete and fsynced: write a temp file in the
// same directory, fsync it, rename it into place, fsync the directory. ENOSPC comes back as
// ErrorCode::kNoSpace and no partial file is left under either name.
//
// Each step goes through a FileSystem (common/file_system.h), so tests can fail any one of them or
// cut the power between two. The overloads without one use the POSIX file system directly (tools
// and paths outside the queue and the fleet-config store).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/result.h"

namespace fleetclip {

// A unique temp name beside `final_path` (same directory, so rename is atomic): ".<name>.tmp-<n>".
std::filesystem::path TempPathFor(const std::filesystem::path& final_path);

// fsync of an existing file or directory.
Status FsyncPath(const std::filesystem::path& path);

// rename(2), then fsync of the destination's directory (and the source's, when it differs).
Status RenameDurably(FileSystem& disk, const std::filesystem::path& from,
                     const std::filesystem::path& to);
Status RenameDurably(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes `data` under `path` atomically and durably (temp, fsync, rename, fsync dir).
Status WriteFileDurably(FileSystem& disk, const std::filesystem::path& path, std::string_view data);
Status WriteFileDurably(const std::filesystem::path& path, std::string_view data);

// Creates `dir` and missing parents, fsyncing each directory that gained an entry.
Status CreateDirsDurably(FileSystem& disk, const std::filesystem::path& dir);
Status CreateDirsDurably(const std::filesystem::path& dir);

// Removes `path` and everything under it (unlink and rmdir, depth first; nothing there is Ok).
// Not durable by itself: fsync the parent afterwards.
Status RemoveTree(FileSystem& disk, const std::filesystem::path& path);

// The whole file; kInvalidArgument naming the path and the limit when it is over `max_bytes`.
Result<std::string> ReadWholeFile(FileSystem& disk, const std::filesystem::path& path,
                                  size_t max_bytes);

}  // namespace fleetclip

// A clip's manifest.pb and its database rows are two views of one thing; this turns the first into
// the second (the clip writer commits what it wrote; recovery adopts an orphan folder from its
// manifest alone). Private to queue/.
#pragma once

#include <string>

#include "proto/clip_manifest.pb.h"
#include "queue/clip_store.h"

namespace fleetclip::queue {

inline constexpr std::string_view kManifestName = "manifest.pb";
inline constexpr std::string_view kSignalsName = "signals.pb.zst";

inline constexpr size_t kMaxManifestFileNameBytes = 255;     // NAME_MAX
inline constexpr int64_t kMaxManifestFileBytes = 1LL << 50;  // far above any clip file

// What recovery must know before a manifest found on disk is trusted as rows and paths: format
// version 1; every listed file a plain name inside the clip folder (1..255 bytes, no '/', NUL,
// "." or "..", not manifest.pb itself), listed once, with 0..2^50 bytes and a 32-byte sha256.
// kCorruption names the file (by index and name), the value and the bound.
Status CheckManifest(const proto::ClipManifest& m);

// The rows for a clip whose manifest.pb (serialized as `manifest_bytes`) lists its other files.
// Defined for any manifest (times and sizes wrap rather than overflow); meaningful for one that
// passes CheckManifest.
ClipRecord RecordFromManifest(const proto::ClipManifest& m, std::string_view manifest_bytes);

}  // namespace fleetclip::queue

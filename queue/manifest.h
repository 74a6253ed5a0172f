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

// The rows for a clip whose manifest.pb (serialized as `manifest_bytes`) lists its other files.
ClipRecord RecordFromManifest(const proto::ClipManifest& m, std::string_view manifest_bytes);

}  // namespace fleetclip::queue

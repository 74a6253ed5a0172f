// ClipMuxer: a snapshot of packets becomes a playable MP4 on disk, the way FFmpeg's remux.c does
// it: stream copy, codec_tag chosen for players (avc1 / hvc1), timestamps rescaled to start at 0,
// trailer always written. The file is written under a temp name, fsynced, renamed into place and
// its directory fsynced, so when MuxClip returns ok the clip is durable; on any error nothing is
// left under the final name and the temp file is removed. Every file operation goes through the
// FileSystem seam (common/file_system.h); a write error comes back as the seam's error, naming the
// file and the call.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "codec/packet_ring.h"
#include "common/file_system.h"
#include "common/result.h"

namespace fleetclip {

struct MuxedClip {
  std::filesystem::path path;
  int64_t bytes = 0;  // file size
  int64_t packets = 0;
  MonoTime first_time{};  // capture time of the first packet (a keyframe)
  MonoTime last_time{};
  Nanos media_duration{0};  // presentation span of the file, last frame's duration included
};

// Thread-safe: independent calls may run concurrently. The snapshot must start on a keyframe
// (PacketRing::Take guarantees it) and hold stream info.
// `fs` must be safe for concurrent use (every FileSystem is).
Result<MuxedClip> MuxClip(FileSystem& fs, const Snapshot& snapshot,
                          const std::filesystem::path& path);
// The same on the POSIX file system (tools, examples, benchmarks).
Result<MuxedClip> MuxClip(const Snapshot& snapshot, const std::filesystem::path& path);

// Muxes several cameras' snapshots of one window, `parallelism` at a time (muxing and write-back
// overlap), snapshots[i] into paths[i]. Returns one result per snapshot, in order.
std::vector<Result<MuxedClip>> MuxClips(FileSystem& fs, const std::vector<Snapshot>& snapshots,
                                        const std::vector<std::filesystem::path>& paths,
                                        int parallelism);
std::vector<Result<MuxedClip>> MuxClips(const std::vector<Snapshot>& snapshots,
                                        const std::vector<std::filesystem::path>& paths,
                                        int parallelism);

}  // namespace fleetclip

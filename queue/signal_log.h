// signals.pb.zst: a clip's signal frames, columnar (proto/signal_log.proto) and zstd-compressed
// with its content checksum, so a flipped bit fails loudly instead of decoding to wrong values.
// Decoding gives back the frames: same times, sequence numbers, names, flags and texts; numbers
// exact when they have at most 6 decimals, else within 5e-7 (see signal_log.proto). Within a
// frame, values come back in column order (first appearance), not necessarily as sent.
// Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proto/signal_frame.pb.h"

namespace fleetclip::queue {

inline constexpr int kSignalLogZstdLevel = 3;
inline constexpr int kSignalLogMaxDecimals = 6;

// The compressed bytes of signals.pb.zst.
Result<std::string> EncodeSignalLog(const std::vector<proto::SignalFrame>& frames,
                                    int zstd_level = kSignalLogZstdLevel);
// kCorruption when the checksum, the columns or the protobuf do not add up.
Result<std::vector<proto::SignalFrame>> DecodeSignalLog(std::string_view compressed);

}  // namespace fleetclip::queue

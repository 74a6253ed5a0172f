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
// Bounds the decoder holds a log to, so that a corrupt or hostile file cannot make it allocate
// more than a small multiple of what its bytes hold: every name and text is copied into each
// frame that carries it. Ingest accepts texts of 64 bytes and catalogue names far below these.
inline constexpr size_t kSignalLogMaxNameBytes = 256;
inline constexpr size_t kSignalLogMaxTextBytes = 4096;

// The compressed bytes of signals.pb.zst.
Result<std::string> EncodeSignalLog(const std::vector<proto::SignalFrame>& frames,
                                    int zstd_level = kSignalLogZstdLevel);
// kCorruption when the checksum, the columns or the protobuf do not add up, naming the field and
// the byte offset within it; a frame count or run is checked against the bytes that must hold it
// before anything is allocated for it. Any input decodes without signed overflow.
Result<std::vector<proto::SignalFrame>> DecodeSignalLog(std::string_view compressed);

}  // namespace fleetclip::queue

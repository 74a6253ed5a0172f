// A clip's signal log as a table: one row per frame, one column per signal name (in order of first
// appearance), a cell empty where a frame does not carry the signal. `fleetclip signals` prints
// it; the report and the MCAP writer read their series from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/clip_manifest.pb.h"
#include "proto/signal_frame.pb.h"

namespace fleetclip::cli {

struct SignalColumnInfo {
  std::string name;
  proto::SignalValue::ValueCase kind;  // of its first value
};

// Signal names in order of first appearance, with the kind of their first value.
std::vector<SignalColumnInfo> SignalColumns(const std::vector<proto::SignalFrame>& frames);

// A frame's wall time (ms since the epoch) through the manifest's mono<->wall mapping.
int64_t FrameUnixMs(const proto::TimeMapping& mapping, int64_t mono_ns);

// The shortest decimal that reads back as `v` ("null" for NaN and infinities in JSON's sense).
std::string ShortestNumber(double v);

// The number a plot draws for a value: numbers as they are, flags as 0/1, text: none.
std::optional<double> PlotValue(const proto::SignalValue& v);

// `fleetclip signals` output: CSV with the columns mono_ns,unix_ms,seq,producer,<signal>...
// (producer empty for an unnamed one; flags 0/1,
// text as written and quoted where needed, empty where a frame lacks the signal), and the JSON
// document fleetclip.signals/1.
std::string SignalsCsv(const proto::ClipManifest& manifest,
                       const std::vector<proto::SignalFrame>& frames);
std::string SignalsJson(const proto::ClipManifest& manifest,
                        const std::vector<proto::SignalFrame>& frames);

}  // namespace fleetclip::cli

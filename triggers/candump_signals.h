// A candump log read as signal frames: each line decoded by a DBC, translated by a map
// (triggers/can_translator.h) and turned into a SignalFrame with the log's own time (ns since
// the log's epoch, unchanged) and the log's interface name (can0) as its producer. What `fleetclip
// replay --candump` sends and what the offline rule test runs over. Without a map, every DBC signal
// whose name, lowercased, is a catalogue name is taken as that signal (a DBC written for fleetclip
// needs no map).
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "can/candump.h"
#include "can/signal_map.h"
#include "common/result.h"
#include "proto/signal_frame.pb.h"
#include "triggers/can_translator.h"
#include "triggers/recorded_source.h"

namespace fleetclip::triggers {

// Map entries for the DBC signals that are named like catalogue signals.
std::vector<can::SignalMapEntry> DefaultCanMap(const can::Dbc& dbc, const SignalCatalog& catalog);

class CandumpSignalReader {
 public:
  // `map_path` empty: DefaultCanMap. `catalog` must outlive the reader.
  static Result<CandumpSignalReader> Open(const std::filesystem::path& log,
                                          const std::filesystem::path& dbc,
                                          const std::filesystem::path& map_path,
                                          const SignalCatalog& catalog);

  // The next frame that carried a mapped value; nullopt at the end. A bad line is an error
  // naming the file and line.
  Result<std::optional<proto::SignalFrame>> Next();

  CanTranslateStats stats() const { return translator_.stats(); }
  const CanTranslator& translator() const { return translator_; }

 private:
  CandumpSignalReader(can::CandumpReader reader, CanTranslator translator,
                      const SignalCatalog& catalog)
      : reader_(std::move(reader)), translator_(std::move(translator)), catalog_(&catalog) {}

  can::CandumpReader reader_;
  CanTranslator translator_;
  const SignalCatalog* catalog_;
  can::CandumpRecord record_;
  DecodedFrame decoded_;
  uint64_t seq_ = 0;
};

// A candump log as an input of the offline run (`fleetclip rules test --candump`): each translated
// frame is offered to ingest as the datagram the CAN gateway would send for it, at the log's time.
class CandumpSource final : public RecordedSource {
 public:
  static Result<CandumpSource> Open(const std::filesystem::path& log,
                                    const std::filesystem::path& dbc,
                                    const std::filesystem::path& map_path,
                                    const SignalCatalog& catalog);

  Result<bool> Advance() override;
  int64_t mono_ns() const override { return mono_ns_; }
  void Offer(SignalIngest& ingest) override;
  const std::string& name() const override { return name_; }
  // The log's frames so far, as the daemon's status counts a bus's (frames, unknown ids, …).
  CanTranslateStats stats() const { return reader_.stats(); }

 private:
  CandumpSource(std::string name, CandumpSignalReader reader)
      : name_(std::move(name)), reader_(std::move(reader)) {}

  std::string name_;
  CandumpSignalReader reader_;
  std::string bytes_;
  int64_t mono_ns_ = 0;
};

}  // namespace fleetclip::triggers

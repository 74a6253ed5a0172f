// candump logs as signal frames (triggers/candump_signals.h).
#include "triggers/candump_signals.h"

#include <cctype>
#include <memory>

#include "triggers/can_gateway.h"

namespace fleetclip::triggers {

std::vector<can::SignalMapEntry> DefaultCanMap(const can::Dbc& dbc, const SignalCatalog& catalog) {
  std::vector<can::SignalMapEntry> out;
  for (const can::DbcMessage& m : dbc.messages) {
    for (const can::DbcSignal& s : m.signals) {
      std::string lower = s.name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!catalog.Find(lower)) continue;
      out.push_back({m.name + "." + s.name, lower, 1, dbc.file + ": " + m.name + "." + s.name});
    }
  }
  return out;
}

Result<CandumpSignalReader> CandumpSignalReader::Open(const std::filesystem::path& log,
                                                      const std::filesystem::path& dbc_path,
                                                      const std::filesystem::path& map_path,
                                                      const SignalCatalog& catalog) {
  auto dbc = can::LoadDbc(dbc_path);
  if (!dbc.ok()) return dbc.error();
  auto shared = std::make_shared<const can::Dbc>(std::move(*dbc));
  std::vector<can::SignalMapEntry> map;
  if (map_path.empty()) {
    map = DefaultCanMap(*shared, catalog);
    if (map.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   dbc_path.native() +
                       ": no DBC signal is named like a catalogue signal; give a "
                       "map (DBC_SIGNAL CATALOGUE_NAME [SCALE] per line)");
    }
  } else {
    auto loaded = can::LoadSignalMap(map_path);
    if (!loaded.ok()) return loaded.error();
    map = std::move(*loaded);
  }
  // The DBC's own counters, as the daemon's gateway checks them (without a config there is no
  // checksum algorithm, so no frame is dropped here).
  auto checks = can::ResolveChecks(*shared, {}, "", "");
  if (!checks.ok()) return checks.error();
  auto translator = CanTranslator::Create(shared, map, catalog, *checks);
  if (!translator.ok()) return translator.error();
  auto reader = can::CandumpReader::Open(log);
  if (!reader.ok()) return reader.error();
  return CandumpSignalReader(std::move(*reader), std::move(*translator), catalog);
}

Result<std::optional<proto::SignalFrame>> CandumpSignalReader::Next() {
  while (true) {
    Result<bool> more = reader_.Next(record_);
    if (!more.ok()) return more.error();
    if (!*more) return std::optional<proto::SignalFrame>();
    if (!translator_.Translate(record_.frame, decoded_)) continue;
    std::optional<proto::SignalFrame> frame(std::in_place);
    ToSignalFrame(decoded_, *catalog_, ++seq_, record_.interface, *frame);
    return frame;
  }
}

Result<CandumpSource> CandumpSource::Open(const std::filesystem::path& log,
                                          const std::filesystem::path& dbc,
                                          const std::filesystem::path& map_path,
                                          const SignalCatalog& catalog) {
  auto reader = CandumpSignalReader::Open(log, dbc, map_path, catalog);
  if (!reader.ok()) return reader.error();
  return CandumpSource(log.native(), std::move(*reader));
}

Result<bool> CandumpSource::Advance() {
  auto next = reader_.Next();
  if (!next.ok()) return next.error();
  if (!next->has_value()) return false;
  mono_ns_ = (*next)->mono_ns();
  bytes_.clear();
  (*next)->SerializeToString(&bytes_);
  return true;
}

void CandumpSource::Offer(SignalIngest& ingest) { ingest.Offer(bytes_, /*truncated=*/false); }

}  // namespace fleetclip::triggers

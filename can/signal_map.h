// Which DBC signals a car's producer feeds into the catalogue, under which name, and with which
// unit scale: `ESP_vehicleSpeed speed 0.277778` turns km/h into the catalogue's m/s. A DBC holds
// hundreds of signals; only mapped ones become signal values. The same entries come from the base
// config (SignalConfig.can[].map) or, for `fleetclip replay` and `rules test`, from a map file:
//   # comment
//   ESP_vehicleSpeed          speed     0.277778
//   ESP_Status.ESP_brakeLamp  brake                 (Message.Signal when a name is not unique)
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip::can {

struct SignalMapEntry {
  std::string dbc_signal;  // "Signal" or "Message.Signal"
  std::string signal;      // catalogue name
  double scale = 1;        // the physical value is multiplied by it (numbers only)
  std::string where;       // "map.txt:3" or "signals.can[0].map[2]", for messages
};

// Parses a map file's text. Errors name `file` and the line.
Result<std::vector<SignalMapEntry>> ParseSignalMap(std::string_view text, std::string_view file);
Result<std::vector<SignalMapEntry>> LoadSignalMap(const std::filesystem::path& path);

}  // namespace fleetclip::can

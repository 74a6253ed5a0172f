// Map files (can/signal_map.h): one entry per line, whitespace-separated.
#include "can/signal_map.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace fleetclip::can {

Result<std::vector<SignalMapEntry>> ParseSignalMap(std::string_view text, std::string_view file) {
  std::vector<SignalMapEntry> out;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      const size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
      if (i > start) fields.push_back(line.substr(start, i - start));
    }
    if (fields.empty()) continue;
    const std::string where = std::string(file) + ":" + std::to_string(line_no);
    if (fields.size() < 2 || fields.size() > 3) {
      return Error(ErrorCode::kInvalidArgument,
                   where + ": expected \"DBC_SIGNAL CATALOGUE_NAME [SCALE]\", got " +
                       std::to_string(fields.size()) + " fields");
    }
    SignalMapEntry e;
    e.dbc_signal = fields[0];
    e.signal = fields[1];
    e.where = where;
    if (fields.size() == 3) {
      const std::string_view v = fields[2];
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), e.scale);
      if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(e.scale) ||
          e.scale == 0) {
        return Error(ErrorCode::kInvalidArgument, where + ": scale must be a finite non-zero " +
                                                      "number, got \"" + std::string(v) + "\"");
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<SignalMapEntry>> LoadSignalMap(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open CAN signal map " + path.native(), errno);
  std::ostringstream buf;
  buf << in.rdbuf();
  return ParseSignalMap(buf.str(), path.native());
}

}  // namespace fleetclip::can

// Signal names, times and number formatting shared by the viewing commands. See signal_table.h.
#include "cli/signal_table.h"

#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "cli/queue_cli.h"

namespace fleetclip::cli {

namespace {

// A CSV cell: quoted when it holds a comma, quote or line break.
std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CellText(const proto::SignalValue& v) {
  switch (v.value_case()) {
    case proto::SignalValue::kNumber:
      return ShortestNumber(v.number());
    case proto::SignalValue::kFlag:
      return v.flag() ? "1" : "0";
    case proto::SignalValue::kText:
      return CsvCell(v.text());
    default:
      return "";
  }
}

std::string JsonValue(const proto::SignalValue& v) {
  switch (v.value_case()) {
    case proto::SignalValue::kNumber:
      return ShortestNumber(v.number());
    case proto::SignalValue::kFlag:
      return v.flag() ? "true" : "false";
    case proto::SignalValue::kText:
      return JsonString(v.text());
    default:
      return "null";
  }
}

}  // namespace

std::vector<SignalColumnInfo> SignalColumns(const std::vector<proto::SignalFrame>& frames) {
  std::vector<SignalColumnInfo> out;
  std::unordered_set<std::string> seen;
  for (const proto::SignalFrame& f : frames) {
    for (const proto::SignalValue& v : f.values()) {
      if (seen.insert(v.name()).second) out.push_back({v.name(), v.value_case()});
    }
  }
  return out;
}

int64_t FrameUnixMs(const proto::TimeMapping& mapping, int64_t mono_ns) {
  return (mapping.wall_unix_ns() + (mono_ns - mapping.mono_ns())) / 1'000'000;
}

std::string ShortestNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::optional<double> PlotValue(const proto::SignalValue& v) {
  switch (v.value_case()) {
    case proto::SignalValue::kNumber:
      return v.number();
    case proto::SignalValue::kFlag:
      return v.flag() ? 1.0 : 0.0;
    default:
      return std::nullopt;
  }
}

std::string SignalsCsv(const proto::ClipManifest& manifest,
                       const std::vector<proto::SignalFrame>& frames) {
  const std::vector<SignalColumnInfo> columns = SignalColumns(frames);
  std::unordered_map<std::string, size_t> index;
  std::string out = "mono_ns,unix_ms,seq,producer";
  for (size_t i = 0; i < columns.size(); ++i) {
    index[columns[i].name] = i;
    out += "," + CsvCell(columns[i].name);
  }
  out += "\n";
  std::vector<std::string> cells(columns.size());
  for (const proto::SignalFrame& f : frames) {
    for (std::string& c : cells) c.clear();
    for (const proto::SignalValue& v : f.values()) cells[index[v.name()]] = CellText(v);
    out += std::to_string(f.mono_ns()) + "," +
           std::to_string(FrameUnixMs(manifest.time_mapping(), f.mono_ns())) + "," +
           std::to_string(f.seq()) + "," + CsvCell(f.producer());
    for (const std::string& c : cells) out += "," + c;
    out += "\n";
  }
  return out;
}

std::string SignalsJson(const proto::ClipManifest& manifest,
                        const std::vector<proto::SignalFrame>& frames) {
  std::string out =
      "{\"schema\":\"fleetclip.signals/1\",\"clip\":" + JsonString(manifest.clip_id()) +
      ",\"frames\":[";
  for (size_t i = 0; i < frames.size(); ++i) {
    const proto::SignalFrame& f = frames[i];
    out += std::string(i ? "," : "") + "{\"mono_ns\":" + std::to_string(f.mono_ns()) +
           ",\"unix_ms\":" + std::to_string(FrameUnixMs(manifest.time_mapping(), f.mono_ns())) +
           ",\"seq\":" + std::to_string(f.seq()) + ",\"producer\":" + JsonString(f.producer()) +
           ",\"values\":{";
    for (int k = 0; k < f.values_size(); ++k) {
      out +=
          std::string(k ? "," : "") + JsonString(f.values(k).name()) + ":" + JsonValue(f.values(k));
    }
    out += "}}";
  }
  return out + "]}\n";
}

}  // namespace fleetclip::cli

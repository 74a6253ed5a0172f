// Text and JSON output of `fleetclip rules test`; see cli/rules_test_report.h.
#include "cli/rules_test_report.h"

#include <cmath>
#include <cstdio>

#include "cli/queue_cli.h"

namespace fleetclip::cli {
namespace {

// Shortest text that reads back as the same double (JSON has no NaN: the caller writes null).
std::string Number(double v) {
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Seconds(MonoTime t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ToNanos(t)) / 1e9);
  return buf;
}

}  // namespace

void PrintRulesTestJson(const triggers::OfflineRunResult& result, const RulesTestSummary& summary,
                        std::ostream& out) {
  const triggers::IngestStats& s = result.ingest;
  out << "{\"schema\":\"fleetclip.rules-test/1\",\"ingest\":{\"frames\":" << result.frames
      << ",\"accepted\":" << s.accepted << ",\"duplicate\":" << s.duplicate
      << ",\"out_of_order\":" << s.out_of_order + s.late << ",\"malformed\":" << s.malformed
      << "},\"can\":[";
  for (size_t i = 0; i < summary.can.size(); ++i) {
    const triggers::CanTranslateStats& c = summary.can[i].stats;
    out << (i == 0 ? "" : ",") << "{\"log\":" << JsonString(summary.can[i].log)
        << ",\"frames\":" << c.frames << ",\"translated\":" << c.translated
        << ",\"unknown_ids\":" << c.unknown_ids << ",\"out_of_order\":" << c.out_of_order
        << ",\"out_of_range\":" << c.out_of_range << ",\"counter_skips\":" << c.counter_skips
        << ",\"bad_checksums\":" << c.bad_checksums
        << ",\"healthy\":" << (c.healthy ? "true" : "false") << "}";
  }
  out << "],\"clips\":[";
  for (size_t c = 0; c < result.clips.size(); ++c) {
    const triggers::ClipRequest& clip = result.clips[c];
    out << (c == 0 ? "" : ",") << "{\"start_mono_ns\":" << ToNanos(clip.start)
        << ",\"end_mono_ns\":" << ToNanos(clip.end) << ",\"priority\":" << clip.priority
        << ",\"events\":[";
    for (size_t e = 0; e < clip.events.size(); ++e) {
      const triggers::ClipEvent& ev = clip.events[e];
      out << (e == 0 ? "" : ",") << "{\"rule\":" << JsonString(ev.rule)
          << ",\"mono_ns\":" << ToNanos(ev.time)
          << ",\"peak\":" << (std::isfinite(ev.peak) ? Number(ev.peak) : "null")
          << ",\"priority\":" << ev.priority << ",\"tier\":" << JsonString(ev.tier)
          << ",\"tag\":" << JsonString(ev.tag) << "}";
    }
    out << "]}";
  }
  out << "],\"frames_per_s\":" << Number(std::round(summary.frames_per_s)) << "}\n";
}

void PrintRulesTestTable(const triggers::OfflineRunResult& result, const RulesTestSummary& summary,
                         std::ostream& out) {
  const triggers::IngestStats& s = result.ingest;
  char line[256];
  out << "rules: " << summary.rules_label << "\n";
  std::snprintf(line, sizeof line, "%llu frames from %zu file(s) in %.3f s (%.0f frames/s)\n",
                static_cast<unsigned long long>(result.frames), summary.sources, summary.seconds,
                summary.frames_per_s);
  out << line;
  out << "ingest: " << s.accepted << " accepted, " << s.duplicate << " duplicate, "
      << s.out_of_order << " out_of_order, " << s.late << " late (behind the reorder window), "
      << s.malformed << " malformed, " << s.oversized << " oversized\n";
  for (const CanLogCounters& log : summary.can) {
    const triggers::CanTranslateStats& c = log.stats;
    out << "can " << log.log << ": " << c.frames << " frames, " << c.translated << " translated, "
        << c.unknown_ids << " unknown ids, " << c.out_of_order << " out of order, "
        << c.out_of_range << " out of range, " << c.counter_skips << " counter skips, "
        << c.bad_checksums << " bad checksums (dropped)"
        << (c.healthy ? "" : "; the bus was UNHEALTHY at the end (a run of failed checks)") << "\n";
  }
  out << result.clips.size() << " clip(s)\n";
  if (result.clips.empty()) return;
  std::snprintf(line, sizeof line, "%-5s %-25s %-4s  %-20s %-12s %-10s %-4s %-8s %s\n", "CLIP",
                "WINDOW_S", "PRIO", "RULE", "FIRED_S", "PEAK", "PRIO", "TIER", "TAG");
  out << line;
  for (size_t c = 0; c < result.clips.size(); ++c) {
    const triggers::ClipRequest& clip = result.clips[c];
    const std::string window = Seconds(clip.start) + ".." + Seconds(clip.end);
    for (size_t e = 0; e < clip.events.size(); ++e) {
      const triggers::ClipEvent& ev = clip.events[e];
      const std::string peak =
          std::isfinite(ev.peak) ? Number(std::round(ev.peak * 1000) / 1000) : std::string("-");
      std::snprintf(line, sizeof line, "%-5s %-25s %-4s  %-20s %-12s %-10s %-4d %-8s %s\n",
                    e == 0 ? std::to_string(c + 1).c_str() : "", e == 0 ? window.c_str() : "",
                    e == 0 ? std::to_string(clip.priority).c_str() : "", ev.rule.c_str(),
                    Seconds(ev.time).c_str(), peak.c_str(), ev.priority,
                    ev.tier.empty() ? "-" : ev.tier.c_str(), ev.tag.empty() ? "-" : ev.tag.c_str());
      out << line;
    }
  }
}

}  // namespace fleetclip::cli

// Manifest -> clip rows. See queue/manifest.h.
#include "queue/manifest.h"

#include <algorithm>

#include "queue/sha256.h"

namespace fleetclip::queue {

ClipRecord RecordFromManifest(const proto::ClipManifest& m, std::string_view manifest_bytes) {
  ClipRecord c;
  c.id = m.clip_id();
  c.state = ClipState::kReady;
  c.priority = std::clamp(m.priority(), 0, 100);
  c.created_unix_ms = m.created_unix_ms();
  const int64_t offset_ns = m.time_mapping().wall_unix_ns() - m.time_mapping().mono_ns();
  c.window_start_unix_ms = (m.window_start_mono_ns() + offset_ns) / 1'000'000;
  c.duration_ms = (m.window_end_mono_ns() - m.window_start_mono_ns()) / 1'000'000;
  for (const auto& e : m.events()) {
    EventRecord r{e.rule(),     e.source(),          e.trigger_id(), e.fired_unix_ms(),
                  e.priority(), e.peak_value(),      e.tier(),       e.tag(),
                  e.note(),     e.window_shortened()};
    c.events.push_back(std::move(r));
    if (("," + c.rules + ",").find("," + e.rule() + ",") == std::string::npos) {
      c.rules += (c.rules.empty() ? "" : ",") + e.rule();
    }
  }
  for (const auto& f : m.files()) {
    c.files.push_back({f.name(), f.bytes(), BytesToHex(f.sha256()), false});
    c.bytes += f.bytes();
  }
  c.files.push_back({std::string(kManifestName), static_cast<int64_t>(manifest_bytes.size()),
                     Sha256Hex(manifest_bytes), false});
  c.bytes += static_cast<int64_t>(manifest_bytes.size());
  c.local_bytes = c.bytes;
  return c;
}

}  // namespace fleetclip::queue

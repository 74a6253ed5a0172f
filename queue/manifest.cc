// Manifest -> clip rows. See queue/manifest.h.
#include "queue/manifest.h"

#include <algorithm>
#include <set>

#include "queue/sha256.h"

namespace fleetclip::queue {
namespace {

// Two's-complement arithmetic without signed overflow: a corrupt manifest's times give a wrong
// but defined answer.
int64_t Add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t Sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace

Status CheckManifest(const proto::ClipManifest& m) {
  auto corrupt = [](std::string what) {
    return Error(ErrorCode::kCorruption, "manifest.pb: " + std::move(what));
  };
  if (m.format_version() != 1) {
    return corrupt("format_version " + std::to_string(m.format_version()) + ", expected 1");
  }
  std::set<std::string_view> names;
  for (int i = 0; i < m.files_size(); ++i) {
    const proto::ClipFile& f = m.files(i);
    const std::string at = "files[" + std::to_string(i) + "] ";
    const std::string& n = f.name();
    if (n.empty() || n.size() > kMaxManifestFileNameBytes) {
      return corrupt(at + "name of " + std::to_string(n.size()) + " bytes, not 1.." +
                     std::to_string(kMaxManifestFileNameBytes));
    }
    if (n == "." || n == ".." || n.find('/') != std::string::npos ||
        n.find('\0') != std::string::npos || n == kManifestName) {
      return corrupt(at + "name \"" + n + "\" is not a file name inside the clip folder");
    }
    if (!names.insert(n).second) return corrupt(at + "name \"" + n + "\" is listed twice");
    if (f.bytes() < 0 || f.bytes() > kMaxManifestFileBytes) {
      return corrupt(at + n + ": bytes " + std::to_string(f.bytes()) + " outside 0.." +
                     std::to_string(kMaxManifestFileBytes));
    }
    if (f.sha256().size() != 32) {
      return corrupt(at + n + ": sha256 of " + std::to_string(f.sha256().size()) +
                     " bytes, expected 32");
    }
  }
  return Ok();
}

ClipRecord RecordFromManifest(const proto::ClipManifest& m, std::string_view manifest_bytes) {
  ClipRecord c;
  c.id = m.clip_id();
  c.state = ClipState::kReady;
  c.priority = std::clamp(m.priority(), 0, 100);
  c.created_unix_ms = m.created_unix_ms();
  const int64_t offset_ns = Sub(m.time_mapping().wall_unix_ns(), m.time_mapping().mono_ns());
  c.window_start_unix_ms = Add(m.window_start_mono_ns(), offset_ns) / 1'000'000;
  c.duration_ms = Sub(m.window_end_mono_ns(), m.window_start_mono_ns()) / 1'000'000;
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
    c.bytes = Add(c.bytes, f.bytes());
  }
  c.files.push_back({std::string(kManifestName), static_cast<int64_t>(manifest_bytes.size()),
                     Sha256Hex(manifest_bytes), false});
  c.bytes = Add(c.bytes, static_cast<int64_t>(manifest_bytes.size()));
  c.local_bytes = c.bytes;
  return c;
}

}  // namespace fleetclip::queue

// What the trigger side hands to the clip writer: one ClipRequest per clip window, emitted once
// the window's end (the last post-roll) has passed, so the camera rings already hold all of it.
// A clip carries every firing that contributed to it as its own ClipEvent. This header is the
// public contract between triggers/ and queue/ (the clip writer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"

namespace fleetclip::triggers {

enum class TriggerSource { kRule, kManual, kRemote };

std::string_view TriggerSourceName(TriggerSource source);

struct ClipEvent {
  TriggerSource source = TriggerSource::kRule;
  std::string rule;        // rule name; "manual" or "remote" for the other sources
  std::string trigger_id;  // remote trigger id or manual request id; empty for rules
  MonoTime time;           // when the rule fired (its condition became true) or the request came
  double peak = 0;         // the rule's peak quantity while it held; NaN when it has none
  int priority = 0;        // 0..100, after any severity tier
  std::string tier;        // severity tier reached ("severe"), empty for none
  std::string tag;         // e.g. the disengage reason
  std::string note;        // free text from a manual or remote trigger
  MonoTime window_start;   // the window this firing asked for, after any shortening
  MonoTime window_end;
  bool window_shortened = false;  // pre/post roll did not fit the ring and were cut
  std::string shortened_reason;   // human text when window_shortened
};

struct ClipRequest {
  uint64_t id = 0;  // sequence number within this scheduler, in creation order
  MonoTime start;   // union of the events' windows
  MonoTime end;
  int priority = 0;               // the highest event priority
  std::vector<ClipEvent> events;  // in firing order
  // The mono<->wall mapping taken at the clip's first event, for the manifest (DESIGN.md §3).
  MonoTime mono_at_trigger;
  WallTime wall_at_trigger;
};

// The consumer of finished clip windows (the clip writer). Submit is called without scheduler
// locks held, from whichever thread ran TriggerScheduler::Poll; it must not block for long.
class ClipRequestSink {
 public:
  virtual ~ClipRequestSink() = default;
  virtual void Submit(ClipRequest request) = 0;
};

}  // namespace fleetclip::triggers

// Rules compiled once per config (RuleSet) and evaluated on every frame (RuleEngine). The engine
// reports what changed, not every value: a rule's condition started holding, its peak became more
// extreme while it holds, or it stopped holding. Whether a start becomes a clip is the
// TriggerScheduler's call (cooldown, re-arm, rate limits).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "triggers/expr_compiler.h"
#include "triggers/program.h"
#include "triggers/rule_spec.h"
#include "triggers/signal_catalog.h"
#include "triggers/signal_history.h"

namespace fleetclip::triggers {

struct CompiledRule {
  RuleSpec spec;
  uint32_t root = 0;
  std::optional<uint32_t> peak_reg;
  PeakDirection peak_direction = PeakDirection::kNone;
  std::optional<SignalId> tag_signal;
};

// Immutable after Compile; share it between the engine and the scheduler.
class RuleSet {
 public:
  // Compiles the enabled rules. Errors: `rule "hb": col 17: unknown signal "sped"`.
  static Result<std::shared_ptr<const RuleSet>> Compile(const SignalCatalog& catalog,
                                                        std::vector<RuleSpec> rules);

  const Program& program() const { return program_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // The longest `for`, window or pre-roll any rule needs: the least history to keep.
  Nanos longest_lookback() const { return longest_lookback_; }

 private:
  Program program_;
  std::vector<CompiledRule> rules_;
  Nanos longest_lookback_{0};
};

struct RuleObservation {
  enum class Kind { kStarted, kPeak, kEnded };
  Kind kind = Kind::kStarted;
  uint32_t rule = 0;  // index into RuleSet::rules()
  MonoTime time;
  double peak = 0;  // NaN when the rule has no peak quantity
  std::string tag;  // kStarted only: the rule's tag signal at that moment
};

// Evaluates a RuleSet against the newest row of a SignalHistory. Not thread-safe.
class RuleEngine {
 public:
  explicit RuleEngine(std::shared_ptr<const RuleSet> rules);

  // Call once after each SignalHistory::Append. The span is valid until the next call.
  std::span<const RuleObservation> Evaluate(const SignalHistory& history);

  const RuleSet& rule_set() const { return *rules_; }

 private:
  // What the per-frame loop reads of a rule with a peak quantity.
  struct Probe {
    uint32_t peak_reg = 0;
    bool lowest = false;  // PeakDirection::kLowest
  };
  RuleObservation& Emit(RuleObservation::Kind kind, uint32_t rule, MonoTime now, double peak);

  std::shared_ptr<const RuleSet> rules_;
  ProgramState state_;
  // Most rules neither hold nor held on most frames, so the scan is split: one branch-free pass
  // over the rules' root registers sets a bit per holding rule, and only the rules whose bit
  // changed, or that hold and have a peak to follow, are looked at one by one.
  std::vector<uint32_t> roots_;
  std::vector<uint64_t> active_;     // a bit per rule: it held on the previous frame
  std::vector<uint64_t> peak_mask_;  // a bit per rule that has a peak quantity
  std::vector<Probe> probes_;        // per rule; meaningful where peak_mask_ has its bit
  std::vector<double> peaks_;        // per rule, valid while active
  // One slot per rule (a rule reports at most once a frame), reused frame after frame so that
  // reporting allocates nothing; the first out_count_ are this frame's.
  std::vector<RuleObservation> out_;
  size_t out_count_ = 0;
};

}  // namespace fleetclip::triggers

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
  // What the per-frame loop reads of a CompiledRule, packed so the loop walks a small array.
  struct Probe {
    uint32_t root = 0;
    uint32_t peak_reg = 0;  // valid when has_peak
    bool has_peak = false;
    PeakDirection peak_direction = PeakDirection::kNone;
  };
  struct RuleState {
    bool active = false;
    double peak = 0;
  };
  std::shared_ptr<const RuleSet> rules_;
  ProgramState state_;
  std::vector<Probe> probes_;
  std::vector<RuleState> rule_states_;
  std::vector<RuleObservation> out_;
};

}  // namespace fleetclip::triggers

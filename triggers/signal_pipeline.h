// The per-frame path of the signal thread: history, then rules, then the scheduler. One object so
// the socket loop, a replay and the tests all drive exactly the same steps.
#pragma once

#include <memory>
#include <optional>

#include "triggers/rule_engine.h"
#include "triggers/signal_history.h"
#include "triggers/signal_source.h"
#include "triggers/trigger_scheduler.h"

namespace fleetclip::triggers {

class SignalPipeline final : public FrameSink {
 public:
  // `history` and `scheduler` are borrowed and must outlive the pipeline. The history's retention
  // is raised to the rule set's longest look-back when that is longer.
  SignalPipeline(SignalHistory& history, std::shared_ptr<const RuleSet> rules,
                 TriggerScheduler& scheduler);

  // Swaps in a new rule set (a config reload): fresh rule state, scheduler limits carried over.
  void SetRules(std::shared_ptr<const RuleSet> rules);

  void OnFrame(const DecodedFrame& frame) override;
  std::optional<MonoTime> OnIdle() override;

 private:
  SignalHistory& history_;
  TriggerScheduler& scheduler_;
  std::optional<RuleEngine> engine_;
};

}  // namespace fleetclip::triggers

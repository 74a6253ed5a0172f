// History -> engine -> scheduler for triggers/signal_pipeline.h.
#include "triggers/signal_pipeline.h"

namespace fleetclip::triggers {

SignalPipeline::SignalPipeline(SignalHistory& history, std::shared_ptr<const RuleSet> rules,
                               TriggerScheduler& scheduler)
    : history_(history), scheduler_(scheduler) {
  SetRules(std::move(rules));
}

void SignalPipeline::SetRules(std::shared_ptr<const RuleSet> rules) {
  if (rules->longest_lookback() > history_.retention()) {
    history_.set_retention(rules->longest_lookback());
  }
  scheduler_.SetRules(rules);
  engine_.emplace(std::move(rules));
}

void SignalPipeline::OnFrame(const DecodedFrame& frame) {
  history_.Append(frame);
  scheduler_.Observe(engine_->Evaluate(history_));
}

std::optional<MonoTime> SignalPipeline::OnIdle() {
  scheduler_.Poll();
  return scheduler_.NextDue();
}

}  // namespace fleetclip::triggers

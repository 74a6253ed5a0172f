// Rule compilation and per-frame edge/peak detection for triggers/rule_engine.h.
#include "triggers/rule_engine.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "triggers/expr_parser.h"

namespace fleetclip::triggers {
namespace {

// True when `candidate` is further in `direction` than `current`.
bool MoreExtreme(PeakDirection direction, double candidate, double current) {
  if (std::isnan(candidate)) return false;
  if (std::isnan(current)) return true;
  return direction == PeakDirection::kLowest ? candidate < current : candidate > current;
}

}  // namespace

Result<std::shared_ptr<const RuleSet>> RuleSet::Compile(const SignalCatalog& catalog,
                                                        std::vector<RuleSpec> rules) {
  auto set = std::shared_ptr<RuleSet>(new RuleSet());
  for (RuleSpec& spec : rules) {
    if (!spec.enabled) continue;
    const std::string where = "rule \"" + spec.name + "\"";
    Result<ExprPtr> ast = ParseExpr(spec.expr);
    if (!ast.ok()) return ast.error().WithContext(where);
    Result<CompiledExpr> compiled = CompileExpr(**ast, catalog, set->program_);
    if (!compiled.ok()) return compiled.error().WithContext(where);
    CompiledRule rule;
    rule.root = compiled->root;
    rule.peak_reg = compiled->peak_reg;
    rule.peak_direction = compiled->peak_direction;
    if (!spec.tag_signal.empty()) {
      const std::optional<SignalId> tag = catalog.Find(spec.tag_signal);
      if (!tag || catalog.Info(*tag).kind != SignalKind::kText) {
        return Error(ErrorCode::kInvalidArgument,
                     where + ": tag_signal \"" + spec.tag_signal + "\" is not a text signal");
      }
      rule.tag_signal = tag;
    }
    set->longest_lookback_ = std::max({set->longest_lookback_, Nanos(compiled->longest_window_ns),
                                       Nanos(spec.pre_roll_ms * 1'000'000)});
    rule.spec = std::move(spec);
    set->rules_.push_back(std::move(rule));
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

RuleEngine::RuleEngine(std::shared_ptr<const RuleSet> rules)
    : rules_(std::move(rules)), state_(rules_->program()), rule_states_(rules_->rules().size()) {
  out_.reserve(rules_->rules().size());
  for (const CompiledRule& rule : rules_->rules()) {
    probes_.push_back({.root = rule.root,
                       .peak_reg = rule.peak_reg.value_or(0),
                       .has_peak = rule.peak_reg.has_value(),
                       .peak_direction = rule.peak_direction});
  }
}

std::span<const RuleObservation> RuleEngine::Evaluate(const SignalHistory& history) {
  out_.clear();
  if (history.empty()) return out_;
  const MonoTime now = history.LatestTime();
  state_.Evaluate(rules_->program(), ToNanos(now), history.LatestRow());
  const double* regs = state_.regs();
  const size_t n = probes_.size();
  for (size_t i = 0; i < n; ++i) {
    const Probe& probe = probes_[i];
    RuleState& rs = rule_states_[i];
    const bool holds = Truthy(regs[probe.root]);
    if (!holds && !rs.active) continue;  // most rules on most frames
    const double value =
        probe.has_peak ? regs[probe.peak_reg] : std::numeric_limits<double>::quiet_NaN();
    if (holds && !rs.active) {
      rs.active = true;
      rs.peak = value;
      RuleObservation& o = out_.emplace_back();
      o.kind = RuleObservation::Kind::kStarted;
      o.rule = static_cast<uint32_t>(i);
      o.time = now;
      o.peak = value;
      const CompiledRule& rule = rules_->rules()[i];
      if (rule.tag_signal) o.tag = history.LatestText(*rule.tag_signal);
    } else if (holds && MoreExtreme(probe.peak_direction, value, rs.peak)) {
      rs.peak = value;
      out_.push_back(
          RuleObservation{RuleObservation::Kind::kPeak, static_cast<uint32_t>(i), now, value, {}});
    } else if (!holds) {
      rs.active = false;
      out_.push_back(RuleObservation{
          RuleObservation::Kind::kEnded, static_cast<uint32_t>(i), now, rs.peak, {}});
    }
  }
  return out_;
}

}  // namespace fleetclip::triggers

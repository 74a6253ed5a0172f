// Rule compilation and per-frame edge/peak detection for triggers/rule_engine.h.
#include "triggers/rule_engine.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "triggers/expr_parser.h"

namespace fleetclip::triggers {

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
    : rules_(std::move(rules)), state_(rules_->program()) {
  const size_t n = rules_->rules().size();
  active_.assign((n + 63) / 64, 0);
  peak_mask_.assign(active_.size(), 0);
  probes_.resize(n);
  peaks_.assign(n, 0);
  out_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const CompiledRule& rule = rules_->rules()[i];
    roots_.push_back(rule.root);
    if (!rule.peak_reg) continue;
    peak_mask_[i / 64] |= uint64_t{1} << (i % 64);
    probes_[i] = {.peak_reg = *rule.peak_reg,
                  .lowest = rule.peak_direction == PeakDirection::kLowest};
  }
}

RuleObservation& RuleEngine::Emit(RuleObservation::Kind kind, uint32_t rule, MonoTime now,
                                  double peak) {
  RuleObservation& o = out_[out_count_++];
  o.kind = kind;
  o.rule = rule;
  o.time = now;
  o.peak = peak;
  o.tag.clear();
  return o;
}

std::span<const RuleObservation> RuleEngine::Evaluate(const SignalHistory& history) {
  out_count_ = 0;
  if (history.empty()) return {};
  const MonoTime now = history.LatestTime();
  state_.Evaluate(rules_->program(), ToNanos(now), history.LatestRow(), history.LatestCarried());
  const double* regs = state_.regs();
  const size_t n = roots_.size();
  for (size_t base = 0; base < n; base += 64) {
    const size_t count = std::min<size_t>(64, n - base);
    const uint32_t* roots = roots_.data() + base;
    uint64_t holds = 0;
    size_t j = 0;
    for (; j + 4 <= count; j += 4) {
      const uint64_t four =
          uint64_t{Truthy(regs[roots[j]])} | uint64_t{Truthy(regs[roots[j + 1]])} << 1 |
          uint64_t{Truthy(regs[roots[j + 2]])} << 2 | uint64_t{Truthy(regs[roots[j + 3]])} << 3;
      holds |= four << j;
    }
    for (; j < count; ++j) holds |= uint64_t{Truthy(regs[roots[j]])} << j;
    const uint64_t was = active_[base / 64];
    active_[base / 64] = holds;
    // Rules that started or ended, and held rules whose peak may have moved; in rule order.
    for (uint64_t look = (holds ^ was) | (holds & peak_mask_[base / 64]); look != 0;
         look &= look - 1) {
      const int bit = std::countr_zero(look);
      const size_t i = base + static_cast<size_t>(bit);
      const auto rule = static_cast<uint32_t>(i);
      if ((holds >> bit & 1) == 0) {
        Emit(RuleObservation::Kind::kEnded, rule, now, peaks_[i]);
        continue;
      }
      const bool has_peak = (peak_mask_[base / 64] >> bit & 1) != 0;
      const double value =
          has_peak ? regs[probes_[i].peak_reg] : std::numeric_limits<double>::quiet_NaN();
      double& peak = peaks_[i];
      if ((was >> bit & 1) == 0) {
        peak = value;
        RuleObservation& o = Emit(RuleObservation::Kind::kStarted, rule, now, value);
        const CompiledRule& compiled = rules_->rules()[i];
        if (compiled.tag_signal) o.tag = history.LatestText(*compiled.tag_signal);
        continue;
      }
      // Further in the peak's direction; a first number replaces a NaN peak.
      const bool further = probes_[i].lowest ? value < peak : value > peak;
      if (further || (std::isnan(peak) && !std::isnan(value))) {
        peak = value;
        Emit(RuleObservation::Kind::kPeak, rule, now, value);
      }
    }
  }
  return {out_.data(), out_count_};
}

}  // namespace fleetclip::triggers

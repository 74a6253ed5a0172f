// libFuzzer harness for the rule language: any input must either compile or fail with an error
// that names a column, never crash, hang or exhaust the stack; a compiled rule must then evaluate
// a few frames without trouble.
#include <cstddef>
#include <cstdint>
#include <string>

#include "triggers/rule_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fleetclip;
  using namespace fleetclip::triggers;
  static const SignalCatalog catalog = [] {
    SignalCatalog c = SignalCatalog::Standard();
    (void)c.Declare("model.steering_pred", SignalKind::kNumber);
    return c;
  }();
  RuleSpec rule;
  rule.name = "fuzz";
  rule.expr.assign(reinterpret_cast<const char*>(data), size);
  auto set = RuleSet::Compile(catalog, {rule});
  if (!set.ok()) {
    const std::string& m = set.error().message();
    if (m.rfind("rule \"fuzz\": ", 0) != 0) __builtin_trap();
    return 0;
  }
  SignalHistory history(catalog, std::chrono::seconds(5));
  RuleEngine engine(*set);
  DecodedFrame frame;
  for (int i = 0; i < 64; ++i) {
    frame.Clear();
    frame.mono_ns = 1'000'000'000 + int64_t{i} * 10'000'000;
    for (SignalId id = 0; id < catalog.size(); ++id) {
      if (catalog.Info(id).kind != SignalKind::kText) {
        frame.numbers.emplace_back(id, static_cast<double>((i * 7 + id * 13) % 23) - 11.0);
      }
    }
    history.Append(frame);
    (void)engine.Evaluate(history);
  }
  return 0;
}

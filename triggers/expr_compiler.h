// Compiles a parsed rule expression into a shared Program: resolves signal names against the
// catalogue (unknown names are errors with a suggestion), checks that durations appear only where a
// duration belongs, checks function arity, and picks the rule's peak quantity.
//
// The peak of a rule is the left side of its first `<`, `<=`, `>` or `>=` comparison in reading
// order, tracked towards the comparison's direction while the rule holds: for
// `accel_long < -3.5 for 300ms and speed > 2.8` that is the lowest accel_long. Rules without such a
// comparison (`fell(autonomy_engaged)`) have no peak.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.h"
#include "triggers/expr_ast.h"
#include "triggers/program.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::triggers {

inline constexpr int64_t kMaxWindowNs = 600'000'000'000;  // min/max/mean: 10 minutes
inline constexpr int64_t kMaxHoldNs = 3'600'000'000'000;  // `for`: one hour
inline constexpr size_t kMaxInstructionsPerRule = 512;

enum class PeakDirection { kNone, kLowest, kHighest };

struct CompiledExpr {
  uint32_t root = 0;
  std::optional<uint32_t> peak_reg;
  PeakDirection peak_direction = PeakDirection::kNone;
  int64_t longest_window_ns = 0;  // the longest `for`, window or rate look-back the rule needs
};

// Errors carry the column: `col 17: unknown signal "sped" (did you mean "speed"?)`.
Result<CompiledExpr> CompileExpr(const ExprNode& root, const SignalCatalog& catalog,
                                 Program& program);

}  // namespace fleetclip::triggers

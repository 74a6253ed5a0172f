// Compilation of rule expressions: name resolution against the catalogue, duration and arity
// checks, sharing of identical subexpressions, and the choice of the peak quantity.
#include "triggers/expr_compiler.h"

#include <catch2/catch.hpp>

#include "triggers/expr_parser.h"
#include "triggers/rule_engine.h"

namespace fleetclip::triggers {
namespace {

std::string CompileError(std::string_view text) {
  const SignalCatalog catalog = SignalCatalog::Standard();
  Program program;
  Result<ExprPtr> ast = ParseExpr(text);
  REQUIRE(ast.ok());
  Result<CompiledExpr> c = CompileExpr(**ast, catalog, program);
  REQUIRE_FALSE(c.ok());
  return c.error().message();
}

}  // namespace

TEST_CASE("An unknown signal names the rule, the column and a likely meant signal") {
  RuleSpec rule;
  rule.name = "hb";
  rule.expr = "speed > 2.8 and sped > 2";
  auto set = RuleSet::Compile(SignalCatalog::Standard(), {rule});
  REQUIRE_FALSE(set.ok());
  REQUIRE(set.error().message() ==
          "rule \"hb\": col 17: unknown signal \"sped\" (did you mean \"speed\"?)");
}

TEST_CASE("An unknown signal with no near match gets no suggestion") {
  REQUIRE(CompileError("zzzzzzzz > 1") == "col 1: unknown signal \"zzzzzzzz\"");
}

TEST_CASE("A declared custom signal compiles like a standard one") {
  SignalCatalog catalog = SignalCatalog::Standard();
  REQUIRE(catalog.Declare("model.steering_pred", SignalKind::kNumber, "deg").ok());
  RuleSpec rule;
  rule.name = "shadow";
  rule.expr = "abs(model.steering_pred - steering_angle) > 30 for 500ms";
  REQUIRE(RuleSet::Compile(catalog, {rule}).ok());
}

TEST_CASE("A text signal cannot be used as a value") {
  REQUIRE(CompileError("gear > 1") ==
          "col 1: signal \"gear\" is text; a rule can only copy it into its tag (tag_signal)");
}

TEST_CASE("A duration outside for or a window is an error") {
  REQUIRE(CompileError("speed > 300ms").find("col 9: duration 300ms is not a value") == 0);
}

TEST_CASE("A window without a unit is an error") {
  REQUIRE(CompileError("mean(speed, 500) > 1") ==
          "col 13: the window of mean() must be a duration with a unit, e.g. 500ms");
}

TEST_CASE("Unknown functions and wrong arity are errors") {
  REQUIRE(CompileError("median(speed, 1s) > 1") ==
          "col 1: unknown function \"median\" (functions: abs, rate, min, max, mean, rose, fell)");
  REQUIRE(CompileError("abs(speed, 1s) > 1") == "col 1: abs() takes one argument, got 2");
  REQUIRE(CompileError("max(speed) > 1") ==
          "col 1: max() takes a value and a window, as in max(x, 500ms), got 1");
}

TEST_CASE("A window longer than ten minutes is refused") {
  REQUIRE(CompileError("max(speed, 11min) > 1") ==
          "col 12: window must be above 0 and at most 10 minutes");
}

TEST_CASE("Identical subexpressions across rules compile to one instruction") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  Program program;
  auto a = ParseExpr("abs(rate(steering_angle)) > 300 and speed > 8");
  auto b = ParseExpr("abs(rate(steering_angle)) > 200 and speed > 8");
  REQUIRE(CompileExpr(**a, catalog, program).ok());
  const size_t after_first = program.size();
  REQUIRE(CompileExpr(**b, catalog, program).ok());
  // Only the constant 200, the new comparison and the new `and` are added.
  REQUIRE(program.size() == after_first + 3);
  REQUIRE(program.rate_slots() == 1);
}

TEST_CASE("Constant arithmetic is folded at compile time") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  Program program;
  auto e = ParseExpr("speed > 10 / 3.6 * 2");
  REQUIRE(CompileExpr(**e, catalog, program).ok());
  // speed, the folded constant and the comparison (plus the intermediate constants).
  REQUIRE(program.instrs().back().op == OpCode::kGt);
  REQUIRE(program.instrs()[program.instrs().back().b].imm == Approx(10 / 3.6 * 2));
}

TEST_CASE("The peak is the first compared quantity, in the comparison's direction") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  Program program;
  auto e = ParseExpr("accel_long <= -3.5 for 300ms and speed > 2.8");
  Result<CompiledExpr> c = CompileExpr(**e, catalog, program);
  REQUIRE(c.ok());
  REQUIRE(c->peak_reg.has_value());
  REQUIRE(program.instrs()[*c->peak_reg].op == OpCode::kLoad);
  REQUIRE(program.instrs()[*c->peak_reg].a == *catalog.Find("accel_long"));
  REQUIRE(c->peak_direction == PeakDirection::kLowest);
  REQUIRE(c->longest_window_ns == 300'000'000);

  auto flipped = ParseExpr("5 < abs(accel_lat)");
  Result<CompiledExpr> f = CompileExpr(**flipped, catalog, program);
  REQUIRE(f->peak_direction == PeakDirection::kHighest);
  REQUIRE(program.instrs()[*f->peak_reg].op == OpCode::kAbs);
}

TEST_CASE("A rule without a comparison has no peak") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  Program program;
  auto e = ParseExpr("fell(autonomy_engaged for 2s)");
  Result<CompiledExpr> c = CompileExpr(**e, catalog, program);
  REQUIRE(c.ok());
  REQUIRE_FALSE(c->peak_reg.has_value());
}

}  // namespace fleetclip::triggers

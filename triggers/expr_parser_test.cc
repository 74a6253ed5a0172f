// The rule language's syntax: what parses, and errors that name the column and the problem.
#include "triggers/expr_parser.h"

#include <catch2/catch.hpp>

namespace fleetclip::triggers {
namespace {

std::string ErrorOf(std::string_view text) {
  Result<ExprPtr> e = ParseExpr(text);
  REQUIRE_FALSE(e.ok());
  return e.error().message();
}

}  // namespace

TEST_CASE("For binds tighter than and, so a held condition combines with a plain one") {
  Result<ExprPtr> e = ParseExpr("accel_long < -3.5 for 300ms and speed > 2.8");
  REQUIRE(e.ok());
  const ExprNode& root = **e;
  REQUIRE(root.op == ExprOp::kAnd);
  REQUIRE(root.args[0]->op == ExprOp::kFor);
  REQUIRE(root.args[0]->args[1]->duration_ns == 300'000'000);
  REQUIRE(root.args[0]->args[0]->op == ExprOp::kLt);
  REQUIRE(root.args[0]->args[0]->args[1]->number == -3.5);
  REQUIRE(root.args[1]->op == ExprOp::kGt);
}

TEST_CASE("Durations accept microseconds, milliseconds, seconds and minutes") {
  for (auto [text, ns] :
       {std::pair{"x for 500us", 500'000LL}, std::pair{"x for 2s", 2'000'000'000LL},
        std::pair{"x for 1.5s", 1'500'000'000LL}, std::pair{"x for 1min", 60'000'000'000LL}}) {
    Result<ExprPtr> e = ParseExpr(text);
    REQUIRE(e.ok());
    REQUIRE((*e)->args[1]->duration_ns == ns);
  }
}

TEST_CASE("Arithmetic follows the usual precedence") {
  Result<ExprPtr> e = ParseExpr("a + b * c > 1 or not d");
  REQUIRE(e.ok());
  REQUIRE((*e)->op == ExprOp::kOr);
  const ExprNode& sum = *(*e)->args[0]->args[0];
  REQUIRE(sum.op == ExprOp::kAdd);
  REQUIRE(sum.args[1]->op == ExprOp::kMul);
  REQUIRE((*e)->args[1]->op == ExprOp::kNot);
}

TEST_CASE("Calls take comma-separated arguments") {
  Result<ExprPtr> e = ParseExpr("mean(abs(rate(x)), 500ms) >= 5");
  REQUIRE(e.ok());
  const ExprNode& call = *(*e)->args[0];
  REQUIRE(call.op == ExprOp::kCall);
  REQUIRE(call.name == "mean");
  REQUIRE(call.args.size() == 2);
  REQUIRE(call.args[1]->op == ExprOp::kDuration);
}

TEST_CASE("An unknown unit is an error naming the unit and its column") {
  REQUIRE(ErrorOf("speed > 3km") ==
          "col 9: unknown unit \"km\" in \"3km\" (time units: us, ms, s, min)");
}

TEST_CASE("A missing closing parenthesis names what was found instead") {
  REQUIRE(ErrorOf("(speed > 3 and x") == "col 17: expected \")\" but found end of expression");
}

TEST_CASE("For without a unit asks for one") {
  REQUIRE(ErrorOf("x for 300") ==
          "col 7: \"for\" needs a duration with a unit (e.g. 300ms) but found \"300\"");
}

TEST_CASE("Chained comparisons are rejected with a hint") {
  REQUIRE(ErrorOf("1 < x < 3") == "col 7: comparisons do not chain; combine them with \"and\"");
}

TEST_CASE("A single equals sign suggests the comparison") {
  REQUIRE(ErrorOf("gear = 3") == "col 6: unexpected \"=\" (did you mean \"==\"?)");
}

TEST_CASE("Trailing tokens are an error") {
  REQUIRE(ErrorOf("speed > 3 speed") ==
          "col 11: expected an operator or the end of the expression but found \"speed\"");
}

TEST_CASE("Deep nesting is refused instead of exhausting the stack") {
  std::string deep(200, '(');
  deep += "x";
  deep += std::string(200, ')');
  REQUIRE(ErrorOf(deep).find("nested deeper than 64") != std::string::npos);
  std::string negations(1000, '-');
  negations += "x";
  REQUIRE(ErrorOf(negations).find("nested deeper") != std::string::npos);
}

TEST_CASE("An empty expression is an error") {
  REQUIRE(ErrorOf("  ") == "col 1: empty expression");
}

TEST_CASE("A control character is shown escaped") {
  REQUIRE(ErrorOf("x >\x01 3") == "col 4: unexpected character \"\\x01\"");
}

}  // namespace fleetclip::triggers

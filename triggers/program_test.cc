// Evaluation semantics of the flat program: missing values, rate, windows, edges and `for`.
#include "triggers/program.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "triggers/expr_compiler.h"
#include "triggers/expr_parser.h"

namespace fleetclip::triggers {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kMs = 1'000'000;

// One expression over two signals, x and y, fed frame by frame.
class Harness {
 public:
  explicit Harness(std::string_view expr) {
    REQUIRE(catalog_.Declare("x", SignalKind::kNumber).ok());
    REQUIRE(catalog_.Declare("y", SignalKind::kNumber).ok());
    auto ast = ParseExpr(expr);
    REQUIRE(ast.ok());
    auto c = CompileExpr(**ast, catalog_, program_);
    REQUIRE(c.ok());
    root_ = c->root;
    state_.emplace(program_);
  }
  double At(int64_t t_ms, double x, double y = kNaN) {
    const double row[2] = {x, y};
    state_->Evaluate(program_, t_ms * kMs, row);
    return state_->reg(root_);
  }

 private:
  SignalCatalog catalog_;
  Program program_;
  uint32_t root_ = 0;
  std::optional<ProgramState> state_;
};

}  // namespace

TEST_CASE("A comparison with a missing signal is false, and so is its negation's operand") {
  Harness h("x > 1");
  REQUIRE(h.At(0, kNaN) == 0.0);
  Harness ne("x != 1");
  REQUIRE(ne.At(0, kNaN) == 0.0);
}

TEST_CASE("Rate is the derivative per second between consecutive frames") {
  Harness h("rate(x)");
  REQUIRE(std::isnan(h.At(0, 10)));
  REQUIRE(h.At(10, 11) == Approx(100.0));
  REQUIRE(h.At(30, 10) == Approx(-50.0));
}

TEST_CASE("Rate across a gap longer than a second is unknown") {
  Harness h("rate(x)");
  h.At(0, 0);
  REQUIRE(std::isnan(h.At(1500, 5)));
  REQUIRE(h.At(1510, 6) == Approx(100.0));
}

TEST_CASE("Min, max and mean cover the samples of the last window") {
  Harness mn("min(x, 100ms)"), mx("max(x, 100ms)"), mean("mean(x, 100ms)");
  const double xs[] = {5, 3, 8, 6, 7};
  for (int i = 0; i < 5; ++i) {
    mn.At(i * 40, xs[i]);
    mx.At(i * 40, xs[i]);
    mean.At(i * 40, xs[i]);
  }
  // Frames at 0, 40, 80, 120, 160 ms; at 200 ms the window (100, 200] holds 6, 7 and the new 7.
  REQUIRE(mn.At(200, 7) == 6);
  REQUIRE(mx.At(200, 7) == 7);
  REQUIRE(mean.At(200, 7) == Approx((6 + 7 + 7) / 3.0));
}

TEST_CASE("A window skips missing samples and is unknown when it has none") {
  Harness h("max(x, 50ms)");
  REQUIRE(std::isnan(h.At(0, kNaN)));
  REQUIRE(h.At(10, 4) == 4);
  REQUIRE(h.At(40, kNaN) == 4);
  REQUIRE(std::isnan(h.At(100, kNaN)));
}

TEST_CASE("Rose and fell fire on the one frame of the transition, never on the first frame") {
  Harness rose("rose(x > 0)"), fell("fell(x > 0)");
  REQUIRE(rose.At(0, 1) == 0);  // true from the start is not a rising edge
  REQUIRE(fell.At(0, 1) == 0);
  REQUIRE(rose.At(10, 0) == 0);
  REQUIRE(fell.At(10, 0) == 1);
  REQUIRE(fell.At(20, 0) == 0);
  REQUIRE(rose.At(20, 1) == 1);
  REQUIRE(rose.At(30, 1) == 0);
}

TEST_CASE("For holds once the condition has been true for the duration, and resets on false") {
  Harness h("x > 0 for 300ms");
  REQUIRE(h.At(0, 1) == 0);
  REQUIRE(h.At(290, 1) == 0);
  REQUIRE(h.At(300, 1) == 1);
  REQUIRE(h.At(310, 0) == 0);
  REQUIRE(h.At(320, 1) == 0);
  REQUIRE(h.At(620, 1) == 1);
}

TEST_CASE("Fell of a held engagement ignores engagements shorter than the hold") {
  Harness h("fell(x for 2s)");
  double fired = 0;
  for (int t = 0; t <= 1500; t += 10) fired += h.At(t, 1);  // 1.5 s engaged: chatter
  for (int t = 1510; t <= 3000; t += 10) fired += h.At(t, 0);
  REQUIRE(fired == 0);
  for (int t = 3010; t <= 6000; t += 10) fired += h.At(t, 1);  // 3 s engaged
  REQUIRE(h.At(6010, 0) == 1);
}

TEST_CASE("Boolean operators treat NaN as false") {
  Harness h("x or y");
  REQUIRE(h.At(0, kNaN, 1) == 1);
  REQUIRE(h.At(10, kNaN, 0) == 0);
  Harness n("not x");
  REQUIRE(n.At(0, kNaN) == 1);
}

TEST_CASE("Derivative of a 500 ms mean is the R79 averaged jerk") {
  Harness h("rate(mean(x, 500ms))");
  double out = 0;
  // A ramp of 10 units/s sampled at 100 Hz: after the window fills, the derivative is the slope.
  for (int t = 0; t <= 1000; t += 10) out = h.At(t, t / 100.0);
  REQUIRE(out == Approx(10.0).epsilon(0.01));
}

}  // namespace fleetclip::triggers

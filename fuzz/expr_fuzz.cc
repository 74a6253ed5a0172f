// libFuzzer harness for the rule language: any input must either compile or fail with an error
// that names a column, never crash, hang or exhaust the stack; a compiled rule must then evaluate
// a few frames without trouble, and ProgramState (pre-decoded steps, threaded dispatch) must
// compute every register exactly as a plain loop over the Program's instructions does. The frames
// carry different subsets of the signals (chosen by the input's bytes), as producers sending
// separate messages do, so rate()'s hold on frames that do not carry its operand is checked too.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "triggers/rule_engine.h"

namespace {

using namespace fleetclip::triggers;

// The language's truth, spelled out rather than taken from program.h (Truthy), so that a faster
// Truthy is checked too: non-zero and not NaN.
bool IsTrue(double v) { return v != 0 && v == v; }

// The straightforward interpreter of a Program: one switch per instruction, every instruction in
// order. The reference ProgramState is checked against.
class ReferenceState {
 public:
  explicit ReferenceState(const Program& p)
      : regs_(p.size(), kNaN),
        rates_(p.rate_slots()),
        mins_(p.min_slots()),
        maxes_(p.max_slots()),
        means_(p.mean_slots()),
        edges_(p.edge_slots(), -1),
        holds_(p.hold_slots()) {}

  // `carried`: the frame's presence bitmap (SignalHistory's: bit id % 64 of word id / 64).
  void Evaluate(const Program& p, int64_t t_ns, const double* row, const uint64_t* carried) {
    double* r = regs_.data();
    for (size_t i = 0; i < p.size(); ++i) {
      const Instr& in = p.instrs()[i];
      const double x = in.op == OpCode::kConst || in.op == OpCode::kLoad ? 0 : r[in.a];
      const double y = r[in.b < i ? in.b : 0];
      switch (in.op) {
        case OpCode::kConst:
          r[i] = in.imm;
          break;
        case OpCode::kLoad:
          r[i] = row[in.a];
          break;
        case OpCode::kNeg:
          r[i] = -x;
          break;
        case OpCode::kNot:
          r[i] = IsTrue(x) ? 0.0 : 1.0;
          break;
        case OpCode::kAbs:
          r[i] = std::fabs(x);
          break;
        case OpCode::kAdd:
          r[i] = x + y;
          break;
        case OpCode::kSub:
          r[i] = x - y;
          break;
        case OpCode::kMul:
          r[i] = x * y;
          break;
        case OpCode::kDiv:
          r[i] = x / y;
          break;
        case OpCode::kLt:
          r[i] = x < y;
          break;
        case OpCode::kLe:
          r[i] = x <= y;
          break;
        case OpCode::kGt:
          r[i] = x > y;
          break;
        case OpCode::kGe:
          r[i] = x >= y;
          break;
        case OpCode::kEq:
          r[i] = x == y;
          break;
        case OpCode::kNe:
          r[i] = x != y && x == x && y == y;
          break;
        case OpCode::kAnd:
          r[i] = IsTrue(x) && IsTrue(y);
          break;
        case OpCode::kOr:
          r[i] = IsTrue(x) || IsTrue(y);
          break;
        case OpCode::kRate: {
          // Moves on frames that carry a signal the operand reads (or always, for an operand
          // that reads none); on the others it holds its last rate for up to a second.
          Rate& s = rates_[in.slot];
          const std::vector<uint32_t> columns = ColumnsRead(p, in.a);
          bool moves = columns.empty();
          for (uint32_t c : columns) moves = moves || (carried[c / 64] >> (c % 64) & 1) != 0;
          if (!moves) {
            r[i] = s.valid && t_ns - s.t_ns <= 1'000'000'000 ? s.rate : kNaN;
            break;
          }
          if (std::isnan(x)) {
            r[i] = kNaN;
            break;
          }
          const int64_t dt = t_ns - s.t_ns;
          r[i] = s.valid && dt > 0 && dt <= 1'000'000'000
                     ? (x - s.value) * 1e9 / static_cast<double>(dt)
                     : kNaN;
          s = {t_ns, x, r[i], true};
          break;
        }
        case OpCode::kMin:
          r[i] = mins_[in.slot].Update(t_ns, x, in.window_ns);
          break;
        case OpCode::kMax:
          r[i] = maxes_[in.slot].Update(t_ns, x, in.window_ns);
          break;
        case OpCode::kMean:
          r[i] = means_[in.slot].Update(t_ns, x, in.window_ns);
          break;
        case OpCode::kRose:
        case OpCode::kFell: {
          const int now = IsTrue(x) ? 1 : 0;
          const int prev = edges_[in.slot];
          r[i] = in.op == OpCode::kRose ? prev == 0 && now == 1 : prev == 1 && now == 0;
          edges_[in.slot] = now;
          break;
        }
        case OpCode::kFor: {
          Hold& s = holds_[in.slot];
          if (!IsTrue(x)) {
            s.holding = false;
            r[i] = 0;
            break;
          }
          if (!s.holding) s = {t_ns, true};
          r[i] = t_ns - s.since_ns >= in.window_ns;
          break;
        }
      }
    }
  }

  double reg(size_t i) const { return regs_[i]; }

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  struct Rate {
    int64_t t_ns = 0;
    double value = 0;
    double rate = 0;
    bool valid = false;
  };

  // The catalogue columns register `reg` reads: its operands walked with a work list, each
  // register once.
  static std::vector<uint32_t> ColumnsRead(const Program& p, uint32_t reg) {
    std::vector<uint32_t> out;
    std::vector<bool> seen(p.size(), false);
    std::vector<uint32_t> todo = {reg};
    while (!todo.empty()) {
      const uint32_t at = todo.back();
      todo.pop_back();
      if (seen[at]) continue;
      seen[at] = true;
      const Instr& in = p.instrs()[at];
      switch (in.op) {
        case OpCode::kConst:
          break;
        case OpCode::kLoad:
          out.push_back(in.a);
          break;
        case OpCode::kAdd:
        case OpCode::kSub:
        case OpCode::kMul:
        case OpCode::kDiv:
        case OpCode::kLt:
        case OpCode::kLe:
        case OpCode::kGt:
        case OpCode::kGe:
        case OpCode::kEq:
        case OpCode::kNe:
        case OpCode::kAnd:
        case OpCode::kOr:
          todo.push_back(in.b);
          todo.push_back(in.a);
          break;
        default:  // one operand: unary, windows, rate, edges, for
          todo.push_back(in.a);
          break;
      }
    }
    return out;
  }
  struct Hold {
    int64_t since_ns = 0;
    bool holding = false;
  };
  std::vector<double> regs_;
  std::vector<Rate> rates_;
  std::vector<ExtremumWindow<false>> mins_;
  std::vector<ExtremumWindow<true>> maxes_;
  std::vector<MeanWindow> means_;
  std::vector<int> edges_;
  std::vector<Hold> holds_;
};

// Equal values, or both NaN.
bool Same(double a, double b) {
  return (a == b && std::signbit(a) == std::signbit(b)) || (a != a && b != b);
}

}  // namespace

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
  const Program& program = (*set)->program();
  ProgramState state(program);
  ReferenceState reference(program);
  DecodedFrame frame;
  for (int i = 0; i < 64; ++i) {
    frame.Clear();
    frame.mono_ns = 1'000'000'000 + int64_t{i} * 10'000'000;
    // Which signals this frame carries: every one on the first frame, then a subset taken from
    // the input's bytes (the same input, the same subsets).
    const uint8_t pick = i == 0 || size == 0 ? 0xff : data[static_cast<size_t>(i) % size];
    for (SignalId id = 0; id < catalog.size(); ++id) {
      if (catalog.Info(id).kind == SignalKind::kText) continue;
      if ((pick >> (id % 8) & 1) == 0) continue;
      frame.numbers.emplace_back(id, static_cast<double>((i * 7 + id * 13) % 23) - 11.0);
    }
    history.Append(frame);
    (void)engine.Evaluate(history);
    const int64_t t_ns = ToNanos(history.LatestTime());
    state.Evaluate(program, t_ns, history.LatestRow(), history.LatestCarried());
    reference.Evaluate(program, t_ns, history.LatestRow(), history.LatestCarried());
    for (uint32_t r = 0; r < program.size(); ++r) {
      if (!Same(state.reg(r), reference.reg(r))) __builtin_trap();
    }
  }
  return 0;
}

// Tree-to-flat compilation for triggers/expr_compiler.h.
#include "triggers/expr_compiler.h"

#include <algorithm>
#include <string>

#include "triggers/expr_lexer.h"

namespace fleetclip::triggers {
namespace {

std::string DurationText(int64_t ns) {
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  return std::to_string(ns / 1'000) + "us";
}

OpCode BinaryCode(ExprOp op) {
  switch (op) {
    case ExprOp::kOr:
      return OpCode::kOr;
    case ExprOp::kAnd:
      return OpCode::kAnd;
    case ExprOp::kLt:
      return OpCode::kLt;
    case ExprOp::kLe:
      return OpCode::kLe;
    case ExprOp::kGt:
      return OpCode::kGt;
    case ExprOp::kGe:
      return OpCode::kGe;
    case ExprOp::kEq:
      return OpCode::kEq;
    case ExprOp::kNe:
      return OpCode::kNe;
    case ExprOp::kAdd:
      return OpCode::kAdd;
    case ExprOp::kSub:
      return OpCode::kSub;
    case ExprOp::kMul:
      return OpCode::kMul;
    default:
      return OpCode::kDiv;
  }
}

class Compiler {
 public:
  Compiler(const SignalCatalog& catalog, Program& program) : catalog_(catalog), program_(program) {}

  Result<uint32_t> Value(const ExprNode& n) {
    if (++nodes_ > kMaxInstructionsPerRule) {
      return ErrorAtCol(n.col, "rule is too large: more than " +
                                   std::to_string(kMaxInstructionsPerRule) + " operations");
    }
    switch (n.op) {
      case ExprOp::kNumber:
        return program_.Emit(Instr{.op = OpCode::kConst, .imm = n.number});
      case ExprOp::kDuration:
        return ErrorAtCol(n.col, "duration " + DurationText(n.duration_ns) +
                                     " is not a value; durations go after \"for\" or as a window "
                                     "argument, as in mean(x, 500ms)");
      case ExprOp::kSignal:
        return Signal(n);
      case ExprOp::kNeg:
      case ExprOp::kNot: {
        Result<uint32_t> a = Value(*n.args[0]);
        if (!a.ok()) return a;
        return program_.Emit(
            Instr{.op = n.op == ExprOp::kNeg ? OpCode::kNeg : OpCode::kNot, .a = *a});
      }
      case ExprOp::kFor: {
        Result<uint32_t> a = Value(*n.args[0]);
        if (!a.ok()) return a;
        const int64_t d = n.args[1]->duration_ns;
        if (d <= 0 || d > kMaxHoldNs) {
          return ErrorAtCol(n.args[1]->col, "\"for\" duration must be above 0 and at most 1 hour");
        }
        longest_ = std::max(longest_, d);
        return program_.Emit(Instr{.op = OpCode::kFor, .a = *a, .window_ns = d});
      }
      case ExprOp::kCall:
        return Call(n);
      default: {
        Result<uint32_t> a = Value(*n.args[0]);
        if (!a.ok()) return a;
        Result<uint32_t> b = Value(*n.args[1]);
        if (!b.ok()) return b;
        return program_.Emit(Instr{.op = BinaryCode(n.op), .a = *a, .b = *b});
      }
    }
  }

  int64_t longest() const { return longest_; }

 private:
  Result<uint32_t> Signal(const ExprNode& n) {
    const std::optional<SignalId> id = catalog_.Find(n.name);
    if (!id) {
      std::string message = "unknown signal \"" + n.name + "\"";
      if (auto suggestion = catalog_.Suggest(n.name)) {
        message += " (did you mean \"" + *suggestion + "\"?)";
      }
      return ErrorAtCol(n.col, message);
    }
    if (catalog_.Info(*id).kind == SignalKind::kText) {
      return ErrorAtCol(n.col, "signal \"" + n.name +
                                   "\" is text; a rule can only copy it into its tag (tag_signal)");
    }
    return program_.Emit(Instr{.op = OpCode::kLoad, .a = *id});
  }

  Result<uint32_t> Call(const ExprNode& n) {
    struct Function {
      std::string_view name;
      OpCode op;
      bool windowed;
    };
    static constexpr Function kFunctions[] = {
        {"abs", OpCode::kAbs, false},   {"rate", OpCode::kRate, false},
        {"rose", OpCode::kRose, false}, {"fell", OpCode::kFell, false},
        {"min", OpCode::kMin, true},    {"max", OpCode::kMax, true},
        {"mean", OpCode::kMean, true},
    };
    const auto* f = std::find_if(std::begin(kFunctions), std::end(kFunctions),
                                 [&](const Function& fn) { return fn.name == n.name; });
    if (f == std::end(kFunctions)) {
      return ErrorAtCol(n.col, "unknown function \"" + n.name +
                                   "\" (functions: abs, rate, min, max, mean, rose, fell)");
    }
    const size_t want = f->windowed ? 2 : 1;
    if (n.args.size() != want) {
      return ErrorAtCol(n.col,
                        n.name + "() takes " +
                            (f->windowed ? "a value and a window, as in " + n.name + "(x, 500ms)"
                                         : std::string("one argument")) +
                            ", got " + std::to_string(n.args.size()));
    }
    Result<uint32_t> a = Value(*n.args[0]);
    if (!a.ok()) return a;
    Instr instr{.op = f->op, .a = *a};
    if (f->windowed) {
      const ExprNode& w = *n.args[1];
      if (w.op != ExprOp::kDuration) {
        return ErrorAtCol(
            w.col, "the window of " + n.name + "() must be a duration with a unit, e.g. 500ms");
      }
      if (w.duration_ns <= 0 || w.duration_ns > kMaxWindowNs) {
        return ErrorAtCol(w.col, "window must be above 0 and at most 10 minutes");
      }
      instr.window_ns = w.duration_ns;
      longest_ = std::max(longest_, w.duration_ns);
    }
    return program_.Emit(instr);
  }

  const SignalCatalog& catalog_;
  Program& program_;
  size_t nodes_ = 0;
  int64_t longest_ = 0;
};

// The first ordering comparison in reading order (pre-order, left to right).
const ExprNode* FirstComparison(const ExprNode& n) {
  if (n.op == ExprOp::kLt || n.op == ExprOp::kLe || n.op == ExprOp::kGt || n.op == ExprOp::kGe) {
    return &n;
  }
  for (const ExprPtr& arg : n.args) {
    if (const ExprNode* found = FirstComparison(*arg)) return found;
  }
  return nullptr;
}

}  // namespace

Result<CompiledExpr> CompileExpr(const ExprNode& root, const SignalCatalog& catalog,
                                 Program& program) {
  Compiler compiler(catalog, program);
  Result<uint32_t> reg = compiler.Value(root);
  if (!reg.ok()) return reg.error();
  CompiledExpr out;
  out.root = *reg;
  out.longest_window_ns = compiler.longest();
  if (const ExprNode* cmp = FirstComparison(root)) {
    const bool lower = cmp->op == ExprOp::kLt || cmp->op == ExprOp::kLe;
    // `3.5 < x` compares x from the right; the quantity is the non-constant side.
    const bool lhs_const = cmp->args[0]->op == ExprOp::kNumber;
    const ExprNode& quantity = lhs_const ? *cmp->args[1] : *cmp->args[0];
    Result<uint32_t> peak = compiler.Value(quantity);  // already emitted: hash-consing reuses it
    if (peak.ok() && program.instrs()[*peak].op != OpCode::kConst) {
      out.peak_reg = *peak;
      out.peak_direction = lower != lhs_const ? PeakDirection::kLowest : PeakDirection::kHighest;
    }
  }
  return out;
}

}  // namespace fleetclip::triggers

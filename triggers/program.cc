// Instruction emission with hash-consing and constant folding, and the evaluation loop.
#include "triggers/program.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace fleetclip::triggers {
namespace {

// A rate across a gap longer than this is meaningless (a dropped link, a paused replay).
constexpr int64_t kMaxRateGapNs = 1'000'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsPure(OpCode op) {
  switch (op) {
    case OpCode::kRate:
    case OpCode::kMin:
    case OpCode::kMax:
    case OpCode::kMean:
    case OpCode::kRose:
    case OpCode::kFell:
    case OpCode::kFor:
    case OpCode::kLoad:
      return false;
    default:
      return true;
  }
}

bool IsUnary(OpCode op) { return op == OpCode::kNeg || op == OpCode::kNot || op == OpCode::kAbs; }

// The catalogue columns register `reg` reads, appended to `out` (sorted, unique).
void ColumnsOf(const std::vector<Instr>& code, uint32_t reg, std::vector<uint32_t>& out) {
  std::vector<uint32_t> todo = {reg};
  std::vector<uint8_t> seen(code.size(), 0);
  std::vector<uint32_t> found;
  while (!todo.empty()) {
    const uint32_t r = todo.back();
    todo.pop_back();
    if (seen[r]) continue;
    seen[r] = 1;
    const Instr& in = code[r];
    if (in.op == OpCode::kConst) continue;
    if (in.op == OpCode::kLoad) {
      found.push_back(in.a);
      continue;
    }
    todo.push_back(in.a);
    if (IsPure(in.op) && !IsUnary(in.op)) todo.push_back(in.b);
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  out.insert(out.end(), found.begin(), found.end());
}

double Apply(OpCode op, double x, double y) {
  switch (op) {
    case OpCode::kNeg:
      return -x;
    case OpCode::kNot:
      return Truthy(x) ? 0.0 : 1.0;
    case OpCode::kAbs:
      return std::fabs(x);
    case OpCode::kAdd:
      return x + y;
    case OpCode::kSub:
      return x - y;
    case OpCode::kMul:
      return x * y;
    case OpCode::kDiv:
      return x / y;
    case OpCode::kLt:
      return x < y ? 1.0 : 0.0;
    case OpCode::kLe:
      return x <= y ? 1.0 : 0.0;
    case OpCode::kGt:
      return x > y ? 1.0 : 0.0;
    case OpCode::kGe:
      return x >= y ? 1.0 : 0.0;
    case OpCode::kEq:
      return x == y ? 1.0 : 0.0;
    case OpCode::kNe:
      return x != y && x == x && y == y ? 1.0 : 0.0;
    case OpCode::kAnd:
      return Truthy(x) && Truthy(y) ? 1.0 : 0.0;
    case OpCode::kOr:
      return Truthy(x) || Truthy(y) ? 1.0 : 0.0;
    default:
      return kNaN;
  }
}

}  // namespace

size_t Program::KeyHash::operator()(const Instr& i) const {
  uint64_t imm_bits = 0;
  std::memcpy(&imm_bits, &i.imm, sizeof imm_bits);
  size_t h = static_cast<size_t>(i.op);
  for (uint64_t part :
       {uint64_t{i.a}, uint64_t{i.b}, imm_bits, static_cast<uint64_t>(i.window_ns)}) {
    h ^= std::hash<uint64_t>{}(part) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

bool Program::KeyEq::operator()(const Instr& x, const Instr& y) const {
  return x.op == y.op && x.a == y.a && x.b == y.b && x.window_ns == y.window_ns &&
         std::memcmp(&x.imm, &y.imm, sizeof x.imm) == 0;
}

uint32_t Program::Emit(Instr instr) {
  instr.slot = 0;
  if (IsPure(instr.op) && instr.op != OpCode::kConst) {
    const bool a_const = instrs_[instr.a].op == OpCode::kConst;
    const bool b_const = IsUnary(instr.op) || instrs_[instr.b].op == OpCode::kConst;
    if (a_const && b_const) {
      const double y = IsUnary(instr.op) ? 0.0 : instrs_[instr.b].imm;
      Instr folded;
      folded.op = OpCode::kConst;
      folded.imm = Apply(instr.op, instrs_[instr.a].imm, y);
      return Emit(folded);
    }
  }
  if (auto it = index_.find(instr); it != index_.end()) return it->second;
  const Instr key = instr;
  switch (instr.op) {
    case OpCode::kRate:
      instr.slot = rate_slots_++;
      break;
    case OpCode::kMin:
      instr.slot = min_slots_++;
      break;
    case OpCode::kMax:
      instr.slot = max_slots_++;
      break;
    case OpCode::kMean:
      instr.slot = mean_slots_++;
      break;
    case OpCode::kRose:
    case OpCode::kFell:
      instr.slot = edge_slots_++;
      break;
    case OpCode::kFor:
      instr.slot = hold_slots_++;
      break;
    default:
      break;
  }
  const auto reg = static_cast<uint32_t>(instrs_.size());
  instrs_.push_back(instr);
  index_.emplace(key, reg);
  return reg;
}

ProgramState::ProgramState(const Program& program)
    : regs_(program.size(), kNaN),
      rates_(program.rate_slots()),
      mins_(program.min_slots()),
      maxes_(program.max_slots()),
      means_(program.mean_slots()),
      edges_(program.edge_slots()),
      holds_(program.hold_slots()) {
  const std::vector<Instr>& code = program.instrs();
  auto is_const = [&](uint32_t reg) { return code[reg].op == OpCode::kConst; };
  for (uint32_t i = 0; i < code.size(); ++i) {
    const Instr& in = code[i];
    Step step{.dst = i, .a = in.a, .b = in.b, .window_ns = in.window_ns};
    switch (in.op) {
      case OpCode::kConst:
        regs_[i] = in.imm;
        continue;
      case OpCode::kLoad:
        loads_.push_back({i, in.a});
        continue;
      case OpCode::kLt:
      case OpCode::kLe:
      case OpCode::kGt:
      case OpCode::kGe:
        if (is_const(in.b)) {
          step.k = code[in.b].imm;
          step.op = in.op == OpCode::kLt   ? Exec::kLtK
                    : in.op == OpCode::kLe ? Exec::kLeK
                    : in.op == OpCode::kGt ? Exec::kGtK
                                           : Exec::kGeK;
        } else {
          step.op = in.op == OpCode::kLt   ? Exec::kLt
                    : in.op == OpCode::kLe ? Exec::kLe
                    : in.op == OpCode::kGt ? Exec::kGt
                                           : Exec::kGe;
        }
        break;
      case OpCode::kRate:
      case OpCode::kMin:
      case OpCode::kMax:
      case OpCode::kMean:
      case OpCode::kRose:
      case OpCode::kFell:
      case OpCode::kFor:
        step.b = in.slot;
        if (in.op == OpCode::kRate) {
          RateState& rs = rates_[in.slot];
          rs.columns_begin = static_cast<uint32_t>(rate_columns_.size());
          ColumnsOf(code, in.a, rate_columns_);
          rs.columns_count = static_cast<uint32_t>(rate_columns_.size()) - rs.columns_begin;
        }
        step.op = in.op == OpCode::kRate   ? Exec::kRate
                  : in.op == OpCode::kMin  ? Exec::kMin
                  : in.op == OpCode::kMax  ? Exec::kMax
                  : in.op == OpCode::kMean ? Exec::kMean
                  : in.op == OpCode::kRose ? Exec::kRose
                  : in.op == OpCode::kFell ? Exec::kFell
                                           : Exec::kFor;
        break;
      default:
        step.op = in.op == OpCode::kNeg   ? Exec::kNeg
                  : in.op == OpCode::kNot ? Exec::kNot
                  : in.op == OpCode::kAbs ? Exec::kAbs
                  : in.op == OpCode::kAdd ? Exec::kAdd
                  : in.op == OpCode::kSub ? Exec::kSub
                  : in.op == OpCode::kMul ? Exec::kMul
                  : in.op == OpCode::kDiv ? Exec::kDiv
                  : in.op == OpCode::kEq  ? Exec::kEq
                  : in.op == OpCode::kNe  ? Exec::kNe
                  : in.op == OpCode::kAnd ? Exec::kAnd
                                          : Exec::kOr;
        break;
    }
    steps_.push_back(step);
  }
  steps_.push_back(Step{.op = Exec::kEnd});
}

// Threaded dispatch: each step jumps straight to the next step's code through a table of label
// addresses (a GNU extension GCC and Clang both have), instead of returning to one switch at the
// top of a loop: about half the instructions per step of the loop-and-switch it replaced.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#ifdef __clang__
#pragma clang diagnostic ignored "-Wgnu-label-as-value"
#endif
void ProgramState::Evaluate(const Program& /*program*/, int64_t t_ns, const double* row,
                            const uint64_t* carried) {
  // In the order of Exec.
  static const void* const kCode[] = {
      &&neg,  &&not_, &&abs, &&add, &&sub,  &&mul,  &&div,  &&lt,   &&le,
      &&gt,   &&ge,   &&eq,  &&ne,  &&and_, &&or_,  &&lt_k, &&le_k, &&gt_k,
      &&ge_k, &&rate, &&min, &&max, &&mean, &&rose, &&fell, &&for_, &&end,
  };
  static_assert(std::size(kCode) == static_cast<size_t>(Exec::kEnd) + 1);
  double* const r = regs_.data();
  for (const Load& load : loads_) r[load.dst] = row[load.column];
  const Step* in = steps_.data();
#define FLEETCLIP_NEXT_STEP() goto* kCode[static_cast<size_t>((++in)->op)]
  goto* kCode[static_cast<size_t>(in->op)];
neg:
  r[in->dst] = -r[in->a];
  FLEETCLIP_NEXT_STEP();
not_:
  r[in->dst] = Truthy(r[in->a]) ? 0.0 : 1.0;
  FLEETCLIP_NEXT_STEP();
abs:
  r[in->dst] = std::fabs(r[in->a]);
  FLEETCLIP_NEXT_STEP();
add:
  r[in->dst] = r[in->a] + r[in->b];
  FLEETCLIP_NEXT_STEP();
sub:
  r[in->dst] = r[in->a] - r[in->b];
  FLEETCLIP_NEXT_STEP();
mul:
  r[in->dst] = r[in->a] * r[in->b];
  FLEETCLIP_NEXT_STEP();
div:
  r[in->dst] = r[in->a] / r[in->b];
  FLEETCLIP_NEXT_STEP();
lt:
  r[in->dst] = r[in->a] < r[in->b] ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
le:
  r[in->dst] = r[in->a] <= r[in->b] ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
gt:
  r[in->dst] = r[in->a] > r[in->b] ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
ge:
  r[in->dst] = r[in->a] >= r[in->b] ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
eq:
  r[in->dst] = r[in->a] == r[in->b] ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
ne : {
  const double x = r[in->a], y = r[in->b];
  r[in->dst] = x != y && x == x && y == y ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
}
and_:
  r[in->dst] = Truthy(r[in->a]) && Truthy(r[in->b]) ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
or_:
  r[in->dst] = Truthy(r[in->a]) || Truthy(r[in->b]) ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
lt_k:
  r[in->dst] = r[in->a] < in->k ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
le_k:
  r[in->dst] = r[in->a] <= in->k ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
gt_k:
  r[in->dst] = r[in->a] > in->k ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
ge_k:
  r[in->dst] = r[in->a] >= in->k ? 1.0 : 0.0;
  FLEETCLIP_NEXT_STEP();
rate : {
  RateState& s = rates_[in->b];
  bool updated = carried == nullptr || s.columns_count == 0;
  for (uint32_t c = s.columns_begin; !updated && c < s.columns_begin + s.columns_count; ++c) {
    const uint32_t col = rate_columns_[c];
    updated = (carried[col / 64] >> (col % 64) & 1) != 0;
  }
  const double v = r[in->a];
  if (!updated) {
    // Held like a signal, until the gap makes it meaningless.
    r[in->dst] = s.valid && t_ns - s.t_ns <= kMaxRateGapNs ? s.rate : kNaN;
  } else if (std::isnan(v)) {
    r[in->dst] = kNaN;
  } else {
    const int64_t dt = t_ns - s.t_ns;
    const double rate = s.valid && dt > 0 && dt <= kMaxRateGapNs
                            ? (v - s.value) * 1e9 / static_cast<double>(dt)
                            : kNaN;
    r[in->dst] = rate;
    s.t_ns = t_ns;
    s.value = v;
    s.rate = rate;
    s.valid = true;
  }
  FLEETCLIP_NEXT_STEP();
}
min:
  r[in->dst] = mins_[in->b].Update(t_ns, r[in->a], in->window_ns);
  FLEETCLIP_NEXT_STEP();
max:
  r[in->dst] = maxes_[in->b].Update(t_ns, r[in->a], in->window_ns);
  FLEETCLIP_NEXT_STEP();
mean:
  r[in->dst] = means_[in->b].Update(t_ns, r[in->a], in->window_ns);
  FLEETCLIP_NEXT_STEP();
rose : {
  EdgeState& s = edges_[in->b];
  const int8_t now = Truthy(r[in->a]) ? 1 : 0;
  r[in->dst] = s.prev == 0 && now == 1 ? 1.0 : 0.0;
  s.prev = now;
  FLEETCLIP_NEXT_STEP();
}
fell : {
  EdgeState& s = edges_[in->b];
  const int8_t now = Truthy(r[in->a]) ? 1 : 0;
  r[in->dst] = s.prev == 1 && now == 0 ? 1.0 : 0.0;
  s.prev = now;
  FLEETCLIP_NEXT_STEP();
}
for_ : {
  HoldState& s = holds_[in->b];
  if (!Truthy(r[in->a])) {
    s.holding = false;
    r[in->dst] = 0.0;
  } else {
    if (!s.holding) s = {t_ns, true};
    r[in->dst] = t_ns - s.since_ns >= in->window_ns ? 1.0 : 0.0;
  }
  FLEETCLIP_NEXT_STEP();
}
end:
  return;
#undef FLEETCLIP_NEXT_STEP
}
#pragma GCC diagnostic pop

}  // namespace fleetclip::triggers

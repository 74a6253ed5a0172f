// Instruction emission with hash-consing and constant folding, and the evaluation loop.
#include "triggers/program.h"

#include <cmath>
#include <cstring>
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
      holds_(program.hold_slots()) {}

void ProgramState::Evaluate(const Program& program, int64_t t_ns, const double* row) {
  const Instr* code = program.instrs().data();
  const size_t n = program.size();
  double* r = regs_.data();
  for (size_t i = 0; i < n; ++i) {
    const Instr& in = code[i];
    switch (in.op) {
      case OpCode::kConst:
        r[i] = in.imm;
        break;
      case OpCode::kLoad:
        r[i] = row[in.a];
        break;
      case OpCode::kRate: {
        RateState& s = rates_[in.slot];
        const double v = r[in.a];
        if (std::isnan(v)) {
          r[i] = kNaN;
          break;
        }
        const int64_t dt = t_ns - s.t_ns;
        r[i] = s.valid && dt > 0 && dt <= kMaxRateGapNs
                   ? (v - s.value) * 1e9 / static_cast<double>(dt)
                   : kNaN;
        s = {t_ns, v, true};
        break;
      }
      case OpCode::kMin:
        r[i] = mins_[in.slot].Update(t_ns, r[in.a], in.window_ns);
        break;
      case OpCode::kMax:
        r[i] = maxes_[in.slot].Update(t_ns, r[in.a], in.window_ns);
        break;
      case OpCode::kMean:
        r[i] = means_[in.slot].Update(t_ns, r[in.a], in.window_ns);
        break;
      case OpCode::kRose:
      case OpCode::kFell: {
        EdgeState& s = edges_[in.slot];
        const int8_t now = Truthy(r[in.a]) ? 1 : 0;
        const bool edge =
            in.op == OpCode::kRose ? (s.prev == 0 && now == 1) : (s.prev == 1 && now == 0);
        r[i] = edge ? 1.0 : 0.0;
        s.prev = now;
        break;
      }
      case OpCode::kFor: {
        HoldState& s = holds_[in.slot];
        if (!Truthy(r[in.a])) {
          s.holding = false;
          r[i] = 0.0;
          break;
        }
        if (!s.holding) s = {t_ns, true};
        r[i] = t_ns - s.since_ns >= in.window_ns ? 1.0 : 0.0;
        break;
      }
      case OpCode::kNeg:
        r[i] = -r[in.a];
        break;
      case OpCode::kNot:
        r[i] = Truthy(r[in.a]) ? 0.0 : 1.0;
        break;
      case OpCode::kAbs:
        r[i] = std::fabs(r[in.a]);
        break;
      case OpCode::kAdd:
        r[i] = r[in.a] + r[in.b];
        break;
      case OpCode::kSub:
        r[i] = r[in.a] - r[in.b];
        break;
      case OpCode::kMul:
        r[i] = r[in.a] * r[in.b];
        break;
      case OpCode::kDiv:
        r[i] = r[in.a] / r[in.b];
        break;
      case OpCode::kLt:
        r[i] = r[in.a] < r[in.b] ? 1.0 : 0.0;
        break;
      case OpCode::kLe:
        r[i] = r[in.a] <= r[in.b] ? 1.0 : 0.0;
        break;
      case OpCode::kGt:
        r[i] = r[in.a] > r[in.b] ? 1.0 : 0.0;
        break;
      case OpCode::kGe:
        r[i] = r[in.a] >= r[in.b] ? 1.0 : 0.0;
        break;
      default:  // kEq, kNe, kAnd, kOr
        r[i] = Apply(in.op, r[in.a], r[in.b]);
        break;
    }
  }
}

}  // namespace fleetclip::triggers

// The flat form a rule set compiles to, and its per-frame evaluation. Every rule of a config is
// compiled into one shared instruction list in dependency order; instruction i writes register i,
// reading only registers of earlier instructions. Identical subexpressions are emitted once
// (hash-consing), so fifty rules that all test `speed > 8` or `rate(steering_angle)` pay for it
// once per frame. There is no short-circuit: stateful instructions (rate, windows, edges, `for`)
// must see every frame to stay correct.
//
// Values are doubles. A signal not yet received reads as NaN; arithmetic propagates NaN and any
// comparison with NaN is false. Booleans are 1.0 and 0.0; anything non-zero and not NaN is true.
#pragma once

#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "triggers/sample_window.h"

namespace fleetclip::triggers {

enum class OpCode : uint8_t {
  kConst,  // imm
  kLoad,   // signal column a of the current row
  kNeg,
  kNot,
  kAbs,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
  kRate,  // d(a)/dt per second between the last two frames that carried a's signals
  kMin,   // over window_ns
  kMax,
  kMean,
  kRose,  // a went false -> true on this frame
  kFell,  // a went true -> false on this frame
  kFor,   // a has been true for at least window_ns
};

struct Instr {
  OpCode op = OpCode::kConst;
  uint32_t a = 0;
  uint32_t b = 0;
  uint32_t slot = 0;  // index into the state vector of a stateful op
  double imm = 0;
  int64_t window_ns = 0;
};

// Immutable once built; many ProgramStates may run one Program.
class Program {
 public:
  // Appends `instr` unless an identical one exists; returns its register. Constant operands of
  // pure arithmetic are folded.
  uint32_t Emit(Instr instr);

  const std::vector<Instr>& instrs() const { return instrs_; }
  size_t size() const { return instrs_.size(); }
  uint32_t rate_slots() const { return rate_slots_; }
  uint32_t min_slots() const { return min_slots_; }
  uint32_t max_slots() const { return max_slots_; }
  uint32_t mean_slots() const { return mean_slots_; }
  uint32_t edge_slots() const { return edge_slots_; }
  uint32_t hold_slots() const { return hold_slots_; }

 private:
  struct KeyHash {
    size_t operator()(const Instr& i) const;
  };
  struct KeyEq {
    bool operator()(const Instr& x, const Instr& y) const;
  };
  std::vector<Instr> instrs_;
  std::unordered_map<Instr, uint32_t, KeyHash, KeyEq> index_;
  uint32_t rate_slots_ = 0, min_slots_ = 0, max_slots_ = 0, mean_slots_ = 0, edge_slots_ = 0,
           hold_slots_ = 0;
};

// The registers and the memory of the stateful instructions of one running Program.
// Built from a finished Program, which must not change afterwards: the constructor sets the
// constant registers once and keeps the rest as a compact list of steps, signal loads first.
// Not thread-safe: one evaluating thread.
class ProgramState {
 public:
  explicit ProgramState(const Program& program);

  // Runs every instruction of `program` (the one this state was built from) for a frame at `t_ns`
  // whose signal values are `row` (one per catalogue column). Frames must come in strictly
  // increasing time. `carried` (a bit per column, SignalHistory's presence bitmap) says which
  // columns the frame itself carried; rate(x) moves only on frames that carried one of the
  // signals x reads and holds its last value on the others, so signals arriving in different
  // messages do not read as rate 0 between them. nullptr: the frame carried every column.
  void Evaluate(const Program& program, int64_t t_ns, const double* row,
                const uint64_t* carried = nullptr);

  double reg(uint32_t i) const { return regs_[i]; }
  const double* regs() const { return regs_.data(); }

 private:
  // What a step does: an OpCode other than kConst and kLoad, or a comparison with a constant.
  // Evaluate dispatches on it through a table of labels in this order.
  enum class Exec : uint8_t {
    kNeg,
    kNot,
    kAbs,
    kAdd,
    kSub,
    kMul,
    kDiv,
    kLt,
    kLe,
    kGt,
    kGe,
    kEq,
    kNe,
    kAnd,
    kOr,
    kLtK,  // r[a] < k
    kLeK,
    kGtK,
    kGeK,
    kRate,
    kMin,
    kMax,
    kMean,
    kRose,
    kFell,
    kFor,
    kEnd,  // the last step: Evaluate returns
  };
  struct Step {
    Exec op = Exec::kNeg;
    uint32_t dst = 0;
    uint32_t a = 0;
    uint32_t b = 0;  // or the slot of a stateful op
    double k = 0;    // the constant of kLtK..kGeK
    int64_t window_ns = 0;
  };
  struct Load {
    uint32_t dst;
    uint32_t column;
  };
  struct RateState {
    int64_t t_ns = 0;
    double value = 0;
    double rate = 0;  // the last rate, held on frames that do not carry the operand's signals
    bool valid = false;
    uint32_t columns_begin = 0;  // into rate_columns_: the columns the operand reads
    uint32_t columns_count = 0;  // 0: a constant operand, updated on every frame
  };
  struct EdgeState {
    int8_t prev = -1;  // -1 before the first frame: no edge can be seen yet
  };
  struct HoldState {
    int64_t since_ns = 0;
    bool holding = false;
  };
  std::vector<double> regs_;
  std::vector<Load> loads_;
  std::vector<Step> steps_;
  std::vector<RateState> rates_;
  std::vector<uint32_t> rate_columns_;
  std::vector<ExtremumWindow<false>> mins_;
  std::vector<ExtremumWindow<true>> maxes_;
  std::vector<MeanWindow> means_;
  std::vector<EdgeState> edges_;
  std::vector<HoldState> holds_;
};

// |v| > 0 is false for 0, -0 and NaN alike: one comparison, no branch.
inline bool Truthy(double v) { return std::fabs(v) > 0.0; }

}  // namespace fleetclip::triggers

// The syntax tree of one rule expression, as the parser produces it and the compiler consumes it.
// It lives only while a config is compiled; evaluation runs on the flat Program instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fleetclip::triggers {

enum class ExprOp {
  // leaves
  kNumber,    // number_
  kDuration,  // duration_ns; only valid as the argument of `for` or a window
  kSignal,    // name
  // unary
  kNeg,
  kNot,
  // binary, in the order of the grammar's precedence levels
  kOr,
  kAnd,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kFor,  // args[0] held for args[1] (a duration)
  // calls; `name` holds the function
  kCall,
};

struct ExprNode {
  ExprOp op = ExprOp::kNumber;
  int col = 0;  // 1-based column of the token that names this node
  double number = 0;
  int64_t duration_ns = 0;
  std::string name;
  std::vector<std::unique_ptr<ExprNode>> args;
};

using ExprPtr = std::unique_ptr<ExprNode>;

}  // namespace fleetclip::triggers

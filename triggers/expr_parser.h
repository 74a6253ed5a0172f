// Parser for the rule language (DESIGN.md section 5). Grammar, loosest binding first:
//
//   expr    := and ( "or" and )*
//   and     := not ( "and" not )*
//   not     := "not" not | held
//   held    := compare ( "for" DURATION )?          accel_long < -3.5 for 300ms
//   compare := sum ( ("<"|"<="|">"|">="|"=="|"!=") sum )?
//   sum     := product ( ("+"|"-") product )*
//   product := unary ( ("*"|"/") unary )*
//   unary   := "-" unary | primary
//   primary := NUMBER | DURATION | "true" | "false" | NAME | NAME "(" expr ("," expr)* ")"
//            | "(" expr ")"
//
// NUMBER is a decimal such as 3.5; DURATION is a number with a unit: 500us, 300ms, 2s, 1min.
// Errors name the 1-based column and the problem: `col 17: expected ")" but found "and"`.
// Names are resolved against the signal catalogue by the compiler, not here.
#pragma once

#include <string_view>

#include "common/result.h"
#include "triggers/expr_ast.h"

namespace fleetclip::triggers {

inline constexpr size_t kMaxExprChars = 4096;
inline constexpr int kMaxExprDepth = 64;

Result<ExprPtr> ParseExpr(std::string_view text);

}  // namespace fleetclip::triggers

// Tokens of the rule language. The lexer turns an expression into a token list up front so the
// parser can look ahead freely and every token keeps the column an error message will point at.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip::triggers {

enum class TokenKind {
  kNumber,    // 3.5
  kDuration,  // 300ms (value in duration_ns)
  kName,      // speed, model.steering_pred, and, or, not, for, true, false
  kOp,        // + - * / < <= > >= == !=
  kLParen,
  kRParen,
  kComma,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int col = 0;  // 1-based
  std::string text;
  double number = 0;
  int64_t duration_ns = 0;
};

// Splits `text` into tokens ending with kEnd. Errors: `col 5: unknown unit "km" in "3km"`.
Result<std::vector<Token>> Tokenize(std::string_view text);

// An invalid-argument error pointing at a column of the expression: `col 5: …`.
Error ErrorAtCol(int col, const std::string& message);

// How a token reads in an error message: `"and"`, `end of expression`.
std::string Describe(const Token& token);

}  // namespace fleetclip::triggers

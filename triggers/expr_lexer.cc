// Tokenizer for the rule language: numbers with optional time units, names, operators.
#include "triggers/expr_lexer.h"

#include <charconv>
#include <cmath>

namespace fleetclip::triggers {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '.'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds per unit, or 0 when `unit` is not a time unit.
int64_t UnitNanos(std::string_view unit) {
  if (unit == "us") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "min") return 60'000'000'000;
  return 0;
}

}  // namespace

Error ErrorAtCol(int col, const std::string& message) {
  return Error(ErrorCode::kInvalidArgument, "col " + std::to_string(col) + ": " + message);
}

std::string Describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of expression";
  return "\"" + token.text + "\"";
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const int col = static_cast<int>(i) + 1;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.col = col;
    if (IsDigit(c) || (c == '.' && i + 1 < text.size() && IsDigit(text[i + 1]))) {
      size_t end = i;
      while (end < text.size() && (IsDigit(text[end]) || text[end] == '.')) ++end;
      const std::string_view digits = text.substr(i, end - i);
      double value = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value)) {
        return ErrorAtCol(col, "bad number \"" + std::string(digits) + "\"");
      }
      size_t unit_end = end;
      while (unit_end < text.size() && IsNameChar(text[unit_end])) ++unit_end;
      const std::string_view unit = text.substr(end, unit_end - end);
      t.text = std::string(text.substr(i, unit_end - i));
      if (unit.empty()) {
        t.kind = TokenKind::kNumber;
        t.number = value;
      } else {
        const int64_t per_unit = UnitNanos(unit);
        if (per_unit == 0) {
          return ErrorAtCol(col, "unknown unit \"" + std::string(unit) + "\" in \"" + t.text +
                                     "\" (time units: us, ms, s, min)");
        }
        const double ns = value * static_cast<double>(per_unit);
        if (ns > 86'400e9) return ErrorAtCol(col, "duration " + t.text + " is longer than a day");
        t.kind = TokenKind::kDuration;
        t.duration_ns = static_cast<int64_t>(std::llround(ns));
      }
      i = unit_end;
    } else if (IsNameStart(c)) {
      size_t end = i;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      t.kind = TokenKind::kName;
      t.text = std::string(text.substr(i, end - i));
      i = end;
    } else if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? TokenKind::kLParen : c == ')' ? TokenKind::kRParen : TokenKind::kComma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '+' || c == '-' || c == '*' || c == '/') {
      t.kind = TokenKind::kOp;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '<' || c == '>' || c == '=' || c == '!') {
      const bool has_eq = i + 1 < text.size() && text[i + 1] == '=';
      if ((c == '=' || c == '!') && !has_eq) {
        return ErrorAtCol(col,
                          std::string("unexpected \"") + c + "\" (did you mean \"" + c + "=\"?)");
      }
      t.kind = TokenKind::kOp;
      t.text = std::string(text.substr(i, has_eq ? 2 : 1));
      i += has_eq ? 2 : 1;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      std::string shown = byte >= 0x20 && byte < 0x7f ? std::string(1, c) : "\\x" + [&] {
        static constexpr char kHex[] = "0123456789abcdef";
        return std::string{kHex[byte >> 4], kHex[byte & 15]};
      }();
      return ErrorAtCol(col, "unexpected character \"" + shown + "\"");
    }
    tokens.push_back(std::move(t));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.col = static_cast<int>(text.size()) + 1;
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace fleetclip::triggers

// Splits DBC text into tokens (can/dbc_lexer.h).
#include "can/dbc_lexer.h"

namespace fleetclip::can {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

}  // namespace

Token DbcLexer::Peek() {
  if (!have_peek_) {
    peek_ = Scan();
    have_peek_ = true;
  }
  return peek_;
}

Token DbcLexer::Next() {
  if (have_peek_) {
    have_peek_ = false;
    return peek_;
  }
  return Scan();
}

Token DbcLexer::Scan() {
  bool line_start = pos_ == 0;
  bool indented = false;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') {
      line_start = true;
      indented = false;
      ++line_;
      column_ = 1;
      ++pos_;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (line_start) indented = true;
      ++column_;
      ++pos_;
    } else {
      break;
    }
  }
  Token t;
  t.line = line_;
  t.column = column_;
  t.at_line_start = line_start;
  t.indented = line_start && indented;
  if (pos_ >= text_.size()) return t;

  const size_t start = pos_;
  const char c = text_[pos_];
  auto advance = [this](size_t n) {
    pos_ += n;
    column_ += static_cast<uint32_t>(n);
  };
  if (c == '"') {
    size_t end = start + 1;
    uint32_t lines = 0;
    size_t last_newline = 0;
    while (end < text_.size() && text_[end] != '"') {
      if (text_[end] == '\\' && end + 1 < text_.size()) ++end;
      if (text_[end] == '\n') {
        ++lines;
        last_newline = end;
      }
      ++end;
    }
    if (end >= text_.size()) {
      t.kind = TokenKind::kPunct;
      t.text = text_.substr(start, 1);
      pos_ = text_.size();
      return t;
    }
    t.kind = TokenKind::kString;
    t.text = text_.substr(start + 1, end - start - 1);
    pos_ = end + 1;
    if (lines > 0) {
      line_ += lines;
      column_ = static_cast<uint32_t>(pos_ - last_newline);
    } else {
      column_ += static_cast<uint32_t>(pos_ - start);
    }
    return t;
  }
  const bool sign = (c == '-' || c == '+') && pos_ + 1 < text_.size() &&
                    (IsDigit(text_[pos_ + 1]) || text_[pos_ + 1] == '.');
  if (IsDigit(c) || sign || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
    size_t end = start + (sign ? 1 : 0);
    while (end < text_.size()) {
      const char d = text_[end];
      if (IsDigit(d) || d == '.') {
        ++end;
      } else if ((d == 'e' || d == 'E') && end + 1 < text_.size() &&
                 (IsDigit(text_[end + 1]) || ((text_[end + 1] == '-' || text_[end + 1] == '+') &&
                                              end + 2 < text_.size() && IsDigit(text_[end + 2])))) {
        end += 2;
      } else if ((d == 'x' || d == 'X') && end == start + 1 && c == '0') {
        ++end;
      } else if (IsIdentChar(d) && end > start + 1 &&
                 (text_[start + 1] == 'x' || text_[start + 1] == 'X')) {
        ++end;  // hex digits
      } else {
        break;
      }
    }
    t.kind = TokenKind::kNumber;
    t.text = text_.substr(start, end - start);
    advance(end - start);
    return t;
  }
  if (IsIdentStart(c)) {
    size_t end = start;
    while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    t.kind = TokenKind::kIdent;
    t.text = text_.substr(start, end - start);
    advance(end - start);
    return t;
  }
  t.kind = TokenKind::kPunct;
  t.text = text_.substr(start, 1);
  advance(1);
  return t;
}

std::string Describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of file";
  if (token.kind == TokenKind::kString) return "\"" + std::string(token.text) + "\"";
  return "'" + std::string(token.text) + "'";
}

}  // namespace fleetclip::can

// Tokens of a DBC file with their line and column, for the parser in dbc_parser.cc. DBC is a
// whitespace-separated format whose statements mostly end at ';' but some (BO_, SG_, BU_, NS_)
// at the end of the line, so the lexer also tells whether a newline came before a token.
// Numbers keep their text so the parser can tell integers from decimals and read 64-bit values
// exactly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fleetclip::can {

enum class TokenKind { kEnd, kIdent, kNumber, kString, kPunct };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // the token; for strings, without the quotes
  uint32_t line = 0;
  uint32_t column = 0;
  bool at_line_start = false;  // a newline (or the start of the file) came before it
  bool indented = false;       // at_line_start and preceded by spaces or tabs on its line
};

class DbcLexer {
 public:
  explicit DbcLexer(std::string_view text) : text_(text) {}

  // The next token; kEnd at the end. An unterminated string is returned as kPunct '"' so the
  // parser reports it where it starts.
  Token Next();
  Token Peek();

 private:
  Token Scan();
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  bool have_peek_ = false;
  Token peek_;
};

// "'BO_' at 3:1", "end of file": how an error message shows a token.
std::string Describe(const Token& token);

}  // namespace fleetclip::can

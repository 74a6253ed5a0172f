// Recursive-descent parser for the grammar in triggers/expr_parser.h. Depth is bounded so that a
// hostile or broken config cannot exhaust the stack.
#include "triggers/expr_parser.h"

#include "triggers/expr_lexer.h"

namespace fleetclip::triggers {
namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<ExprPtr> ParseAll() {
    Result<ExprPtr> e = ParseOr();
    if (!e.ok()) return e;
    if (Peek().kind != TokenKind::kEnd) {
      return Fail(Peek(), "expected an operator or the end of the expression but found " +
                              Describe(Peek()));
    }
    return e;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool IsName(const Token& t, std::string_view word) const {
    return t.kind == TokenKind::kName && t.text == word;
  }
  bool IsOp(const Token& t, std::string_view op) const {
    return t.kind == TokenKind::kOp && t.text == op;
  }
  static Error Fail(const Token& at, const std::string& message) {
    return Error(ErrorCode::kInvalidArgument, "col " + std::to_string(at.col) + ": " + message);
  }

  static ExprPtr Make(ExprOp op, int col) {
    auto n = std::make_unique<ExprNode>();
    n->op = op;
    n->col = col;
    return n;
  }
  static ExprPtr MakeBinary(ExprOp op, int col, ExprPtr lhs, ExprPtr rhs) {
    ExprPtr n = Make(op, col);
    n->args.push_back(std::move(lhs));
    n->args.push_back(std::move(rhs));
    return n;
  }

  // Tracks recursion depth for one nesting level; see kMaxExprDepth.
  struct DepthGuard {
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    int& depth_;
  };

  Result<ExprPtr> ParseOr() {
    DepthGuard guard(depth_);
    if (depth_ > kMaxExprDepth) {
      return Fail(Peek(), "expression nested deeper than " + std::to_string(kMaxExprDepth));
    }
    Result<ExprPtr> lhs = ParseAnd();
    if (!lhs.ok()) return lhs;
    ExprPtr e = std::move(lhs).value();
    while (IsName(Peek(), "or")) {
      const int col = Take().col;
      Result<ExprPtr> rhs = ParseAnd();
      if (!rhs.ok()) return rhs;
      e = MakeBinary(ExprOp::kOr, col, std::move(e), std::move(rhs).value());
    }
    return e;
  }

  Result<ExprPtr> ParseAnd() {
    Result<ExprPtr> lhs = ParseNot();
    if (!lhs.ok()) return lhs;
    ExprPtr e = std::move(lhs).value();
    while (IsName(Peek(), "and")) {
      const int col = Take().col;
      Result<ExprPtr> rhs = ParseNot();
      if (!rhs.ok()) return rhs;
      e = MakeBinary(ExprOp::kAnd, col, std::move(e), std::move(rhs).value());
    }
    return e;
  }

  Result<ExprPtr> ParseNot() {
    if (IsName(Peek(), "not")) {
      DepthGuard guard(depth_);
      if (depth_ > kMaxExprDepth) {
        return Fail(Peek(), "expression nested deeper than " + std::to_string(kMaxExprDepth));
      }
      const int col = Take().col;
      Result<ExprPtr> operand = ParseNot();
      if (!operand.ok()) return operand;
      ExprPtr n = Make(ExprOp::kNot, col);
      n->args.push_back(std::move(operand).value());
      return n;
    }
    return ParseHeld();
  }

  Result<ExprPtr> ParseHeld() {
    Result<ExprPtr> cond = ParseCompare();
    if (!cond.ok()) return cond;
    if (!IsName(Peek(), "for")) return cond;
    const int col = Take().col;
    const Token& d = Peek();
    if (d.kind != TokenKind::kDuration) {
      return Fail(d, "\"for\" needs a duration with a unit (e.g. 300ms) but found " + Describe(d));
    }
    ExprPtr dur = Make(ExprOp::kDuration, d.col);
    dur->duration_ns = Take().duration_ns;
    return MakeBinary(ExprOp::kFor, col, std::move(cond).value(), std::move(dur));
  }

  Result<ExprPtr> ParseCompare() {
    Result<ExprPtr> lhs = ParseSum();
    if (!lhs.ok()) return lhs;
    static constexpr std::pair<std::string_view, ExprOp> kOps[] = {
        {"<", ExprOp::kLt},  {"<=", ExprOp::kLe}, {">", ExprOp::kGt},
        {">=", ExprOp::kGe}, {"==", ExprOp::kEq}, {"!=", ExprOp::kNe}};
    for (const auto& [text, op] : kOps) {
      if (!IsOp(Peek(), text)) continue;
      const int col = Take().col;
      Result<ExprPtr> rhs = ParseSum();
      if (!rhs.ok()) return rhs;
      for (const auto& [again, unused] : kOps) {
        if (IsOp(Peek(), again)) {
          return Fail(Peek(), "comparisons do not chain; combine them with \"and\"");
        }
      }
      return MakeBinary(op, col, std::move(lhs).value(), std::move(rhs).value());
    }
    return lhs;
  }

  Result<ExprPtr> ParseSum() {
    Result<ExprPtr> lhs = ParseProduct();
    if (!lhs.ok()) return lhs;
    ExprPtr e = std::move(lhs).value();
    while (IsOp(Peek(), "+") || IsOp(Peek(), "-")) {
      const Token& op = Take();
      const ExprOp kind = op.text == "+" ? ExprOp::kAdd : ExprOp::kSub;
      Result<ExprPtr> rhs = ParseProduct();
      if (!rhs.ok()) return rhs;
      e = MakeBinary(kind, op.col, std::move(e), std::move(rhs).value());
    }
    return e;
  }

  Result<ExprPtr> ParseProduct() {
    Result<ExprPtr> lhs = ParseUnary();
    if (!lhs.ok()) return lhs;
    ExprPtr e = std::move(lhs).value();
    while (IsOp(Peek(), "*") || IsOp(Peek(), "/")) {
      const Token& op = Take();
      const ExprOp kind = op.text == "*" ? ExprOp::kMul : ExprOp::kDiv;
      Result<ExprPtr> rhs = ParseUnary();
      if (!rhs.ok()) return rhs;
      e = MakeBinary(kind, op.col, std::move(e), std::move(rhs).value());
    }
    return e;
  }

  Result<ExprPtr> ParseUnary() {
    if (!IsOp(Peek(), "-")) return ParsePrimary();
    DepthGuard guard(depth_);
    if (depth_ > kMaxExprDepth) {
      return Fail(Peek(), "expression nested deeper than " + std::to_string(kMaxExprDepth));
    }
    const int col = Take().col;
    Result<ExprPtr> operand = ParseUnary();
    if (!operand.ok()) return operand;
    ExprPtr operand_node = std::move(operand).value();
    if (operand_node->op == ExprOp::kNumber) {  // fold "-3.5" into one literal
      operand_node->number = -operand_node->number;
      operand_node->col = col;
      return operand_node;
    }
    ExprPtr n = Make(ExprOp::kNeg, col);
    n->args.push_back(std::move(operand_node));
    return n;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kNumber: {
        ExprPtr n = Make(ExprOp::kNumber, t.col);
        n->number = Take().number;
        return n;
      }
      case TokenKind::kDuration: {
        ExprPtr n = Make(ExprOp::kDuration, t.col);
        n->duration_ns = Take().duration_ns;
        return n;
      }
      case TokenKind::kLParen: {
        Take();
        Result<ExprPtr> inner = ParseOr();
        if (!inner.ok()) return inner;
        if (Peek().kind != TokenKind::kRParen) {
          return Fail(Peek(), "expected \")\" but found " + Describe(Peek()));
        }
        Take();
        return inner;
      }
      case TokenKind::kName:
        return ParseName();
      default:
        return Fail(t, "expected a number, signal or function but found " + Describe(t));
    }
  }

  Result<ExprPtr> ParseName() {
    const Token& t = Take();
    for (std::string_view keyword : {"and", "or", "not", "for"}) {
      if (t.text == keyword) {
        return Fail(t, "expected a number, signal or function but found \"" + t.text + "\"");
      }
    }
    if (t.text == "true" || t.text == "false") {
      ExprPtr n = Make(ExprOp::kNumber, t.col);
      n->number = t.text == "true" ? 1.0 : 0.0;
      return n;
    }
    if (Peek().kind != TokenKind::kLParen) {
      ExprPtr n = Make(ExprOp::kSignal, t.col);
      n->name = t.text;
      return n;
    }
    Take();
    ExprPtr call = Make(ExprOp::kCall, t.col);
    call->name = t.text;
    if (Peek().kind != TokenKind::kRParen) {
      while (true) {
        Result<ExprPtr> arg = ParseOr();
        if (!arg.ok()) return arg;
        call->args.push_back(std::move(arg).value());
        if (Peek().kind != TokenKind::kComma) break;
        Take();
      }
    }
    if (Peek().kind != TokenKind::kRParen) {
      return Fail(Peek(), "expected \",\" or \")\" in the call of " + t.text + " but found " +
                              Describe(Peek()));
    }
    Take();
    return call;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<ExprPtr> ParseExpr(std::string_view text) {
  if (text.size() > kMaxExprChars) {
    return Error(ErrorCode::kInvalidArgument, "expression is " + std::to_string(text.size()) +
                                                  " characters; at most " +
                                                  std::to_string(kMaxExprChars));
  }
  Result<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.error();
  if (tokens->size() == 1) return Error(ErrorCode::kInvalidArgument, "col 1: empty expression");
  return Parser(std::move(tokens).value()).ParseAll();
}

}  // namespace fleetclip::triggers

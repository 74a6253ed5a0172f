// The DBC parser (can/dbc.h): statements in, a checked Dbc out. Statements the decoder does not
// need are skipped by their shape: those that end at ';' up to it, the line-ended ones (VERSION,
// BS_, BU_) to the end of their line, NS_ with its indented keyword list.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "can/bit_layout.h"
#include "can/dbc.h"
#include "can/dbc_lexer.h"

namespace fleetclip::can {
namespace {

constexpr uint32_t kExtendedFlag = 0x80000000u;
// Decode plans index signals with 16 bits; real messages have a few dozen.
constexpr size_t kMaxSignalsPerMessage = 4096;
// Vector's pseudo message that holds signals belonging to no message.
constexpr uint32_t kIndependentSignalsId = 0xC0000000u;

// Statements that end at ';' which the decoder does not need.
bool EndsAtSemicolon(std::string_view keyword) {
  static constexpr std::string_view kKeywords[] = {
      "CM_",         "BA_DEF_",         "BA_",
      "BA_DEF_DEF_", "VAL_TABLE_",      "BO_TX_BU_",
      "EV_",         "ENVVAR_DATA_",    "SIG_GROUP_",
      "SGTYPE_",     "SIG_TYPE_REF_",   "BA_DEF_SGTYPE_",
      "BA_SGTYPE_",  "SGTYPE_VAL_",     "BA_DEF_REL_",
      "BA_REL_",     "BA_DEF_DEF_REL_", "BU_SG_REL_",
      "BU_EV_REL_",  "BU_BO_REL_",      "CAT_DEF_",
      "CAT_",        "FILTER",          "SIG_VALTYPE_"};
  return std::find(std::begin(kKeywords), std::end(kKeywords), keyword) != std::end(kKeywords);
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view file) : lex_(text) { dbc_.file = file; }

  Result<Dbc> Run() {
    while (true) {
      const Token t = lex_.Next();
      if (t.kind == TokenKind::kEnd) break;
      if (t.kind != TokenKind::kIdent) return ErrorAt(t, "expected a keyword, got " + Describe(t));
      Status s = Statement(t);
      if (!s.ok()) return s.error();
    }
    if (Status s = Resolve(); !s.ok()) return s.error();
    return std::move(dbc_);
  }

 private:
  Error ErrorAt(const Token& t, const std::string& message) const {
    return Error(ErrorCode::kInvalidArgument, dbc_.file + ":" + std::to_string(t.line) + ":" +
                                                  std::to_string(t.column) + ": " + message);
  }
  Error ErrorAtLine(uint32_t line, const std::string& message) const {
    return Error(ErrorCode::kInvalidArgument,
                 dbc_.file + ":" + std::to_string(line) + ":1: " + message);
  }

  Result<Token> Expect(TokenKind kind, std::string_view punct, const std::string& what) {
    const Token t = lex_.Next();
    if (t.kind == kind && (punct.empty() || t.text == punct)) return t;
    return ErrorAt(t, "expected " + what + ", got " + Describe(t));
  }
  Status ExpectPunct(std::string_view p, const std::string& context) {
    Result<Token> t = Expect(TokenKind::kPunct, p, "'" + std::string(p) + "' " + context);
    if (!t.ok()) return t.error();
    return Ok();
  }

  Result<uint64_t> Unsigned(const std::string& what, uint64_t max) {
    Result<Token> t = Expect(TokenKind::kNumber, "", what);
    if (!t.ok()) return t.error();
    uint64_t v = 0;
    const char* end = t->text.data() + t->text.size();
    auto [p, ec] = std::from_chars(t->text.data(), end, v);
    if (ec != std::errc() || p != end || v > max) {
      return ErrorAt(*t, what + " must be an integer 0.." + std::to_string(max) + ", got '" +
                             std::string(t->text) + "'");
    }
    return v;
  }

  Result<double> Real(const std::string& what) {
    Result<Token> t = Expect(TokenKind::kNumber, "", what);
    if (!t.ok()) return t.error();
    std::string_view text = t->text;
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    double v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end) {
      return ErrorAt(*t, what + " must be a number, got '" + std::string(t->text) + "'");
    }
    return v;
  }

  // Skips to the next token that starts a line (`indented_too`: that starts a line without
  // indentation, which skips NS_'s indented keyword list).
  void SkipLine(bool indented_too = false) {
    while (true) {
      const Token t = lex_.Peek();
      if (t.kind == TokenKind::kEnd || (t.at_line_start && !(indented_too && t.indented))) return;
      lex_.Next();
    }
  }

  Status SkipToSemicolon(const Token& keyword) {
    while (true) {
      const Token t = lex_.Next();
      if (t.kind == TokenKind::kEnd) {
        return ErrorAt(keyword, Describe(keyword) + " has no closing ';'");
      }
      if (t.kind == TokenKind::kPunct && t.text == "\"") {
        return ErrorAt(t, "unterminated string");
      }
      if (t.kind == TokenKind::kPunct && t.text == ";") return Ok();
    }
  }

  Status Statement(const Token& keyword) {
    const std::string_view k = keyword.text;
    if (k != "SG_") current_ = -1;
    if (k == "BO_") return Message(keyword);
    if (k == "SG_") return Signal(keyword);
    if (k == "VAL_") return Values(keyword);
    if (k == "SIG_VALTYPE_") return ValueType(keyword);
    if (k == "SG_MUL_VAL_") return MuxValues(keyword);
    if (EndsAtSemicolon(k)) return SkipToSemicolon(keyword);
    // VERSION "...", BS_: ..., BU_: nodes, NS_ : and its indented list, and anything newer.
    SkipLine(/*indented_too=*/k == "NS_");
    return Ok();
  }

  Status Message(const Token& keyword) {
    Result<uint64_t> raw_id = Unsigned("BO_ message id", 0xFFFFFFFFu);
    if (!raw_id.ok()) return raw_id.error();
    Result<Token> name =
        Expect(TokenKind::kIdent, "", "a message name after BO_ " + std::to_string(*raw_id));
    if (!name.ok()) return name.error();
    if (Status s = ExpectPunct(":", "after the message name"); !s.ok()) return s;
    Result<uint64_t> dlc = Unsigned("BO_ " + std::string(name->text) + " size in bytes", 64);
    if (!dlc.ok()) return dlc.error();
    std::string transmitter;
    if (lex_.Peek().kind == TokenKind::kIdent && !lex_.Peek().at_line_start) {
      transmitter = lex_.Next().text;
    }
    const uint32_t id32 = static_cast<uint32_t>(*raw_id);
    if (id32 == kIndependentSignalsId) {  // signals that belong to no message: not decodable
      current_ = -2;
      return Ok();
    }
    DbcMessage m;
    m.extended = (id32 & kExtendedFlag) != 0;
    m.id = id32 & ~kExtendedFlag;
    m.name = name->text;
    m.size_bytes = static_cast<uint32_t>(*dlc);
    m.transmitter = std::move(transmitter);
    m.line = keyword.line;
    if (!m.extended && m.id > 0x7FF) {
      return ErrorAt(keyword, "BO_ " + m.name + ": standard id " + std::to_string(m.id) +
                                  " is above 2047 (extended ids have bit 31 set)");
    }
    if (m.extended && m.id > 0x1FFFFFFF) {
      return ErrorAt(keyword, "BO_ " + m.name + ": extended id " + std::to_string(m.id) +
                                  " is above 0x1FFFFFFF");
    }
    for (const DbcMessage& other : dbc_.messages) {
      if (other.id == m.id && other.extended == m.extended) {
        return ErrorAt(keyword, "BO_ " + m.name + ": id " + std::to_string(*raw_id) +
                                    " is already message " + other.name + " (line " +
                                    std::to_string(other.line) + ")");
      }
      if (other.name == m.name) {
        return ErrorAt(
            keyword, "BO_ " + m.name + ": name already used on line " + std::to_string(other.line));
      }
    }
    dbc_.messages.push_back(std::move(m));
    current_ = static_cast<int64_t>(dbc_.messages.size() - 1);
    // Whatever follows on the line (some tools write more) is not part of the message.
    SkipLine();
    return Ok();
  }

  Status Signal(const Token& keyword) {
    if (current_ == -1) return ErrorAt(keyword, "SG_ outside a message (no BO_ before it)");
    Result<Token> name = Expect(TokenKind::kIdent, "", "a signal name after SG_");
    if (!name.ok()) return name.error();
    DbcSignal s;
    s.name = name->text;
    s.line = keyword.line;
    const std::string ctx = "SG_ " + s.name;
    std::optional<uint64_t> mux_value;
    if (lex_.Peek().kind == TokenKind::kIdent) {
      const Token mux = lex_.Next();
      std::string_view m = mux.text;
      if (m == "M") {
        s.is_multiplexer = true;
      } else if (m.size() >= 2 && m[0] == 'm') {
        std::string_view digits = m.substr(1);
        if (digits.back() == 'M') {
          s.is_multiplexer = true;
          digits.remove_suffix(1);
        }
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
          return ErrorAt(mux, ctx + ": multiplexer indicator must be M, mN or mNM, got '" +
                                  std::string(m) + "'");
        }
        mux_value = v;
      } else {
        return ErrorAt(mux, ctx + ": multiplexer indicator must be M, mN or mNM, got '" +
                                std::string(m) + "'");
      }
    }
    if (Status st = ExpectPunct(":", "after " + ctx); !st.ok()) return st;
    Result<uint64_t> start = Unsigned(ctx + " start bit", 511);
    if (!start.ok()) return start.error();
    if (Status st = ExpectPunct("|", "after the start bit of " + ctx); !st.ok()) return st;
    const Token len_token = lex_.Peek();
    Result<uint64_t> length = Unsigned(ctx + " length", 64);
    if (!length.ok()) return length.error();
    if (*length == 0) return ErrorAt(len_token, ctx + " length must be 1..64 bits, got 0");
    if (Status st = ExpectPunct("@", "after the length of " + ctx); !st.ok()) return st;
    Result<uint64_t> order = Unsigned(ctx + " byte order (0 Motorola, 1 Intel)", 1);
    if (!order.ok()) return order.error();
    Result<Token> sign = Expect(TokenKind::kPunct, "", "'+' or '-' after the byte order of " + ctx);
    if (!sign.ok()) return sign.error();
    if (sign->text != "+" && sign->text != "-") {
      return ErrorAt(
          *sign, "expected '+' or '-' after the byte order of " + ctx + ", got " + Describe(*sign));
    }
    if (Status st = ExpectPunct("(", "before the factor of " + ctx); !st.ok()) return st;
    Result<double> factor = Real(ctx + " factor");
    if (!factor.ok()) return factor.error();
    if (Status st = ExpectPunct(",", "after the factor of " + ctx); !st.ok()) return st;
    Result<double> offset = Real(ctx + " offset");
    if (!offset.ok()) return offset.error();
    if (Status st = ExpectPunct(")", "after the offset of " + ctx); !st.ok()) return st;
    if (Status st = ExpectPunct("[", "before the minimum of " + ctx); !st.ok()) return st;
    Result<double> min = Real(ctx + " minimum");
    if (!min.ok()) return min.error();
    if (Status st = ExpectPunct("|", "after the minimum of " + ctx); !st.ok()) return st;
    Result<double> max = Real(ctx + " maximum");
    if (!max.ok()) return max.error();
    if (Status st = ExpectPunct("]", "after the maximum of " + ctx); !st.ok()) return st;
    Result<Token> unit = Expect(TokenKind::kString, "", "a quoted unit for " + ctx);
    if (!unit.ok()) return unit.error();
    // Receivers: names separated by ',' up to the end of the line.
    while (true) {
      const Token t = lex_.Peek();
      if (t.kind == TokenKind::kEnd || t.at_line_start) break;
      lex_.Next();
    }
    if (current_ == -2) return Ok();  // a signal of the independent-signals pseudo message
    s.start_bit = static_cast<uint32_t>(*start);
    s.length = static_cast<uint32_t>(*length);
    s.order = *order == 1 ? ByteOrder::kIntel : ByteOrder::kMotorola;
    s.is_signed = sign->text == "-";
    s.factor = *factor;
    s.offset = *offset;
    s.min = *min;
    s.max = *max;
    s.unit = unit->text;
    if (*max < *min) {
      return ErrorAt(keyword, ctx + ": maximum " + std::string(std::to_string(*max)) +
                                  " is below minimum " + std::to_string(*min));
    }
    DbcMessage& m = dbc_.messages[static_cast<size_t>(current_)];
    const BitSpan span = SignalBits(s.order, s.start_bit, s.length);
    if (span.last_byte >= m.size_bytes ||
        (s.order == ByteOrder::kMotorola && s.start_bit / 8 >= m.size_bytes)) {
      return ErrorAt(keyword, ctx + ": bits " + std::to_string(s.start_bit) + "|" +
                                  std::to_string(s.length) + "@" + std::to_string(*order) +
                                  " reach byte " + std::to_string(span.last_byte) +
                                  ", beyond the " + std::to_string(m.size_bytes) +
                                  "-byte message " + m.name);
    }
    if (m.signals.size() >= kMaxSignalsPerMessage) {
      return ErrorAt(keyword, ctx + ": message " + m.name + " has more than " +
                                  std::to_string(kMaxSignalsPerMessage) + " signals");
    }
    if (m.FindSignal(s.name) != nullptr) {
      return ErrorAt(*name, ctx + ": a second signal of that name in message " + m.name);
    }
    if (mux_value) {
      pending_simple_.push_back({static_cast<size_t>(current_), m.signals.size(), *mux_value});
    }
    m.signals.push_back(std::move(s));
    return Ok();
  }

  Result<std::pair<DbcMessage*, DbcSignal*>> FindTarget(const Token& keyword, uint64_t raw_id,
                                                        const Token& signal_name) {
    const uint32_t id32 = static_cast<uint32_t>(raw_id);
    for (DbcMessage& m : dbc_.messages) {
      if (m.id == (id32 & ~kExtendedFlag) && m.extended == ((id32 & kExtendedFlag) != 0)) {
        for (DbcSignal& s : m.signals) {
          if (s.name == signal_name.text) return std::make_pair(&m, &s);
        }
        return ErrorAt(signal_name, Describe(keyword) + ": message " + m.name + " has no signal '" +
                                        std::string(signal_name.text) + "'");
      }
    }
    return ErrorAt(keyword, Describe(keyword) + ": no message with id " + std::to_string(raw_id));
  }

  Status Values(const Token& keyword) {
    if (lex_.Peek().kind != TokenKind::kNumber) return SkipToSemicolon(keyword);  // env. variable
    Result<uint64_t> id = Unsigned("VAL_ message id", 0xFFFFFFFFu);
    if (!id.ok()) return id.error();
    Result<Token> name =
        Expect(TokenKind::kIdent, "", "a signal name after VAL_ " + std::to_string(*id));
    if (!name.ok()) return name.error();
    std::vector<ValueLabel> labels;
    while (true) {
      const Token t = lex_.Next();
      if (t.kind == TokenKind::kPunct && t.text == ";") break;
      if (t.kind != TokenKind::kNumber) {
        return ErrorAt(
            t, "VAL_ " + std::string(name->text) + ": expected a value or ';', got " + Describe(t));
      }
      int64_t raw = 0;
      const char* end = t.text.data() + t.text.size();
      auto [p, ec] = std::from_chars(t.text.data(), end, raw);
      if (ec != std::errc() || p != end) {
        return ErrorAt(t, "VAL_ " + std::string(name->text) + ": value must be an integer, got '" +
                              std::string(t.text) + "'");
      }
      Result<Token> label =
          Expect(TokenKind::kString, "", "a quoted description after " + std::string(t.text));
      if (!label.ok()) return label.error();
      labels.push_back({raw, std::string(label->text)});
    }
    if (static_cast<uint32_t>(*id) == kIndependentSignalsId) return Ok();
    auto target = FindTarget(keyword, *id, *name);
    if (!target.ok()) return target.error();
    std::stable_sort(labels.begin(), labels.end(),
                     [](const ValueLabel& a, const ValueLabel& b) { return a.raw < b.raw; });
    target->second->labels = std::move(labels);
    return Ok();
  }

  Status ValueType(const Token& keyword) {
    Result<uint64_t> id = Unsigned("SIG_VALTYPE_ message id", 0xFFFFFFFFu);
    if (!id.ok()) return id.error();
    Result<Token> name = Expect(TokenKind::kIdent, "", "a signal name after SIG_VALTYPE_");
    if (!name.ok()) return name.error();
    if (Status st = ExpectPunct(":", "after the signal name"); !st.ok()) return st;
    const Token type_token = lex_.Peek();
    Result<uint64_t> type = Unsigned("SIG_VALTYPE_ " + std::string(name->text) + " type", 2);
    if (!type.ok()) return type.error();
    if (Status st = ExpectPunct(";", "after SIG_VALTYPE_"); !st.ok()) return st;
    if (static_cast<uint32_t>(*id) == kIndependentSignalsId) return Ok();
    auto target = FindTarget(keyword, *id, *name);
    if (!target.ok()) return target.error();
    DbcSignal& s = *target->second;
    const uint32_t want = *type == 1 ? 32 : 64;
    if (*type != 0 && s.length != want) {
      return ErrorAt(type_token, "SIG_VALTYPE_ " + s.name + ": type " + std::to_string(*type) +
                                     " (" + (*type == 1 ? "float" : "double") + ") needs a " +
                                     std::to_string(want) + "-bit signal, it has " +
                                     std::to_string(s.length) + " bits (line " +
                                     std::to_string(s.line) + ")");
    }
    s.type =
        *type == 0 ? ValueType::kInteger : (*type == 1 ? ValueType::kFloat32 : ValueType::kFloat64);
    return Ok();
  }

  Status MuxValues(const Token& keyword) {
    Result<uint64_t> id = Unsigned("SG_MUL_VAL_ message id", 0xFFFFFFFFu);
    if (!id.ok()) return id.error();
    Result<Token> name = Expect(TokenKind::kIdent, "", "a signal name after SG_MUL_VAL_");
    if (!name.ok()) return name.error();
    Result<Token> switch_name = Expect(TokenKind::kIdent, "", "the switch signal's name");
    if (!switch_name.ok()) return switch_name.error();
    std::vector<MuxRange> ranges;
    while (true) {
      Result<uint64_t> lo =
          Unsigned("SG_MUL_VAL_ " + std::string(name->text) + " range start", UINT64_MAX);
      if (!lo.ok()) return lo.error();
      // The lexer reads "3-5" as "3" and "-5".
      const Token t = lex_.Next();
      uint64_t hi = 0;
      std::string_view hi_text;
      if (t.kind == TokenKind::kNumber && !t.text.empty() && t.text[0] == '-') {
        hi_text = t.text.substr(1);
      } else if (t.kind == TokenKind::kPunct && t.text == "-") {
        const Token h = lex_.Next();
        if (h.kind == TokenKind::kNumber) hi_text = h.text;
      }
      auto [p, ec] = std::from_chars(hi_text.data(), hi_text.data() + hi_text.size(), hi);
      if (hi_text.empty() || ec != std::errc() || p != hi_text.data() + hi_text.size() ||
          hi < *lo) {
        return ErrorAt(t, "SG_MUL_VAL_ " + std::string(name->text) +
                              ": expected a range lo-hi with hi >= lo, got " + Describe(t));
      }
      ranges.push_back({*lo, hi});
      const Token sep = lex_.Next();
      if (sep.kind == TokenKind::kPunct && sep.text == ";") break;
      if (sep.kind != TokenKind::kPunct || sep.text != ",") {
        return ErrorAt(sep, "SG_MUL_VAL_ " + std::string(name->text) +
                                ": expected ',' or ';', got " + Describe(sep));
      }
    }
    if (static_cast<uint32_t>(*id) == kIndependentSignalsId) return Ok();
    auto target = FindTarget(keyword, *id, *name);
    if (!target.ok()) return target.error();
    DbcMessage& m = *target->first;
    int32_t switch_index = -1;
    for (size_t i = 0; i < m.signals.size(); ++i) {
      if (m.signals[i].name == switch_name->text) switch_index = static_cast<int32_t>(i);
    }
    if (switch_index < 0) {
      return ErrorAt(*switch_name, "SG_MUL_VAL_ " + std::string(name->text) + ": message " +
                                       m.name + " has no switch signal '" +
                                       std::string(switch_name->text) + "'");
    }
    if (!m.signals[static_cast<size_t>(switch_index)].is_multiplexer) {
      return ErrorAt(*switch_name, "SG_MUL_VAL_ " + std::string(name->text) + ": '" +
                                       std::string(switch_name->text) +
                                       "' is not a multiplexer (M or mNM) in message " + m.name);
    }
    DbcSignal& s = *target->second;
    s.mux_switch = switch_index;
    s.mux_ranges = std::move(ranges);
    extended_.insert({static_cast<size_t>(&m - dbc_.messages.data()),
                      static_cast<size_t>(&s - m.signals.data())});
    return Ok();
  }

  // Simple multiplexing (mN without an SG_MUL_VAL_): the message's one multiplexer is the switch.
  // Then no switch chain may loop.
  Status Resolve() {
    for (const PendingSimple& p : pending_simple_) {
      DbcMessage& m = dbc_.messages[p.message];
      DbcSignal& s = m.signals[p.signal];
      if (extended_.count({p.message, p.signal}) != 0) continue;
      int32_t switch_index = -1;
      int count = 0;
      for (size_t i = 0; i < m.signals.size(); ++i) {
        if (m.signals[i].is_multiplexer && i != p.signal) {
          switch_index = static_cast<int32_t>(i);
          ++count;
        }
      }
      if (count != 1) {
        return ErrorAtLine(s.line, "SG_ " + s.name + ": multiplexed (m" + std::to_string(p.value) +
                                       ") but message " + m.name + " has " + std::to_string(count) +
                                       " multiplexers; with more than one, SG_MUL_VAL_ must "
                                       "name this signal's switch");
      }
      s.mux_switch = switch_index;
      s.mux_ranges = {{p.value, p.value}};
    }
    for (const DbcMessage& m : dbc_.messages) {
      for (const DbcSignal& s : m.signals) {
        int32_t at = s.mux_switch;
        for (size_t steps = 0; at >= 0; ++steps) {
          if (steps > m.signals.size()) {
            return ErrorAtLine(s.line, "SG_ " + s.name + ": its multiplexer switches loop in " +
                                           "message " + m.name);
          }
          at = m.signals[static_cast<size_t>(at)].mux_switch;
        }
        if (s.is_multiplexer && s.type != ValueType::kInteger) {
          return ErrorAtLine(s.line, "SG_ " + s.name + ": a multiplexer cannot be a float");
        }
      }
    }
    return Ok();
  }

  struct PendingSimple {
    size_t message;
    size_t signal;
    uint64_t value;
  };

  DbcLexer lex_;
  Dbc dbc_;
  int64_t current_ = -1;  // message SG_ lines attach to; -1 none, -2 the pseudo message
  std::vector<PendingSimple> pending_simple_;
  std::set<std::pair<size_t, size_t>> extended_;  // (message, signal) an SG_MUL_VAL_ configured
};

}  // namespace

const DbcSignal* DbcMessage::FindSignal(std::string_view n) const {
  for (const DbcSignal& s : signals) {
    if (s.name == n) return &s;
  }
  return nullptr;
}

const DbcMessage* Dbc::FindMessage(std::string_view n) const {
  for (const DbcMessage& m : messages) {
    if (m.name == n) return &m;
  }
  return nullptr;
}

const DbcMessage* Dbc::FindMessage(uint32_t id, bool extended) const {
  for (const DbcMessage& m : messages) {
    if (m.id == id && m.extended == extended) return &m;
  }
  return nullptr;
}

Result<Dbc> ParseDbc(std::string_view text, std::string_view file) {
  return Parser(text, file).Run();
}

Result<Dbc> LoadDbc(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open DBC file " + path.native(), errno);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return ErrnoError("read DBC file " + path.native(), errno);
  return ParseDbc(buf.str(), path.native());
}

}  // namespace fleetclip::can

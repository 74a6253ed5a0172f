// Resolving counter and checksum declarations against a DBC (can/message_check.h).
#include "can/message_check.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "can/bit_layout.h"

namespace fleetclip::can {
namespace {

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// COUNTER, or <message>_COUNTER, any case.
bool IsConventionName(std::string_view signal, std::string_view message, std::string_view kind) {
  if (EqualsIgnoreCase(signal, kind)) return true;
  return signal.size() == message.size() + 1 + kind.size() &&
         EqualsIgnoreCase(signal.substr(0, message.size()), message) &&
         signal[message.size()] == '_' && EqualsIgnoreCase(signal.substr(message.size() + 1), kind);
}

// Why `s` cannot serve as a counter (or checksum), "" when it can.
std::string CounterProblem(const DbcSignal& s) {
  if (s.mux_switch >= 0) return "is multiplexed";
  if (s.type != ValueType::kInteger || s.is_signed) return "is not an unsigned integer";
  if (s.length > 32) return "has " + std::to_string(s.length) + " bits, more than 32";
  return "";
}

std::string ChecksumProblem(const DbcSignal& s) {
  if (std::string p = CounterProblem(s); !p.empty()) return p;
  const BitSpan span = SignalBits(s.order, s.start_bit, s.length);
  if (s.length != 8 || span.first_byte != span.last_byte) {
    return "is not one whole byte (" + std::to_string(s.start_bit) + "|" +
           std::to_string(s.length) + "); the checksums here are 8 bits on a byte boundary";
  }
  return "";
}

int32_t SignalIndex(const DbcMessage& m, std::string_view name) {
  for (size_t i = 0; i < m.signals.size(); ++i) {
    if (m.signals[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

// The DBC's own declaration for message `mi`, if it has one.
Result<std::optional<MessageCheck>> FromDbc(const Dbc& dbc, uint32_t mi,
                                            std::optional<ChecksumAlgorithm> algorithm) {
  const DbcMessage& m = dbc.messages[mi];
  MessageCheck c;
  c.message = mi;
  for (size_t si = 0; si < m.signals.size(); ++si) {
    const DbcSignal& s = m.signals[si];
    const bool counter = IsConventionName(s.name, m.name, "COUNTER");
    const bool checksum = algorithm && IsConventionName(s.name, m.name, "CHECKSUM");
    if (!counter && !checksum) continue;
    int32_t& slot = counter ? c.counter : c.checksum;
    const std::string at = dbc.file + ":" + std::to_string(s.line) + ": message " + m.name + ": ";
    if (slot >= 0) {
      return Invalid(at + "signals " + m.signals[static_cast<size_t>(slot)].name + " and " +
                     s.name + " are both its " + (counter ? "counter" : "checksum") +
                     " by name; declare the one to use in the config (check)");
    }
    const std::string problem = counter ? CounterProblem(s) : ChecksumProblem(s);
    if (!problem.empty()) {
      return Invalid(at + (counter ? "counter " : "checksum ") + s.name + " " + problem);
    }
    slot = static_cast<int32_t>(si);
  }
  if (c.counter < 0 && c.checksum < 0) return std::optional<MessageCheck>();
  if (c.checksum >= 0) c.algorithm = *algorithm;
  return std::optional<MessageCheck>(c);
}

}  // namespace

Status CheckSpecShape(const CheckSpec& spec) {
  const std::string& w = spec.where;
  if (spec.message.empty()) return Invalid(w + ".message: is empty");
  if (spec.counter.empty() && spec.checksum.empty()) {
    return Invalid(w + ": names neither a counter nor a checksum signal");
  }
  if (spec.checksum.empty()) {
    if (!spec.algorithm.empty()) return Invalid(w + ".algorithm: is set without a checksum");
    if (spec.data_id != 0) return Invalid(w + ".data_id: is set without a checksum");
    return Ok();
  }
  const std::optional<ChecksumAlgorithm> a = ParseChecksumAlgorithm(spec.algorithm);
  if (!a) {
    return Invalid(w + ".algorithm: '" + spec.algorithm + "' is not one of " +
                   std::string(ChecksumAlgorithmList()));
  }
  const int64_t max = MaxDataId(*a);
  if (spec.data_id < 0 || spec.data_id > max) {
    return Invalid(w + ".data_id: " + std::to_string(spec.data_id) + " is outside 0.." +
                   std::to_string(max) + " for " + spec.algorithm);
  }
  return Ok();
}

Status CheckDbcAlgorithm(std::string_view algorithm, std::string_view where) {
  if (algorithm.empty()) return Ok();
  const std::optional<ChecksumAlgorithm> a = ParseChecksumAlgorithm(algorithm);
  if (!a) {
    return Invalid(std::string(where) + ": '" + std::string(algorithm) + "' is not one of " +
                   std::string(ChecksumAlgorithmList()));
  }
  if (MaxDataId(*a) != 0) {
    return Invalid(std::string(where) + ": " + std::string(algorithm) +
                   " needs a data id per message; declare those messages in check entries");
  }
  return Ok();
}

Result<std::vector<MessageCheck>> ResolveChecks(const Dbc& dbc, std::span<const CheckSpec> specs,
                                                std::string_view dbc_algorithm,
                                                std::string_view algorithm_where) {
  if (Status s = CheckDbcAlgorithm(dbc_algorithm, algorithm_where); !s.ok()) return s.error();
  const std::optional<ChecksumAlgorithm> dbc_alg = ParseChecksumAlgorithm(dbc_algorithm);
  std::vector<MessageCheck> out;
  std::set<uint32_t> declared;
  for (const CheckSpec& spec : specs) {
    if (Status s = CheckSpecShape(spec); !s.ok()) return s.error();
    const DbcMessage* m = dbc.FindMessage(spec.message);
    if (m == nullptr) {
      return Invalid(spec.where + ".message: " + dbc.file + " has no message " + spec.message);
    }
    MessageCheck c;
    c.message = static_cast<uint32_t>(m - dbc.messages.data());
    if (!declared.insert(c.message).second) {
      return Invalid(spec.where + ".message: " + spec.message + " has a check entry already");
    }
    // The signal `name` of the message as its `field`, checked for the role.
    const auto resolve = [&](std::string_view field, const std::string& name,
                             int32_t& slot) -> Status {
      if (name.empty()) return Ok();
      slot = SignalIndex(*m, name);
      if (slot < 0) {
        return Invalid(spec.where + "." + std::string(field) + ": message " + m->name + " of " +
                       dbc.file + " has no signal " + name);
      }
      const DbcSignal& s = m->signals[static_cast<size_t>(slot)];
      const std::string problem = field == "counter" ? CounterProblem(s) : ChecksumProblem(s);
      if (!problem.empty()) {
        return Invalid(spec.where + "." + std::string(field) + ": " + m->name + "." + name + " " +
                       problem);
      }
      return Ok();
    };
    if (Status s = resolve("counter", spec.counter, c.counter); !s.ok()) return s.error();
    if (Status s = resolve("checksum", spec.checksum, c.checksum); !s.ok()) return s.error();
    if (c.checksum >= 0) {
      c.algorithm = *ParseChecksumAlgorithm(spec.algorithm);
      c.data_id = static_cast<uint32_t>(spec.data_id);
    }
    out.push_back(c);
  }
  for (uint32_t mi = 0; mi < dbc.messages.size(); ++mi) {
    if (declared.count(mi) != 0) continue;
    auto c = FromDbc(dbc, mi, dbc_alg);
    if (!c.ok()) return c.error();
    if (*c) out.push_back(**c);
  }
  return out;
}

}  // namespace fleetclip::can

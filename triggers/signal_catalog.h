// The declared signals a rule may name. Rules are checked against this catalogue when they are
// compiled, so a typo ("sped") is a compile error that names the column instead of a rule that
// silently never fires. The catalogue holds the standard vehicle signals (speed, accelerations,
// steering, pedals, gear, autonomy state) and any custom signal a deployment declares (a model's
// predicted steering, say). Each signal gets a dense id used as its column in SignalHistory rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace fleetclip::triggers {

using SignalId = uint16_t;

enum class SignalKind {
  kNumber,  // a double in SI units unless the name says otherwise
  kFlag,    // a boolean, stored as 0/1
  kText,    // an enumeration people read (gear, disengage_reason); usable as a rule's tag only
};

std::string_view SignalKindName(SignalKind kind);

struct SignalInfo {
  std::string name;
  SignalKind kind = SignalKind::kNumber;
  std::string unit;  // "m/s", "deg", "" for flags and text
};

// True when `name` matches [a-z0-9_.]{1,64}, the form every signal name has on the wire.
bool IsValidSignalName(std::string_view name);

// An immutable-after-setup set of signals. Build it (Standard() plus Declare()) before compiling
// rules or decoding frames; afterwards it is read-only and safe to share between threads.
class SignalCatalog {
 public:
  static constexpr size_t kMaxSignals = 1024;

  // The standard vehicle signals every producer is expected to know.
  static SignalCatalog Standard();

  // Adds a signal. Fails on a bad name, a duplicate or a full catalogue.
  Result<SignalId> Declare(std::string_view name, SignalKind kind, std::string_view unit = "");

  std::optional<SignalId> Find(std::string_view name) const;
  const SignalInfo& Info(SignalId id) const { return signals_[id]; }
  size_t size() const { return signals_.size(); }

  // The declared name closest to `name` by edit distance, if one is close enough to be a typo.
  std::optional<std::string> Suggest(std::string_view name) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<SignalInfo> signals_;
  std::unordered_map<std::string, SignalId, Hash, std::equal_to<>> by_name_;
};

}  // namespace fleetclip::triggers

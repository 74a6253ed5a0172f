// The standard signal list, name validation and typo suggestions for triggers/signal_catalog.h.
#include "triggers/signal_catalog.h"

#include <algorithm>

namespace fleetclip::triggers {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view SignalKindName(SignalKind kind) {
  switch (kind) {
    case SignalKind::kNumber:
      return "number";
    case SignalKind::kFlag:
      return "flag";
    case SignalKind::kText:
      return "text";
  }
  return "unknown";
}

bool IsValidSignalName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

SignalCatalog SignalCatalog::Standard() {
  struct Entry {
    const char* name;
    SignalKind kind;
    const char* unit;
  };
  static constexpr Entry kStandard[] = {
      {"speed", SignalKind::kNumber, "m/s"},
      {"accel_long", SignalKind::kNumber, "m/s2"},
      {"accel_lat", SignalKind::kNumber, "m/s2"},
      {"accel_vert", SignalKind::kNumber, "m/s2"},
      {"yaw_rate", SignalKind::kNumber, "deg/s"},
      {"steering_angle", SignalKind::kNumber, "deg"},
      {"steering_torque", SignalKind::kNumber, "Nm"},
      {"brake", SignalKind::kNumber, "1"},
      {"brake_pressed", SignalKind::kFlag, ""},
      {"throttle", SignalKind::kNumber, "1"},
      {"gear", SignalKind::kText, ""},
      {"autonomy_engaged", SignalKind::kFlag, ""},
      {"disengage_reason", SignalKind::kText, ""},
      {"takeover_request", SignalKind::kFlag, ""},
      {"turn_signal", SignalKind::kNumber, "1"},
  };
  SignalCatalog catalog;
  for (const Entry& e : kStandard) {
    // The standard names are valid and unique, so Declare cannot fail here.
    (void)catalog.Declare(e.name, e.kind, e.unit);
  }
  return catalog;
}

Result<SignalId> SignalCatalog::Declare(std::string_view name, SignalKind kind,
                                        std::string_view unit) {
  if (!IsValidSignalName(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "signal name \"" + std::string(name) + "\" is not [a-z0-9_.]{1,64}");
  }
  if (by_name_.find(name) != by_name_.end()) {
    return Error(ErrorCode::kAlreadyExists, "signal \"" + std::string(name) + "\" declared twice");
  }
  if (signals_.size() >= kMaxSignals) {
    return Error(ErrorCode::kInvalidArgument,
                 "too many signals: at most " + std::to_string(kMaxSignals));
  }
  const auto id = static_cast<SignalId>(signals_.size());
  signals_.push_back(SignalInfo{std::string(name), kind, std::string(unit)});
  by_name_.emplace(std::string(name), id);
  return id;
}

std::optional<SignalId> SignalCatalog::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> SignalCatalog::Suggest(std::string_view name) const {
  const size_t limit = std::max<size_t>(1, name.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const SignalInfo& s : signals_) {
    const size_t d = EditDistance(name, s.name);
    if (d < best_distance) {
      best_distance = d;
      best = s.name;
    }
  }
  return best;
}

}  // namespace fleetclip::triggers

// When a clip may leave the car (DESIGN.md §7): the link must be allowed (default unmetered Wi-Fi
// or Ethernet), its daily byte budget not used up, the local time inside the upload window
// (default 22:00–06:00, may cross midnight) and the car parked (speed 0 for parked_after_ms, or
// gear P). Clips at or above the urgent priority skip the window and the parked check, but never
// the link checks. Every decision carries the reason people see in status and the CLI.
// Local time comes through an injected TimeZone so tests run on a fixed offset.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "proto/config.pb.h"
#include "uploader/network_probe.h"
#include "uploader/upload_journal.h"

namespace fleetclip::uploader {

struct LocalTime {
  int year = 0, month = 0, day = 0;  // the local date
  int minute_of_day = 0;             // 0..1439
};

class TimeZone {
 public:
  virtual ~TimeZone() = default;
  virtual LocalTime ToLocal(WallTime t) const = 0;
};

// The system's zone (TZ, /etc/localtime) through localtime_r.
class SystemTimeZone final : public TimeZone {
 public:
  LocalTime ToLocal(WallTime t) const override;
};

// A fixed UTC offset, for tests.
class FixedOffsetTimeZone final : public TimeZone {
 public:
  explicit FixedOffsetTimeZone(int offset_minutes) : offset_minutes_(offset_minutes) {}
  LocalTime ToLocal(WallTime t) const override;

 private:
  int offset_minutes_;
};

struct PolicyConfig {
  std::vector<LinkClass> allowed_links = {proto::LINK_WIFI, proto::LINK_ETHERNET};
  bool allow_metered = false;
  int window_start_minute = 22 * 60;
  int window_end_minute = 6 * 60;  // start == end: always open
  bool require_parked = true;
  int64_t parked_after_ms = 120'000;
  int32_t urgent_priority = 90;
  std::map<LinkClass, int64_t> daily_bytes_per_link;  // missing = unlimited
};

// Validates and fills defaults; errors name the field, the value and the bound.
Result<PolicyConfig> PolicyFromProto(const proto::UploadPolicyConfig& config);

// Parked from signals: speed 0 continuously for parked_after_ms, or gear P. Fed by the signal
// thread's samples through the owner; not thread-safe.
class ParkedTracker {
 public:
  void Observe(MonoTime at, double speed_mps, bool gear_park);
  bool Parked(MonoTime now, int64_t parked_after_ms) const;
  bool seen() const { return seen_; }

 private:
  bool seen_ = false;
  bool gear_park_ = false;
  std::optional<MonoTime> stopped_since_;
};

// Bytes sent per link class per local day. With a CounterStore each Add() is persisted as the
// counter "upload_bytes.<link>.<yyyy-mm-dd>" (one row per link class per local day), and Used()
// reads a day it has not seen yet from the store, so a restarted daemon resumes today's spending.
// Without one it lives in memory. Upload thread only.
class DailyBudget {
 public:
  DailyBudget() = default;
  // `store` may be null (memory only); it must outlive the budget.
  explicit DailyBudget(CounterStore* store) : store_(store) {}

  // Counts `bytes` for the day; with a store, persisted first. The bytes count in memory even
  // when persisting fails (the error is returned for the caller to log).
  Status Add(LinkClass link, const LocalTime& day, int64_t bytes);
  // A day not yet read comes from the store; a failed read counts 0 and is retried next time.
  int64_t Used(LinkClass link, const LocalTime& day) const;

  static std::string CounterName(LinkClass link, const LocalTime& day);

 private:
  CounterStore* store_ = nullptr;
  mutable std::map<std::pair<LinkClass, int64_t>, int64_t> used_;  // (link, yyyymmdd) → bytes
};

struct PolicyDecision {
  bool allowed = false;
  std::string reason;  // "waiting: cellular link", "waiting: window opens 22:00", "uploading: …"
};

class UploadPolicy {
 public:
  UploadPolicy(PolicyConfig config, const TimeZone& zone)
      : config_(std::move(config)), zone_(zone) {}

  PolicyDecision Decide(const NetworkState& net, const ParkedTracker& parked,
                        const DailyBudget& used, MonoTime now, WallTime wall_now,
                        int32_t priority) const;
  // Bytes the link class may still send today (never negative); nullopt when it has no budget.
  std::optional<int64_t> BudgetLeft(LinkClass link, const DailyBudget& used,
                                    WallTime wall_now) const;
  const PolicyConfig& config() const { return config_; }
  const TimeZone& zone() const { return zone_; }

 private:
  PolicyConfig config_;
  const TimeZone& zone_;
};

}  // namespace fleetclip::uploader

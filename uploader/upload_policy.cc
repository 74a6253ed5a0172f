// The upload policy's checks, in the order people expect them explained (upload_policy.h).
#include "uploader/upload_policy.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

namespace fleetclip::uploader {
namespace {

Result<int> ParseHhMm(const std::string& field, const std::string& value, int fallback) {
  if (value.empty()) return fallback;
  int h = -1, m = -1;
  char tail = 0;
  if (std::sscanf(value.c_str(), "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 ||
      m > 59 || value.size() != 5)
    return Error(ErrorCode::kInvalidArgument,
                 field + ": \"" + value + "\" is not a local time HH:MM between 00:00 and 23:59");
  return h * 60 + m;
}

std::string FormatMinute(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

int64_t DayKey(const LocalTime& t) { return t.year * 10'000LL + t.month * 100 + t.day; }

LocalTime FromTm(const struct tm& tm) {
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour * 60 + tm.tm_min};
}

}  // namespace

LocalTime SystemTimeZone::ToLocal(WallTime t) const {
  const time_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  struct tm tm {};
  localtime_r(&secs, &tm);
  return FromTm(tm);
}

LocalTime FixedOffsetTimeZone::ToLocal(WallTime t) const {
  const time_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() +
      offset_minutes_ * 60LL;
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return FromTm(tm);
}

Result<PolicyConfig> PolicyFromProto(const proto::UploadPolicyConfig& c) {
  PolicyConfig p;
  if (c.allowed_links_size() > 0) {
    p.allowed_links.clear();
    for (int l : c.allowed_links()) p.allowed_links.push_back(static_cast<LinkClass>(l));
  }
  p.allow_metered = c.allow_metered();
  Result<int> start = ParseHhMm("upload_policy.window_start", c.window_start(), 22 * 60);
  if (!start.ok()) return start.error();
  Result<int> end = ParseHhMm("upload_policy.window_end", c.window_end(), 6 * 60);
  if (!end.ok()) return end.error();
  p.window_start_minute = *start;
  p.window_end_minute = *end;
  p.require_parked = c.has_require_parked() ? c.require_parked() : true;
  if (c.parked_after_ms() < 0 || c.parked_after_ms() > 3'600'000)
    return Error(ErrorCode::kInvalidArgument,
                 "upload_policy.parked_after_ms: " + std::to_string(c.parked_after_ms()) +
                     " is outside 0..3600000");
  if (c.parked_after_ms() > 0) p.parked_after_ms = c.parked_after_ms();
  if (c.urgent_priority() < 0 || c.urgent_priority() > 100)
    return Error(ErrorCode::kInvalidArgument,
                 "upload_policy.urgent_priority: " + std::to_string(c.urgent_priority()) +
                     " is outside 0..100");
  if (c.urgent_priority() > 0) p.urgent_priority = c.urgent_priority();
  for (const auto& [name, bytes] : c.daily_bytes_per_link()) {
    std::optional<LinkClass> link = ParseLinkClass(name);
    if (!link || bytes < 0)
      return Error(ErrorCode::kInvalidArgument,
                   "upload_policy.daily_bytes_per_link[\"" + name +
                       "\"]: " + std::to_string(bytes) +
                       " (keys: wifi, ethernet, cellular, unknown; bytes >= 0)");
    p.daily_bytes_per_link[*link] = bytes;
  }
  return p;
}

void ParkedTracker::Observe(MonoTime at, double speed_mps, bool gear_park) {
  seen_ = true;
  gear_park_ = gear_park;
  if (speed_mps > 0.05) {
    stopped_since_.reset();
  } else if (!stopped_since_) {
    stopped_since_ = at;
  }
}

bool ParkedTracker::Parked(MonoTime now, int64_t parked_after_ms) const {
  if (gear_park_) return true;
  return stopped_since_ && now - *stopped_since_ >= std::chrono::milliseconds(parked_after_ms);
}

std::string DailyBudget::CounterName(LinkClass link, const LocalTime& day) {
  char date[16];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", day.year, day.month, day.day);
  return "upload_bytes." + std::string(LinkClassName(link)) + "." + date;
}

Status DailyBudget::Add(LinkClass link, const LocalTime& day, int64_t bytes) {
  const int64_t before = Used(link, day);  // loads the day from the store first
  // Days other than this one are no longer asked about: keep memory to one day per link.
  std::erase_if(used_, [&](const auto& e) { return e.first.second != DayKey(day); });
  used_[{link, DayKey(day)}] = before + bytes;
  if (store_ == nullptr) return Ok();
  return store_->IncrementCounter(CounterName(link, day), bytes);
}

int64_t DailyBudget::Used(LinkClass link, const LocalTime& day) const {
  const std::pair key{link, DayKey(day)};
  if (auto it = used_.find(key); it != used_.end()) return it->second;
  if (store_ == nullptr) return 0;
  Result<int64_t> stored = store_->Counter(CounterName(link, day));
  if (!stored.ok()) return 0;
  used_[key] = *stored;
  return *stored;
}

std::optional<int64_t> UploadPolicy::BudgetLeft(LinkClass link, const DailyBudget& used,
                                                WallTime wall_now) const {
  auto b = config_.daily_bytes_per_link.find(link);
  if (b == config_.daily_bytes_per_link.end()) return std::nullopt;
  return std::max<int64_t>(0, b->second - used.Used(link, zone_.ToLocal(wall_now)));
}

PolicyDecision UploadPolicy::Decide(const NetworkState& net, const ParkedTracker& parked,
                                    const DailyBudget& used, MonoTime now, WallTime wall_now,
                                    int32_t priority) const {
  if (!net.online) return {false, "waiting: no network"};
  const std::string link(LinkClassName(net.link));
  if (std::find(config_.allowed_links.begin(), config_.allowed_links.end(), net.link) ==
      config_.allowed_links.end())
    return {false, "waiting: " + link + " link"};
  if (net.metered && !config_.allow_metered) return {false, "waiting: metered " + link + " link"};
  const LocalTime local = zone_.ToLocal(wall_now);
  if (auto b = config_.daily_bytes_per_link.find(net.link);
      b != config_.daily_bytes_per_link.end()) {
    const int64_t spent = used.Used(net.link, local);
    if (spent >= b->second)
      return {false, "waiting: daily " + link + " budget used (" + std::to_string(spent) + " of " +
                         std::to_string(b->second) + " bytes)"};
  }
  if (priority >= config_.urgent_priority)
    return {true, "uploading: urgent priority " + std::to_string(priority) + " on " + link};
  const int s = config_.window_start_minute, e = config_.window_end_minute, m = local.minute_of_day;
  const bool in_window = s == e || (s < e ? (m >= s && m < e) : (m >= s || m < e));
  if (!in_window) return {false, "waiting: window opens " + FormatMinute(s)};
  if (config_.require_parked && !parked.Parked(now, config_.parked_after_ms))
    return {false, parked.seen() ? "waiting: not parked" : "waiting: no vehicle signals yet"};
  return {true, "uploading: " + link + ", in window" +
                    std::string(config_.require_parked ? ", parked" : "")};
}

}  // namespace fleetclip::uploader

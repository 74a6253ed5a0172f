// Quota + free-space floor and eviction by policy. See queue/storage_budget.h.
#include "queue/storage_budget.h"

#include <algorithm>
#include <string>

namespace fleetclip::queue {

Result<FsSpace> StatvfsDiskSpace::Space(const std::filesystem::path& path) const {
  PosixFileSystem posix;
  return posix.Space(path);
}

Status ValidateStorageLimits(const StorageLimits& l) {
  if (l.quota_bytes <= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "storage.quota_bytes must be above 0, got " + std::to_string(l.quota_bytes));
  }
  if (l.min_free_bytes < 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "storage.min_free_bytes must be >= 0, got " + std::to_string(l.min_free_bytes));
  }
  if (!(l.min_free_percent >= 0 && l.min_free_percent < 100)) {
    return Error(ErrorCode::kInvalidArgument, "storage.min_free_percent must be in [0, 100), got " +
                                                  std::to_string(l.min_free_percent));
  }
  return Ok();
}

Status StorageBudget::MakeRoom(int64_t bytes, int priority) {
  const StorageLimits now = limits();  // one consistent set for this decision
  auto used = store_.LocalBytes();
  if (!used.ok()) return used.error();
  auto space = disk_.Space(store_.clips_dir());
  if (!space.ok()) return space.error();
  const auto floor = std::max<int64_t>(
      now.min_free_bytes,
      static_cast<int64_t>(static_cast<double>(space->total_bytes) * now.min_free_percent / 100));
  const int64_t over_quota = *used + bytes - now.quota_bytes;
  const int64_t under_floor = floor - (space->free_bytes - bytes);
  const int64_t need = std::max(over_quota, under_floor);
  if (need <= 0) return Ok();

  auto candidates = store_.EvictionCandidates(priority);
  if (!candidates.ok()) return candidates.error();
  int64_t evictable = 0;
  for (const ClipRecord& c : *candidates) evictable += c.local_bytes;
  if (evictable < need)
    return Refuse(bytes, priority, *used, now.quota_bytes, space->free_bytes, floor, evictable);
  // The candidates were read under the store's lock, which is released before each eviction: a
  // clip pinned (or picked by the uploader) since then is refused by the store's guarded mark and
  // skipped here, so a pin that races the budget always wins.
  int64_t freed = 0;
  for (size_t i = 0; i < candidates->size() && freed < need; ++i) {
    const ClipRecord& c = (*candidates)[i];
    if (Status s = store_.Evict(c.id); !s.ok()) {
      if (s.error().code() != ErrorCode::kInvalidArgument &&
          s.error().code() != ErrorCode::kNotFound) {
        return s;
      }
      log_.Info("eviction_skipped", {{"clip", c.id}, {"reason", s.error().message()}});
      continue;
    }
    freed += c.local_bytes;
    log_.Notice("clip_evicted_for_room", {{"clip", c.id},
                                          {"state", ClipStateName(c.state)},
                                          {"priority", c.priority},
                                          {"bytes", c.local_bytes},
                                          {"incoming_priority", priority}});
  }
  // Candidates refused meanwhile can leave too little: the incoming clip is dropped (what was
  // evicted stays evicted; it was next in line anyway).
  if (freed < need)
    return Refuse(bytes, priority, *used, now.quota_bytes, space->free_bytes, floor, freed);
  return Ok();
}

Status StorageBudget::Refuse(int64_t bytes, int priority, int64_t used, int64_t quota_bytes,
                             int64_t free_bytes, int64_t floor, int64_t evictable) {
  CountDropped("no_room");
  return Error(ErrorCode::kNoSpace,
               "clip of " + std::to_string(bytes) + " bytes at priority " +
                   std::to_string(priority) + " does not fit: used " + std::to_string(used) +
                   " of quota " + std::to_string(quota_bytes) + ", free " +
                   std::to_string(free_bytes) + " above floor " + std::to_string(floor) +
                   ", evictable " + std::to_string(evictable) + " (pinned and higher-priority " +
                   "clips are kept)");
}

void StorageBudget::CountDropped(std::string_view reason) {
  if (Status s = store_.IncrementCounter(kCounterDroppedNoSpace); !s.ok()) {
    log_.Error("counter_failed",
               {{"counter", kCounterDroppedNoSpace}, {"error", s.error().ToString()}});
  }
  log_.Warn("clip_dropped_no_space", {{"reason", reason}});
}

}  // namespace fleetclip::queue

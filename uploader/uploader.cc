// One upload pass (uploader.h).
#include "uploader/uploader.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

namespace fleetclip::uploader {

std::string ObjectKey(std::string_view prefix, std::string_view vehicle, WallTime captured_at,
                      std::string_view clip_id, std::string_view file) {
  const time_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(captured_at.time_since_epoch()).count();
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char date[32];
  std::snprintf(date, sizeof date, "%04d/%02d/%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::string key;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (!prefix.empty()) key.append(prefix).append("/");
  key.append(vehicle).append("/").append(date).append("/").append(clip_id).append("/").append(file);
  return key;
}

Result<PassResult> Uploader::RunPass(const NetworkState& net, const ParkedTracker& parked,
                                     std::stop_token stop) {
  PassResult result;
  if (Status s = KeepRetryDeadlinesMonotonic(); !s.ok()) return s.error();
  Result<std::vector<UploadCandidate>> due =
      queue_.UploadCandidates(clock_.WallNow(), options_.candidates_per_pass);
  if (!due.ok()) return due.error();
  for (const UploadCandidate& clip : *due) {
    if (stop.stop_requested()) break;
    const PolicyDecision d =
        policy_.Decide(net, parked, budget_, clock_.Now(), clock_.WallNow(), clip.priority);
    if (!d.allowed) {
      // Candidates come highest priority first: if this one waits, so do the rest.
      result.reason = d.reason;
      break;
    }
    if (Status s = queue_.MarkUploading(clip.clip_id); !s.ok()) return s.error();
    const MonoTime started = clock_.Now();
    Status up = UploadClip(clip, net, stop);
    if (up.ok()) {
      if (Status s = queue_.MarkUploaded(clip.clip_id); !s.ok()) return s.error();
      ++result.uploaded;
      int64_t bytes = 0;
      for (const LocalFile& f : clip.files) bytes += f.bytes;
      log_.Info("clip_uploaded", {{"clip", clip.clip_id},
                                  {"bytes", bytes},
                                  {"ms", ToMillis(clock_.Now() - started)},
                                  {"link", std::string(LinkClassName(net.link))}});
      continue;
    }
    const Error& e = up.error();
    if (e.retryable()) {
      const int attempt = clip.attempts + 1;
      const Nanos delay = e.code() == ErrorCode::kCancelled ? Nanos(0) : backoff_.Delay(attempt);
      const WallTime next = clock_.WallNow() + delay;
      if (Status s = queue_.ScheduleRetry(clip.clip_id, next, e.ToString()); !s.ok())
        return s.error();
      ++result.retry_scheduled;
      log_.Warn("clip_upload_retry", {{"clip", clip.clip_id},
                                      {"attempt", attempt},
                                      {"delay_ms", ToMillis(delay)},
                                      {"error", e.ToString()}});
    } else {
      if (Status s = queue_.MarkFailed(clip.clip_id, e.ToString()); !s.ok()) return s.error();
      ++result.failed;
      log_.Error("clip_upload_failed", {{"clip", clip.clip_id}, {"error", e.ToString()}});
    }
  }
  return result;
}

Status Uploader::KeepRetryDeadlinesMonotonic() {
  // Below this, a difference is NTP slewing or rounding; it adds up until it is a step.
  constexpr Nanos kStep = std::chrono::seconds(1);
  const WallTime wall = clock_.WallNow();
  const Nanos offset = wall.time_since_epoch() - clock_.Now().time_since_epoch();
  Nanos step{0};
  if (wall_minus_mono_) {
    step = offset - *wall_minus_mono_;
    if (step < kStep && step > -kStep) return Ok();
  }
  Result<int64_t> moved = queue_.ShiftRetryDeadlines(step, wall, backoff_.Cap());
  if (!moved.ok()) return moved.error();
  wall_minus_mono_ = offset;
  if (*moved > 0) {
    log_.Notice("retry_deadlines_moved", {{"wall_step_ms", ToMillis(step)},
                                          {"max_wait_ms", ToMillis(backoff_.Cap())},
                                          {"clips", *moved}});
  }
  return Ok();
}

Status Uploader::UploadClip(const UploadCandidate& clip, const NetworkState& net,
                            std::stop_token stop) {
  std::vector<const LocalFile*> order;
  const LocalFile* manifest = nullptr;
  for (const LocalFile& f : clip.files) {
    if (f.name == kManifestFile) {
      manifest = &f;
    } else {
      order.push_back(&f);
    }
  }
  if (manifest == nullptr)
    return Error(ErrorCode::kCorruption, "clip " + clip.clip_id + " has no " +
                                             std::string(kManifestFile) + " to commit with");
  order.push_back(manifest);  // last: its presence on the server says the clip is complete
  for (const LocalFile* f : order) {
    if (f->uploaded) continue;
    if (stop.stop_requested()) return Error(ErrorCode::kCancelled, "upload stopped");
    const std::string key =
        ObjectKey(options_.prefix, clip.vehicle_id, clip.captured_at, clip.clip_id, f->name);
    Status s = transport_.PutFile(clip.clip_id, *f, key, journal_, stop);
    if (!s.ok()) return s.error().WithContext("clip " + clip.clip_id + " file " + f->name);
    if (Status b = budget_.Add(net.link, policy_.zone().ToLocal(clock_.WallNow()), f->bytes);
        !b.ok())
      log_.Warn("upload_budget_not_persisted", {{"error", b.error().ToString()}});
  }
  return Ok();
}

}  // namespace fleetclip::uploader

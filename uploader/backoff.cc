// Capped exponential backoff with full jitter (backoff.h).
#include "uploader/backoff.h"

#include <algorithm>

namespace fleetclip::uploader {

int64_t Backoff::CeilingMs(int attempt) const {
  int64_t ceiling = std::max<int64_t>(config_.base_ms, 1);
  for (int i = 1; i < attempt && ceiling < config_.cap_ms; ++i)
    ceiling *= 2;  // no overflow: capped
  return std::min(ceiling, config_.cap_ms);
}

Nanos Backoff::Delay(int attempt) const {
  const double u = std::clamp(uniform01_(), 0.0, 1.0);
  const auto ms = static_cast<int64_t>(u * static_cast<double>(CeilingMs(attempt)));
  return std::chrono::milliseconds(ms);
}

}  // namespace fleetclip::uploader

// The signal socket: a Unix datagram socket, one SignalFrame per datagram (DESIGN.md section 5).
// Run() is the body of the signal thread: it waits for datagrams or a stop request (no polling
// sleeps), offers each to SignalIngest, hands the merged frames it releases to a FrameSink in time
// order, and wakes at the deadline the sink asks for (so pending clips are emitted even when the
// producers go quiet) or when frames waiting in the reorder window fall due.
#pragma once

#include <filesystem>
#include <optional>
#include <stop_token>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/unique_handle.h"
#include "triggers/signal_ingest.h"

namespace fleetclip::triggers {

// Receives accepted frames on the signal thread.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void OnFrame(const DecodedFrame& frame) = 0;
  // Called when idle or after a burst; returns when it wants to be called next (nullopt: only on
  // the next frame).
  virtual std::optional<MonoTime> OnIdle() = 0;
};

class SignalSource {
 public:
  // Binds `path` (replacing a stale socket file there). The socket is closed on destruction and the
  // path removed.
  static Result<SignalSource> Bind(const std::filesystem::path& path, const Clock& clock);

  SignalSource(SignalSource&&) = default;
  SignalSource& operator=(SignalSource&&) = default;
  ~SignalSource();

  // Receives until `stop` is requested. Returns an error only if the socket itself fails.
  Status Run(std::stop_token stop, SignalIngest& ingest, FrameSink& sink);

  const std::filesystem::path& path() const { return path_; }

 private:
  SignalSource(std::filesystem::path path, UniqueFd fd, UniqueFd wake, const Clock& clock)
      : path_(std::move(path)), fd_(std::move(fd)), wake_(std::move(wake)), clock_(&clock) {}

  std::filesystem::path path_;
  UniqueFd fd_;
  UniqueFd wake_;  // eventfd written by the stop callback
  const Clock* clock_;
};

}  // namespace fleetclip::triggers

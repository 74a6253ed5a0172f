// A CAN bus as a producer on the signal socket. The gateway reads frames from a SocketCAN
// interface (can/can_socket.h; reopened with capped exponential backoff when it fails or goes
// down) or plays a candump log at its recorded pace (bench-top rigs), translates them
// (triggers/can_translator.h) and sends each translated frame as one SignalFrame datagram to the
// daemon's signal socket, so CAN values take exactly the path every producer's frames take
// (ingest, history, rules, the clip's signal log). Sends block when the receiver is behind
// (datagram back-pressure) rather than drop. Counter skips and bad checksums (frames dropped) are
// counted per message and logged at most once per kind every 10 s. Run() is the body of one thread;
// stats(), wakes() and finished() may be called from any thread. The loop wakes at least every
// wake_interval, a quiet bus too, so the daemon's watchdog can tell a quiet bus from a stuck
// thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "can/can_socket.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "common/unique_handle.h"
#include "proto/signal_frame.pb.h"
#include "triggers/can_translator.h"
#include "triggers/rate_limited_log.h"

namespace fleetclip::triggers {

struct CanGatewayStats {
  CanTranslateStats translate;
  uint64_t sent = 0;         // datagrams sent to the signal socket
  uint64_t send_errors = 0;  // datagrams the signal socket refused (daemon not listening)
  uint64_t reopens = 0;      // times the interface was (re)opened after a failure
  uint64_t bad_records = 0;  // kernel records of the wrong size or length, skipped
  std::string last_error;    // why the interface last failed, "" when it never did
  // Per DBC message (index into the DBC's messages): its counts, and whether it is checked.
  std::vector<can::MessageStats> messages;
  std::vector<uint8_t> checked;
};

struct CanGatewayOptions {
  std::string name;                     // interface name, e.g. "can0"; the frames' producer
  std::filesystem::path signal_socket;  // the daemon's signal socket
  Nanos min_backoff = std::chrono::milliseconds(100);
  Nanos max_backoff = std::chrono::seconds(5);
  // The longest the loop waits without waking: a poll on a quiet bus, a backoff, the gap between
  // two candump records. Each wake counts in wakes().
  Nanos wake_interval = std::chrono::seconds(1);
};

// Fills `out` with the frame's values under their catalogue names, from `producer` (the bus's
// interface name, so ingest orders and counts each bus on its own).
void ToSignalFrame(const DecodedFrame& frame, const SignalCatalog& catalog, uint64_t seq,
                   std::string_view producer, proto::SignalFrame& out);

class CanGateway {
 public:
  using Opener = std::function<Result<can::CanSocket>()>;

  // `catalog`, `clock` and the logger's sink must outlive the gateway.
  CanGateway(CanTranslator translator, const SignalCatalog& catalog, const Clock& clock, Logger log,
             CanGatewayOptions options);
  CanGateway(const CanGateway&) = delete;
  CanGateway& operator=(const CanGateway&) = delete;

  // Reads sockets from `open` until `stop`; a failed open or read is logged and retried after a
  // backoff (doubling from min_backoff to max_backoff, reset by a frame read).
  void RunSocket(std::stop_token stop, const Opener& open);
  // Plays the log once at its recorded pace (first frame now); a bad line ends it with the error.
  Status RunCandump(std::stop_token stop, const std::filesystem::path& log);

  CanGatewayStats stats() const;
  // How often the loop has woken (a frame, a quiet poll, a backoff step); grows at least once per
  // wake_interval while Run* runs and is not blocked.
  uint64_t wakes() const { return wakes_.load(std::memory_order_relaxed); }
  // Whether a Run* call has returned (a candump log played to its end, or stopped).
  bool finished() const { return finished_.load(std::memory_order_relaxed); }
  // The bus's DBC (immutable; safe from any thread).
  const can::Dbc& dbc() const { return translator_.decoder().dbc(); }

 private:
  // Reads until the socket fails (returns why) or `stop`.
  Error Pump(std::stop_token stop, can::CanSocket& socket);
  void Forward(const can::CanFrame& frame);
  // Copies the last frame's message counts into stats_ and logs a failed check. Needs mu_.
  void NoteDecoded();
  void Connect();
  // Sleeps until `until` in steps of at most wake_interval, counting each; false when stopped.
  bool SleepAwake(MonoTime until, std::stop_token stop);

  CanTranslator translator_;
  const SignalCatalog& catalog_;
  const Clock& clock_;
  Logger log_;
  RateLimitedLog check_log_;  // event=can_check_failed, per reason at most every 10 s
  const CanGatewayOptions options_;
  UniqueFd out_;   // datagram socket connected to the signal socket
  UniqueFd wake_;  // eventfd written by the stop callback
  DecodedFrame decoded_;
  proto::SignalFrame proto_;
  std::string bytes_;
  uint64_t seq_ = 0;
  std::atomic<uint64_t> wakes_{0};
  std::atomic<bool> finished_{false};

  mutable std::mutex mu_;
  CanGatewayStats stats_;  // guarded by mu_; translate copied from translator_ after each frame
};

}  // namespace fleetclip::triggers

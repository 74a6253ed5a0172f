// The daemon's CAN buses (signals.can in the base config, docs/can.md): one CanGateway thread per
// interface, each reading SocketCAN (or playing a candump log on a bench-top rig) and sending
// translated frames to the daemon's own signal socket, so CAN values reach the history and rules
// the way every producer's frames do. Built once at start (DBC files read, maps resolved against
// the catalogue); a config reload that changes signals.can needs a restart, as the rest of
// signals does. Start/Stop from the main thread; AddStatus from any thread.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "daemon/progress.h"
#include "proto/config.pb.h"
#include "proto/control.pb.h"
#include "triggers/can_gateway.h"

namespace fleetclip::daemon {

class CanGateways {
 public:
  // Reads each interface's DBC and resolves its map. Errors name the config field
  // ("signals.can[0].map[2]: car.dbc has no signal ESP_speed"). `catalog` and `clock` must outlive
  // the gateways; frames go to `signal_socket`.
  static Result<std::unique_ptr<CanGateways>> Build(const proto::SignalConfig& config,
                                                    const triggers::SignalCatalog& catalog,
                                                    const Clock& clock, Logger log);
  ~CanGateways() { Stop(); }

  void Start();
  void Stop();
  bool empty() const { return buses_.empty(); }

  // One DaemonStatus.can row per bus: its counters, health, and a row per message that is
  // checked or has counts (at most kMaxMessageRows, the rest counted as omitted).
  void AddStatus(proto::DaemonStatus& status) const;
  static constexpr int kMaxMessageRows = 64;

  // The watchdog (daemon/progress.h): one worker per bus, "can:IFACE", stalled after `limit`
  // without a wake of its gateway (it wakes at least every second, a quiet bus too).
  // BeatProgress() beats the buses whose gateway woke since its last call or has finished (a
  // candump log played to its end). Both from the main thread; WatchProgress once, before Start.
  void WatchProgress(ProgressBoard& board, Nanos limit, MonoTime now);
  void BeatProgress(ProgressBoard& board, MonoTime now);

 private:
  struct Bus {
    proto::CanInterfaceConfig config;
    std::unique_ptr<triggers::CanGateway> gateway;
    std::jthread thread;
    ProgressBoard::Worker worker{};
    uint64_t wake_mark = 0;  // the gateway's wakes() at the last BeatProgress
  };
  CanGateways(Logger log) : log_(std::move(log)) {}

  Logger log_;
  std::vector<Bus> buses_;
};

}  // namespace fleetclip::daemon

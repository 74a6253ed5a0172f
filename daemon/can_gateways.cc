// Building and running the daemon's CAN gateways (daemon/can_gateways.h).
#include "daemon/can_gateways.h"

#include "can/dbc.h"
#include "can/message_check.h"
#include "can/signal_map.h"
#include "common/thread_name.h"

namespace fleetclip::daemon {

Result<std::unique_ptr<CanGateways>> CanGateways::Build(const proto::SignalConfig& config,
                                                        const triggers::SignalCatalog& catalog,
                                                        const Clock& clock, Logger log) {
  std::unique_ptr<CanGateways> out(new CanGateways(log));
  for (int i = 0; i < config.can_size(); ++i) {
    const proto::CanInterfaceConfig& c = config.can(i);
    const std::string field = "signals.can[" + std::to_string(i) + "]";
    auto dbc = can::LoadDbc(c.dbc_file());
    if (!dbc.ok()) return dbc.error().WithContext(field + ".dbc_file");
    std::vector<can::SignalMapEntry> map;
    for (int j = 0; j < c.map_size(); ++j) {
      const proto::CanSignalMapping& m = c.map(j);
      map.push_back({m.dbc_signal(), m.signal(), m.scale() == 0 ? 1.0 : m.scale(),
                     field + ".map[" + std::to_string(j) + "]"});
    }
    std::vector<can::CheckSpec> specs;
    for (int j = 0; j < c.check_size(); ++j) {
      const proto::CanMessageCheck& k = c.check(j);
      specs.push_back({k.message(), k.counter(), k.checksum(), k.algorithm(), k.data_id(),
                       field + ".check[" + std::to_string(j) + "]"});
    }
    auto checks =
        can::ResolveChecks(*dbc, specs, c.checksum_algorithm(), field + ".checksum_algorithm");
    if (!checks.ok()) return checks.error();
    auto translator = triggers::CanTranslator::Create(
        std::make_shared<const can::Dbc>(std::move(*dbc)), map, catalog, *checks);
    if (!translator.ok()) return translator.error();
    triggers::CanGatewayOptions options;
    options.name = c.interface();
    options.signal_socket = config.socket_path();
    Bus bus;
    bus.config = c;
    bus.gateway = std::make_unique<triggers::CanGateway>(std::move(*translator), catalog, clock,
                                                         log, std::move(options));
    out->buses_.push_back(std::move(bus));
  }
  return out;
}

void CanGateways::Start() {
  for (Bus& bus : buses_) {
    triggers::CanGateway* gateway = bus.gateway.get();
    const proto::CanInterfaceConfig c = bus.config;
    Logger log = log_;
    bus.thread = std::jthread([gateway, c, log](std::stop_token stop) {
      SetThreadName("can:" + c.interface());
      if (!c.candump_file().empty()) {
        if (Status s = gateway->RunCandump(stop, c.candump_file()); !s.ok()) {
          log.Error("can_candump_failed",
                    {{"can", c.interface()}, {"error", s.error().ToString()}});
        } else {
          log.Notice("can_candump_done", {{"can", c.interface()}, {"file", c.candump_file()}});
        }
        return;
      }
      gateway->RunSocket(stop, [&c] { return can::CanSocket::Open(c.interface()); });
    });
  }
}

void CanGateways::Stop() {
  for (Bus& bus : buses_) {
    bus.thread.request_stop();
    if (bus.thread.joinable()) bus.thread.join();
  }
}

void CanGateways::WatchProgress(ProgressBoard& board, Nanos limit, MonoTime now) {
  for (Bus& bus : buses_) bus.worker = board.Add("can:" + bus.config.interface(), limit, now);
}

void CanGateways::BeatProgress(ProgressBoard& board, MonoTime now) {
  for (Bus& bus : buses_) {
    const uint64_t wakes = bus.gateway->wakes();
    if (wakes != bus.wake_mark || bus.gateway->finished()) board.Beat(bus.worker, now);
    bus.wake_mark = wakes;
  }
}

void CanGateways::AddStatus(proto::DaemonStatus& status) const {
  for (const Bus& bus : buses_) {
    const triggers::CanGatewayStats st = bus.gateway->stats();
    proto::CanBusStatus* b = status.add_can();
    b->set_interface(bus.config.interface());
    b->set_frames(st.translate.frames);
    b->set_translated(st.translate.translated);
    b->set_unknown_ids(st.translate.unknown_ids);
    b->set_out_of_range(st.translate.out_of_range);
    b->set_out_of_order(st.translate.out_of_order);
    b->set_reopens(st.reopens);
    b->set_last_error(st.last_error);
    b->set_counter_skips(st.translate.counter_skips);
    b->set_bad_checksums(st.translate.bad_checksums);
    b->set_unhealthy(!st.translate.healthy);
    const can::Dbc& dbc = bus.gateway->dbc();
    for (size_t m = 0; m < st.messages.size(); ++m) {
      const can::MessageStats& ms = st.messages[m];
      const bool checked = st.checked[m] != 0;
      if (!checked && ms.counter_skips == 0 && ms.bad_checksums == 0 && ms.out_of_range == 0) {
        continue;
      }
      if (b->messages_size() == kMaxMessageRows) {
        b->set_messages_omitted(b->messages_omitted() + 1);
        continue;
      }
      proto::CanMessageStatus* row = b->add_messages();
      row->set_name(dbc.messages[m].name);
      row->set_id(dbc.messages[m].id);
      row->set_checked(checked);
      row->set_frames(ms.frames);
      row->set_counter_skips(ms.counter_skips);
      row->set_bad_checksums(ms.bad_checksums);
      row->set_out_of_range(ms.out_of_range);
    }
  }
}

}  // namespace fleetclip::daemon

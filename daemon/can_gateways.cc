// Building and running the daemon's CAN gateways (daemon/can_gateways.h).
#include "daemon/can_gateways.h"

#include "can/dbc.h"
#include "can/signal_map.h"

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
    auto translator = triggers::CanTranslator::Create(
        std::make_shared<const can::Dbc>(std::move(*dbc)), map, catalog);
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

std::vector<std::pair<std::string, triggers::CanGatewayStats>> CanGateways::Stats() const {
  std::vector<std::pair<std::string, triggers::CanGatewayStats>> out;
  for (const Bus& bus : buses_) out.emplace_back(bus.config.interface(), bus.gateway->stats());
  return out;
}

}  // namespace fleetclip::daemon

// The rule set `fleetclip rules test` runs, from one of three places: the built-in rules (the
// presets over the standard signals), a base config's rules (`--config`), or a fleet config
// (`--fleet`, applied to a base config as the car would: a SignedFleetConfig goes through the
// car's whole verifier, an unsigned FleetConfig in text format through the same merge and
// validation without the signature, scope, version and expiry checks). The offline run's limits
// (history, datagram size, ring duration) follow the base config when there is one.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "triggers/offline_run.h"
#include "triggers/rule_engine.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::cli {

struct RuleSetup {
  triggers::SignalCatalog catalog;
  std::shared_ptr<const triggers::RuleSet> rules;
  triggers::OfflineRunOptions options;
  std::string label;  // where the rules came from, for the text output
};

// `base_file` empty: the built-in rules (or, with a fleet file, the default base config path).
// `fleet_file` empty: no fleet config. Errors name the file (and line:col, field or reason).
Result<RuleSetup> LoadRuleSetup(const std::string& base_file, const std::string& fleet_file,
                                const Clock& clock);

}  // namespace fleetclip::cli

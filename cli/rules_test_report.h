// What `fleetclip rules test` prints: a table of clips and their events for people, or exactly one
// JSON document (schema fleetclip.rules-test/1, docs/cli.md) for scripts. Times are the recorded
// producer times in ns (mono_ns), never rebased; the table also shows them in seconds.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "triggers/can_translator.h"
#include "triggers/offline_run.h"

namespace fleetclip::cli {

// One --candump log's counters after the run: what its frames gave (the `fleetclip status`
// counters of a CAN bus), so a DBC that does not fit the log shows as unknown ids, not silence.
struct CanLogCounters {
  std::string log;
  triggers::CanTranslateStats stats;
};

struct RulesTestSummary {
  std::string rules_label;  // where the rules came from
  size_t sources = 0;
  double seconds = 0;  // wall time of the run
  double frames_per_s = 0;
  std::vector<CanLogCounters> can;  // in --candump order
};

void PrintRulesTestJson(const triggers::OfflineRunResult& result, const RulesTestSummary& summary,
                        std::ostream& out);
void PrintRulesTestTable(const triggers::OfflineRunResult& result, const RulesTestSummary& summary,
                         std::ostream& out);

}  // namespace fleetclip::cli

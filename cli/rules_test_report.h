// What `fleetclip rules test` prints: a table of clips and their events for people, or exactly one
// JSON document (schema fleetclip.rules-test/1, docs/cli.md) for scripts. Times are the recorded
// producer times in ns (mono_ns), never rebased; the table also shows them in seconds.
#pragma once

#include <ostream>
#include <string>

#include "triggers/offline_run.h"

namespace fleetclip::cli {

struct RulesTestSummary {
  std::string rules_label;  // where the rules came from
  size_t sources = 0;
  double seconds = 0;  // wall time of the run
  double frames_per_s = 0;
};

void PrintRulesTestJson(const triggers::OfflineRunResult& result, const RulesTestSummary& summary,
                        std::ostream& out);
void PrintRulesTestTable(const triggers::OfflineRunResult& result, const RulesTestSummary& summary,
                         std::ostream& out);

}  // namespace fleetclip::cli

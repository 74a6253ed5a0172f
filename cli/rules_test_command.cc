// `fleetclip rules test`: back-tests a rule set on recorded drives before it is pushed to a fleet.
// The drives run through the same ingest, history, rules and scheduler as on the car
// (triggers/offline_run.h), on a fake clock that follows the recorded times, as fast as the
// machine allows. Several --drive files are several producers: their frames are interleaved by
// recorded time, as they would arrive at the daemon's socket.
// Inputs are RecordedSources (triggers/recorded_source.h): a second kind of input (a CAN log
// decoded with a DBC file) is one more option here that adds its own source.
#include <memory>
#include <string>
#include <vector>

#include "cli/rules_commands.h"
#include "cli/rules_setup.h"
#include "cli/rules_test_report.h"
#include "triggers/candump_signals.h"
#include "triggers/recorded_source.h"

namespace fleetclip::cli {
namespace {

constexpr char kRulesTestUsage[] =
    "fleetclip rules test --drive FILE [--drive FILE ...] [--config BASE.conf] [--fleet FLEET]\n"
    "                     [--candump LOG ... --dbc FILE [--can-map FILE]] [--json]\n"
    "  --drive FILE   a drive file (length-delimited SignalFrames, as `fleetclip replay` reads);\n"
    "                 several are several producers, merged by recorded time\n"
    "  --candump LOG  a candump log (candump -l) decoded by --dbc, as the daemon's CAN gateway\n"
    "                 does; may be given with or instead of --drive\n"
    "  --dbc FILE     the DBC file of the --candump logs\n"
    "  --can-map FILE lines \"DBC_SIGNAL CATALOGUE_NAME [SCALE]\"; default: DBC signals named\n"
    "                 like catalogue signals\n"
    "  --config FILE  the rules of this base config (presets merged with its rules); without\n"
    "                 --config or --fleet: the built-in rules\n"
    "  --fleet FILE   a fleet config applied to the base config (--config, else\n"
    "                 $FLEETCLIP_CONFIG, else /etc/fleetclip/fleetclip.conf): a SignedFleetConfig\n"
    "                 (checked as the car checks it) or an unsigned FleetConfig in text format\n"
    "  --json         one JSON document (schema fleetclip.rules-test/1) instead of the table\n"
    "exit codes: 0 ran; 1 a file that cannot be read or is invalid (named, with the byte offset,\n"
    "line or field); 2 usage error\n";

struct RulesTestArgs {
  std::vector<std::string> drives;
  std::vector<std::string> candumps;
  std::string dbc;
  std::string can_map;
  std::string base_file;
  std::string fleet_file;
  bool json = false;
};

// Parses the arguments; on a usage error returns the message.
std::optional<std::string> ParseArgs(std::span<const std::string_view> args, RulesTestArgs& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--drive" || a == "--config" || a == "--fleet" || a == "--candump" || a == "--dbc" ||
        a == "--can-map") {
      if (i + 1 >= args.size()) return std::string(a) + " needs a value";
      const std::string v(args[++i]);
      if (a == "--drive") {
        out.drives.push_back(v);
      } else if (a == "--candump") {
        out.candumps.push_back(v);
      } else {
        std::string& slot = a == "--config"  ? out.base_file
                            : a == "--fleet" ? out.fleet_file
                            : a == "--dbc"   ? out.dbc
                                             : out.can_map;
        if (!slot.empty()) return std::string(a) + " given twice";
        slot = v;
      }
    } else if (a == "--json") {
      out.json = true;
    } else if (a.starts_with("-")) {
      return "unknown option \"" + std::string(a) + "\"";
    } else {
      return "unexpected argument \"" + std::string(a) + "\" (drive files go after --drive)";
    }
  }
  if (out.drives.empty() && out.candumps.empty()) {
    return std::string("missing --drive FILE or --candump LOG");
  }
  if (!out.candumps.empty() && out.dbc.empty()) return std::string("--candump needs --dbc FILE");
  if (out.candumps.empty() && (!out.dbc.empty() || !out.can_map.empty())) {
    return std::string("--dbc and --can-map go with --candump LOG");
  }
  return std::nullopt;
}

}  // namespace

int RunRulesTest(std::span<const std::string_view> args, CommandContext& ctx) {
  for (std::string_view arg : args) {
    if (arg == "--help" || arg == "-h") {
      ctx.out << "usage: " << kRulesTestUsage;
      return kExitOk;
    }
  }
  RulesTestArgs a;
  if (auto problem = ParseArgs(args, a)) {
    ctx.err << "fleetclip rules test: " << *problem << "\nusage: " << kRulesTestUsage;
    return kExitUsage;
  }
  auto fail = [&](const Error& e) {
    ctx.err << "fleetclip rules test: " << e.message() << "\n";
    return kExitFailure;
  };

  // The rules, then the inputs, then one run over all of them.
  Result<RuleSetup> setup = LoadRuleSetup(a.base_file, a.fleet_file, ctx.clock);
  if (!setup.ok()) return fail(setup.error());
  std::vector<std::unique_ptr<triggers::RecordedSource>> owned;
  for (const std::string& drive : a.drives) {
    Result<triggers::DriveSource> source = triggers::DriveSource::Open(drive);
    if (!source.ok()) return fail(source.error());
    owned.push_back(std::make_unique<triggers::DriveSource>(std::move(*source)));
  }
  std::vector<const triggers::CandumpSource*> can_logs;
  for (const std::string& log : a.candumps) {
    Result<triggers::CandumpSource> source =
        triggers::CandumpSource::Open(log, a.dbc, a.can_map, setup->catalog);
    if (!source.ok()) return fail(source.error());
    auto can_log = std::make_unique<triggers::CandumpSource>(std::move(*source));
    can_logs.push_back(can_log.get());
    owned.push_back(std::move(can_log));
  }
  std::vector<triggers::RecordedSource*> sources;
  for (const auto& s : owned) sources.push_back(s.get());

  // Drops are counted in the output; logging each one (as the daemon does) would only bury it.
  FdLogSink quiet_sink(2);
  const Logger quiet(quiet_sink, LogLevel::kError);
  const MonoTime started = ctx.clock.Now();
  Result<triggers::OfflineRunResult> result =
      triggers::RunOffline(setup->catalog, setup->rules, sources, setup->options, quiet);
  const double seconds = std::chrono::duration<double>(ctx.clock.Now() - started).count();
  if (!result.ok()) return fail(result.error());

  RulesTestSummary summary;
  summary.rules_label = setup->label;
  summary.sources = sources.size();
  summary.seconds = seconds;
  summary.frames_per_s = seconds > 0 ? static_cast<double>(result->frames) / seconds : 0;
  for (const triggers::CandumpSource* log : can_logs)
    summary.can.push_back({log->name(), log->stats()});
  if (a.json) {
    PrintRulesTestJson(*result, summary, ctx.out);
  } else {
    PrintRulesTestTable(*result, summary, ctx.out);
  }
  return kExitOk;
}

}  // namespace fleetclip::cli

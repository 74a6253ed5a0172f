// triggers_bench: frames per second through the signal path (decode + validate + history + rule
// engine + scheduler, producers merged through the reorder window) with the three presets plus 50
// custom rules over 40 signals, against a baseline loop that only decodes the same datagrams
// (protobuf parse into a reused message). Single thread. Prints one line per mode: `mode=...
// frames=... seconds=... fps=...`.
//   triggers_bench engine|baseline|ingest [--seconds-of-drive S]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/support/drive_gen.h"
#include "triggers/presets.h"
#include "triggers/signal_pipeline.h"

namespace fleetclip::triggers {
namespace {

constexpr int kCustomSignals = 30;  // + 10 standard ones in every frame = 40 signals
constexpr int kCustomRules = 50;

class NullSink final : public ClipRequestSink {
 public:
  void Submit(ClipRequest request) override { events += request.events.size(); }
  size_t events = 0;
};

std::vector<RuleSpec> Rules() {
  std::vector<RuleSpec> rules = BuiltinRules();
  for (int k = 0; k < kCustomRules; ++k) {
    char sig[32];
    std::snprintf(sig, sizeof sig, "custom.s%02d", k % kCustomSignals);
    const double amp = 1 + (k % kCustomSignals) % 7;
    const std::string s = sig;
    const std::string c = std::to_string(0.9 * amp);
    RuleSpec r;
    r.name = "custom_" + std::to_string(k);
    switch (k % 6) {
      case 0:
        r.expr = s + " > " + c + " for 200ms and speed > 5";
        break;
      case 1:
        r.expr = "abs(rate(" + s + ")) > " + std::to_string(3 * amp);
        break;
      case 2:
        r.expr = "mean(" + s + ", 500ms) > " + c;
        break;
      case 3:
        r.expr = "max(" + s + ", 1s) - min(" + s + ", 1s) > " + std::to_string(0.3 * amp);
        break;
      case 4:
        r.expr = "rose(" + s + " > " + c + ")";
        break;
      default:
        r.expr = "abs(" + s + " * 10 - steering_angle) > 30 for 500ms";  // shadow mode
        break;
    }
    r.priority = 20;
    r.pre_roll_ms = 5'000;
    r.post_roll_ms = 2'000;
    r.cooldown_ms = 5'000;
    rules.push_back(std::move(r));
  }
  return rules;
}

double Seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

}  // namespace
}  // namespace fleetclip::triggers

int main(int argc, char** argv) {
  using namespace fleetclip;
  using namespace fleetclip::triggers;
  const std::string mode = argc >= 2 ? argv[1] : "";
  if (mode != "engine" && mode != "baseline" && mode != "ingest") {
    std::fprintf(stderr, "usage: triggers_bench engine|baseline|ingest [--seconds-of-drive S]\n");
    return 2;
  }
  const bool engine = mode == "engine";
  int64_t drive_s = 1200;
  if (argc == 4 && std::strcmp(argv[2], "--seconds-of-drive") == 0) drive_s = std::atoll(argv[3]);

  // The same datagrams for both modes: a 100 Hz drive with 40 signals per frame.
  testing::DriveOptions options;
  options.seed = 42;
  options.duration_s = drive_s;
  options.faults = false;
  options.extra_signals = kCustomSignals;
  const testing::Drive drive = testing::GenerateDrive(options);
  std::vector<std::string> datagrams;
  datagrams.reserve(drive.frames.size());
  for (const auto& f : drive.frames) datagrams.push_back(f.SerializeAsString());

  SignalCatalog catalog = SignalCatalog::Standard();
  for (int k = 0; k < kCustomSignals; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "custom.s%02d", k);
    (void)catalog.Declare(name, SignalKind::kNumber);
  }
  RealClock clock;
  MemoryLogSink log_sink;
  Logger log(log_sink, LogLevel::kWarning);

  // This measurement is the benchmark; the injected real clock times it.
  size_t checksum = 0;
  Nanos elapsed{};
  if (engine) {
    auto rules = RuleSet::Compile(catalog, Rules());
    if (!rules.ok()) {
      std::fprintf(stderr, "%s\n", rules.error().ToString().c_str());
      return 1;
    }
    SignalIngest ingest(catalog, clock, log);
    SignalHistory history(catalog, std::chrono::seconds(120));
    NullSink sink;
    TriggerScheduler scheduler(clock, log, sink);
    SignalPipeline pipeline(history, *rules, scheduler);
    const MonoTime t0 = clock.Now();
    // The signal thread's path: producers merged through the reorder window, then the rules.
    for (const std::string& d : datagrams) {
      ingest.Offer(d, false);
      while (const DecodedFrame* f = ingest.Next()) pipeline.OnFrame(*f);
      pipeline.OnIdle();
    }
    while (const DecodedFrame* f = ingest.Drain()) pipeline.OnFrame(*f);
    elapsed = clock.Now() - t0;
    checksum = ingest.stats().accepted + sink.events;
    std::fprintf(stderr, "rules=%zu instructions=%zu accepted=%zu clips=%lu\n",
                 (*rules)->rules().size(), (*rules)->program().size(),
                 static_cast<size_t>(ingest.stats().accepted),
                 static_cast<unsigned long>(scheduler.stats().clips));
  } else if (mode == "ingest") {
    // Our decode and validation alone (no history, rules or scheduler), for the breakdown.
    SignalIngest ingest(catalog, clock, log);
    DecodedFrame frame;
    const MonoTime t0 = clock.Now();
    for (const std::string& d : datagrams) checksum += ingest.Accept(d, false, frame) ? 1 : 0;
    elapsed = clock.Now() - t0;
  } else {
    proto::SignalFrame scratch;
    const MonoTime t0 = clock.Now();
    for (const std::string& d : datagrams) {
      if (scratch.ParseFromArray(d.data(), static_cast<int>(d.size()))) {
        checksum += static_cast<size_t>(scratch.values_size());
      }
    }
    elapsed = clock.Now() - t0;
  }
  const double s = Seconds(elapsed);
  std::printf("mode=%s frames=%zu seconds=%.4f fps=%.0f checksum=%zu\n", mode.c_str(),
              datagrams.size(), s, static_cast<double>(datagrams.size()) / s, checksum);
  return 0;
}

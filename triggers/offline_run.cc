// The offline signal path for triggers/offline_run.h.
#include "triggers/offline_run.h"

#include <algorithm>

#include "triggers/signal_history.h"
#include "triggers/signal_pipeline.h"

namespace fleetclip::triggers {
namespace {

class CollectingSink final : public ClipRequestSink {
 public:
  explicit CollectingSink(std::vector<ClipRequest>& out) : out_(out) {}
  void Submit(ClipRequest request) override { out_.push_back(std::move(request)); }

 private:
  std::vector<ClipRequest>& out_;
};

// The source whose current frame was recorded first; frames without a time come first (they are
// stamped with the current time on receipt). Sources are few: a scan is enough.
RecordedSource* Earliest(std::span<RecordedSource* const> live) {
  RecordedSource* best = nullptr;
  for (RecordedSource* s : live) {
    if (s == nullptr) continue;
    if (best == nullptr || s->mono_ns() < best->mono_ns()) best = s;
  }
  return best;
}

}  // namespace

Result<OfflineRunResult> RunOffline(const SignalCatalog& catalog,
                                    std::shared_ptr<const RuleSet> rules,
                                    std::span<RecordedSource* const> sources,
                                    const OfflineRunOptions& options, Logger log) {
  OfflineRunResult result;
  // Read the first frame of every source; the clock starts at the earliest recorded time.
  std::vector<RecordedSource*> live(sources.begin(), sources.end());
  for (RecordedSource*& s : live) {
    Result<bool> more = s->Advance();
    if (!more.ok()) return more.error();
    if (!*more) s = nullptr;
  }
  int64_t start_ns = 1'000'000'000;
  for (RecordedSource* s : live) {
    if (s != nullptr && s->mono_ns() > 0) start_ns = std::min(start_ns, s->mono_ns());
  }
  FakeClock clock(MonoFromNanos(start_ns));
  CollectingSink sink(result.clips);
  TriggerScheduler scheduler(clock, log, sink, options.scheduler);
  SignalHistory history(catalog, options.history_retention);
  SignalIngest ingest(catalog, clock, log, options.max_datagram_bytes, options.reorder_window);
  SignalPipeline pipeline(history, std::move(rules), scheduler);

  while (RecordedSource* source = Earliest(live)) {
    ++result.frames;
    // Signal time: the clock never goes back (a frame recorded out of order keeps it where it is).
    if (const int64_t t = source->mono_ns(); t > ToNanos(clock.Now())) {
      clock.Set(MonoFromNanos(t));
    }
    source->Offer(ingest);
    while (const DecodedFrame* frame = ingest.Next()) pipeline.OnFrame(*frame);
    pipeline.OnIdle();
    Result<bool> more = source->Advance();
    if (!more.ok()) return more.error();
    if (!*more) *std::find(live.begin(), live.end(), source) = nullptr;
  }
  // The frames still in the reorder window, then the clock on to each pending clip's end.
  // Each Poll emits at least the clip that was due, so this ends after at most pending() rounds.
  while (const DecodedFrame* frame = ingest.Drain()) pipeline.OnFrame(*frame);
  for (size_t rounds = scheduler.pending(); rounds > 0; --rounds) {
    const std::optional<MonoTime> due = scheduler.NextDue();
    if (!due) break;
    if (*due > clock.Now()) clock.Set(*due);
    scheduler.Poll();
  }
  result.ingest = ingest.stats();
  return result;
}

}  // namespace fleetclip::triggers

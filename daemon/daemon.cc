// fleetclipd's pipeline and main loop; see daemon/daemon.h.
#include "daemon/daemon.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "codec/media_init.h"
#include "common/durable_file.h"
#include "common/thread_name.h"
#include "daemon/backend/config_poller.h"
#include "daemon/backend/heartbeat.h"
#include "daemon/camera_set.h"
#include "daemon/can_gateways.h"
#include "daemon/config/base_config.h"
#include "daemon/config/config_keys.h"
#include "daemon/config/fleet_store.h"
#include "daemon/control_actions.h"
#include "daemon/control_protocol.h"
#include "daemon/progress.h"
#include "daemon/service_notifier.h"
#include "daemon/signal_worker.h"
#include "daemon/status_report.h"
#include "daemon/upload_target.h"
#include "daemon/upload_worker.h"
#include "queue/clip_store.h"
#include "queue/clip_writer.h"
#include "queue/storage_budget.h"
#include "queue/writer_lock.h"
#include "triggers/signal_history.h"
#include "triggers/trigger_scheduler.h"

namespace fleetclip::daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// Stall limits for the watchdog (see daemon/progress.h).
constexpr Nanos kSignalStall = std::chrono::seconds(20);  // it wakes every second
constexpr Nanos kCanStall = std::chrono::seconds(20);     // a gateway wakes every second too
constexpr Nanos kCameraStall = std::chrono::seconds(60);  // open backoff ≤ 10 s, I/O timeout 5 s
constexpr Nanos kWriterStall = std::chrono::minutes(5);   // one clip of up to 16 cameras
constexpr Nanos kUploadStall = std::chrono::minutes(15);  // a pass; bytes moving count too
constexpr Nanos kBackendStall = std::chrono::minutes(5);  // past its next poll time
// A CLI changing queue.db with no daemon running holds the writer lock for milliseconds.
constexpr Nanos kWriterLockWait = std::chrono::seconds(60);

}  // namespace

// The ClipRequestSink between the scheduler and the writer: counts and wakes the uploader. Not in
// the anonymous namespace: Daemon::Impl holds one, and a class with external linkage must not
// hold a type with internal linkage (GCC's -Wsubobject-linkage, once this file is in a unity
// batch).
namespace detail {
class WriterSink final : public triggers::ClipRequestSink {
 public:
  explicit WriterSink(queue::ClipWriter& writer) : writer_(writer) {}
  void Submit(triggers::ClipRequest request) override { writer_.Submit(std::move(request)); }

 private:
  queue::ClipWriter& writer_;
};
}  // namespace detail

namespace {

Result<UniqueFd> ListenUnix(const std::filesystem::path& path, mode_t mode) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) {
    return Error(ErrorCode::kInvalidArgument, "control_socket: path \"" + p + "\" is longer than " +
                                                  std::to_string(sizeof addr.sun_path - 1) +
                                                  " bytes");
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  ::unlink(p.c_str());  // a stale socket from a previous run
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return ErrnoError("bind " + p, errno);
  }
  if (::chmod(p.c_str(), mode) != 0) return ErrnoError("chmod " + p, errno);
  if (::listen(fd.get(), 16) != 0) return ErrnoError("listen " + p, errno);
  return fd;
}

std::string FormatWindow(int64_t pre_ms, int64_t post_ms) {
  return "now-" + std::to_string(pre_ms / 1000.0).substr(0, 5) + "s .. now+" +
         std::to_string(post_ms / 1000.0).substr(0, 5) + "s";
}

}  // namespace

struct Daemon::Impl {
  DaemonOptions options;
  PosixFileSystem posix_fs;  // used when options.file_system is null
  FileSystem& files;         // the queue's, the budget's and the fleet-config store's seam
  const Clock& clock;
  Logger log;
  ServiceNotifier notifier;
  ProgressBoard progress;

  // Config: the base config in force and the fleet config store. Guarded by config_mu (the main
  // loop and the backend thread both apply configs, and both build the status). The keys a reload
  // does not apply (config_keys.h, kAtRestart) keep the values `base` had at start, so the
  // pipeline built from them and `base` always agree.
  std::mutex config_mu;
  proto::BaseConfig base;                                 // guarded by config_mu
  std::unique_ptr<config::FleetConfigStore> fleet_store;  // guarded by config_mu
  std::string last_reload_error;                          // guarded by config_mu
  std::vector<std::string> awaiting_restart;  // guarded by config_mu: changed, not applied
  int64_t config_rejections = 0;              // guarded by config_mu
  uint64_t active_version = 0;                // guarded by config_mu
  std::string state = "starting";             // guarded by config_mu
  // BuildStatus runs on the main thread (control socket, Report) and the backend thread
  // (heartbeat); CameraSet::Status and SignalWorker::Stats keep rate samples between calls.
  std::mutex status_mu;

  // Pipeline, in construction order (destroyed in reverse). The writer lock first: held while
  // the daemon runs, so the CLI knows to ask it rather than write queue.db itself.
  std::optional<queue::WriterLock> writer_lock;
  std::unique_ptr<queue::ClipStore> store;
  queue::FileSystemDiskSpace disk{files};
  std::unique_ptr<queue::StorageBudget> budget;
  std::unique_ptr<CameraSet> cameras;
  std::unique_ptr<triggers::SignalCatalog> catalog;
  std::unique_ptr<triggers::SignalHistory> history;
  std::unique_ptr<queue::ClipWriter> writer;
  std::unique_ptr<detail::WriterSink> writer_sink;
  std::unique_ptr<triggers::TriggerScheduler> scheduler;
  std::unique_ptr<SignalWorker> signals;
  std::unique_ptr<CanGateways> can_buses;  // send to the signal socket: started after signals
  std::unique_ptr<UploadWorker> uploads;
  std::unique_ptr<backend::ConfigPoller> poller;
  std::unique_ptr<backend::Heartbeat> heartbeat;
  std::jthread backend_thread;
  std::vector<std::string> rule_names;  // guarded by config_mu

  ProgressBoard::Worker signal_worker{}, camera_worker{}, writer_worker{}, upload_worker{},
      backend_worker{};
  int64_t writer_mark = -1;
  int64_t upload_bytes_mark = -1;
  uint64_t manual_triggers = 0;

  UniqueFd control_fd;
  std::filesystem::path control_path;  // where control_fd is bound (unlinked at shutdown)
  UniqueFd signal_fd;

  Impl(DaemonOptions o, const Clock& c, LogSink& sink)
      : options(std::move(o)),
        files(options.file_system != nullptr ? *options.file_system : posix_fs),
        clock(c),
        log(sink) {}

  Status Build();
  Status ApplyEffective(const config::EffectiveConfig& effective);  // requires config_mu
  Status Reload();
  void RunBackend(std::stop_token stop);
  void HandleControl();
  proto::ControlResponse Dispatch(const proto::ControlRequest& request);
  proto::DaemonStatus BuildStatus();
  void SetState(std::string to);
  std::string State();
  void Report();
  void CheckProgress();
  void Shutdown();
};

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Daemon::~Daemon() {
  if (impl_) impl_->Shutdown();
}

Status BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) {
    return ErrnoError("pthread_sigmask", rc);
  }
  std::signal(SIGPIPE, SIG_IGN);
  return Ok();
}

Result<std::unique_ptr<Daemon>> Daemon::Create(DaemonOptions options, const Clock& clock,
                                               LogSink& log_sink) {
  auto impl = std::make_unique<Impl>(std::move(options), clock, log_sink);
  if (Status s = impl->Build(); !s.ok()) return s.error();
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

Status Daemon::Impl::Build() {
  // Load config.
  Result<proto::BaseConfig> loaded = config::LoadBaseConfig(options.config_path);
  if (!loaded.ok()) return loaded.error();
  base = std::move(*loaded);
  log = log.WithFields({{"vehicle", base.vehicle_id()}});
  log.Notice("starting",
             {{"version", options.software_version}, {"config", options.config_path.string()}});
  fleet_store = std::make_unique<config::FleetConfigStore>(files, base.state_dir(), log);

  // Open the queue: creates, migrates, checks and recovers the state directory.
  std::error_code ec;
  std::filesystem::create_directories(base.state_dir(), ec);
  std::filesystem::create_directories(base.runtime_dir(), ec);
  auto locked = queue::WriterLock::Acquire(
      base.state_dir(), "fleetclipd", clock, kWriterLockWait, [&](const std::string& holder) {
        log.Notice("waiting_for_writer_lock", {{"holder", holder}});
      });
  if (!locked.ok()) return locked.error().WithContext("lock the queue in " + base.state_dir());
  writer_lock.emplace(std::move(*locked));
  queue::StoreOptions so;
  so.state_dir = base.state_dir();
  so.file_system = &files;
  auto opened = queue::ClipStore::Open(so, clock, log);
  if (!opened.ok()) return opened.error().WithContext("open queue in " + base.state_dir());
  store = std::move(*opened);
  if (Status s = fleet_store->Load(base, clock.WallNow()); !s.ok()) {
    log.Error("fleet_config_unreadable", {{"error", s.error().ToString()}});
  }
  const config::EffectiveConfig& effective = fleet_store->effective();
  const proto::BaseConfig& cfg = effective.config;

  queue::StorageLimits limits{cfg.storage().quota_bytes(), cfg.storage().min_free_bytes(),
                              cfg.storage().min_free_percent()};
  budget = std::make_unique<queue::StorageBudget>(*store, disk, limits, log);

  // Capture.
  InitMediaLibraries();
  cameras = std::make_unique<CameraSet>(base.cameras(), clock, log);

  // Triggers and the clip writer.
  Result<config::CompiledRules> compiled = config::CompileRules(cfg);
  if (!compiled.ok()) return compiled.error();
  catalog = std::make_unique<triggers::SignalCatalog>(std::move(compiled->catalog));
  history = std::make_unique<triggers::SignalHistory>(
      *catalog, std::chrono::milliseconds(base.signals().history_ms()));
  queue::ClipWriterOptions wo;
  wo.vehicle_id = base.vehicle_id();
  wo.fleet_id = base.fleet_id();
  wo.software_version = options.software_version;
  wo.config_version = effective.fleet_version;
  std::random_device rd;
  writer = std::make_unique<queue::ClipWriter>(
      *store, *budget, cameras->rings(),
      [h = history.get()](MonoTime s, MonoTime e) { return h->Window(s, e); }, clock, log, wo,
      (uint64_t{rd()} << 32) | rd());
  writer_sink = std::make_unique<detail::WriterSink>(*writer);
  triggers::SchedulerOptions sched;
  sched.max_window = cameras->min_ring_duration();
  scheduler = std::make_unique<triggers::TriggerScheduler>(clock, log, *writer_sink, sched);
  const MonoTime now = clock.Now();
  signal_worker = progress.Add("signals", kSignalStall, now);
  camera_worker = progress.Add("cameras", kCameraStall, now);
  writer_worker = progress.Add("clip writer", kWriterStall, now);
  upload_worker = progress.Add("uploader", kUploadStall, now);
  signals =
      std::make_unique<SignalWorker>(*catalog, *history, compiled->rule_set, *scheduler,
                                     static_cast<size_t>(base.signals().max_datagram_bytes()),
                                     std::chrono::milliseconds(base.signals().reorder_window_ms()),
                                     clock, log, progress, signal_worker);
  scheduler->SetRules(compiled->rule_set);
  if (Status s = signals->Bind(base.signals().socket_path()); !s.ok()) {
    return s.error().WithContext("signals.socket_path");
  }
  ::chmod(base.signals().socket_path().c_str(), 0660);  // producers write as group members
  Result<std::unique_ptr<CanGateways>> buses =
      CanGateways::Build(base.signals(), *catalog, clock, log);
  if (!buses.ok()) return buses.error();
  can_buses = std::move(*buses);
  can_buses->WatchProgress(progress, kCanStall, now);

  // The uploader.
  Result<UploadTargetParts> target = MakeUploadTarget(base.upload(), cfg.upload_policy(), log);
  if (!target.ok() && target.error().code() == ErrorCode::kInvalidArgument) return target.error();
  if (!target.ok()) {
    // Not a config error (the credentials file is missing or unreadable): record and queue
    // anyway; uploads wait, with the reason in status, until the target can be built.
    log.Error("upload_target_unusable", {{"error", target.error().ToString()}});
    target = UploadTargetParts{
        std::make_unique<LazyTransport>(base.upload(), cfg.upload_policy(), log),
        TargetPrefix(base.upload().url()), base.upload().url() + " (waiting for credentials)"};
  }
  Result<uploader::PolicyConfig> policy = uploader::PolicyFromProto(cfg.upload_policy());
  if (!policy.ok()) return policy.error();
  Result<uploader::NetworkProbeOptions> probe =
      uploader::ProbeOptionsFromPolicy(cfg.upload_policy());
  if (!probe.ok()) return probe.error();
  log.Info("upload_target", {{"target", target->description}});
  UploadWorkerOptions uo;
  uo.vehicle_id = base.vehicle_id();
  uo.prefix = target->prefix;
  uo.probe = *probe;
  uo.local_target = IsLocalTarget(base.upload());
  uploads = std::make_unique<UploadWorker>(*store, std::move(target->transport), *policy, *signals,
                                           clock, log, progress, upload_worker, uo);

  // The backend client.
  if (!base.backend().config_url().empty()) {
    backend::ConfigPollerOptions po;
    po.config_url = base.backend().config_url();
    po.poll_interval_ms = base.backend().poll_interval_ms();
    po.max_config_bytes = base.backend().max_config_bytes();
    po.initial_etag = fleet_store->etag();  // the kept config's: the first poll may get a 304
    if (po.config_url.starts_with("s3://")) {
      po.s3_endpoint = base.upload().endpoint();
      po.s3_region = base.upload().region().empty() ? "us-east-1" : base.upload().region();
      const std::filesystem::path creds = base.upload().credentials_file();
      const std::string region = po.s3_region;
      po.s3_keys = [creds, region]() -> Result<uploader::SigV4Key> {
        auto c = ReadCredentialsFile(creds);
        if (!c.ok()) return c.error();
        return uploader::SigV4Key{(*c)["access_key_id"], (*c)["secret_access_key"],
                                  (*c)["session_token"], region};
      };
    }
    auto p = backend::ConfigPoller::Create(po, clock, log.WithFields({{"worker", "backend"}}));
    if (!p.ok()) return p.error().WithContext("backend.config_url");
    poller = std::move(*p);
    backend_worker = progress.Add(
        "backend", kBackendStall + std::chrono::milliseconds(po.poll_interval_ms * 11 / 10), now);
  }
  if (!base.backend().heartbeat_url().empty()) {
    backend::HeartbeatOptions ho;
    ho.url = base.backend().heartbeat_url();
    auto h = backend::Heartbeat::Create(ho, clock, log);
    if (!h.ok()) return h.error().WithContext("backend.heartbeat_url");
    heartbeat = std::move(*h);
  }

  // The control socket.
  Result<UniqueFd> control = ListenUnix(base.control_socket(), 0660);
  if (!control.ok()) return control.error().WithContext("control_socket");
  control_fd = std::move(*control);
  control_path = base.control_socket();

  std::lock_guard lock(config_mu);
  return ApplyEffective(effective);
}

Status Daemon::Impl::ApplyEffective(const config::EffectiveConfig& effective) {
  const proto::BaseConfig& cfg = effective.config;
  Result<config::CompiledRules> compiled = config::CompileRules(cfg);
  if (!compiled.ok()) return compiled.error();
  Result<uploader::PolicyConfig> policy = uploader::PolicyFromProto(cfg.upload_policy());
  if (!policy.ok()) return policy.error();
  Result<uploader::NetworkProbeOptions> probe =
      uploader::ProbeOptionsFromPolicy(cfg.upload_policy());
  if (!probe.ok()) return probe.error();

  signals->SetRules(compiled->rule_set);
  scheduler->SetRules(compiled->rule_set);
  uploads->SetPolicy(*policy);
  uploads->SetProbeOptions(*probe);
  budget->SetLimits({cfg.storage().quota_bytes(), cfg.storage().min_free_bytes(),
                     cfg.storage().min_free_percent()});
  writer->SetConfigVersion(effective.fleet_version);
  rule_names.clear();
  for (const triggers::CompiledRule& r : compiled->rule_set->rules()) {
    rule_names.push_back(r.spec.name);
  }
  // Remote triggers fire once per id, ever: the ids that fired are kept in the queue database.
  for (const proto::RemoteTrigger& t : effective.remote_triggers) {
    const std::string counter = "remote_trigger." + t.id();
    Result<int64_t> fired = store->Counter(counter);
    if (!fired.ok() || *fired > 0) continue;
    triggers::ExternalTrigger et;
    et.source = triggers::TriggerSource::kRemote;
    et.id = t.id();
    et.note = t.note();
    if (t.priority() > 0) et.priority = t.priority();
    if (t.pre_roll_ms() > 0) et.pre_roll_ms = t.pre_roll_ms();
    if (t.post_roll_ms() > 0) et.post_roll_ms = t.post_roll_ms();
    if (Status s = scheduler->Trigger(et); !s.ok()) {
      log.Warn("remote_trigger_refused", {{"id", t.id()}, {"error", s.error().ToString()}});
    }
    if (Status s = store->IncrementCounter(counter); !s.ok()) {
      log.Warn("remote_trigger_not_recorded", {{"id", t.id()}, {"error", s.error().ToString()}});
    }
  }
  if (effective.fleet_version != active_version) {
    log.Notice("config_applied", {{"fleet_version", static_cast<int64_t>(effective.fleet_version)},
                                  {"rules", static_cast<int64_t>(rule_names.size())}});
  }
  active_version = effective.fleet_version;
  return Ok();
}

Status Daemon::Impl::Reload() {
  notifier.Reloading();
  Result<proto::BaseConfig> loaded = config::LoadBaseConfig(options.config_path);
  std::lock_guard lock(config_mu);
  const auto reject = [&](const Error& e) {
    last_reload_error = e.ToString();
    log.Error("reload_rejected", {{"error", last_reload_error}});
    notifier.ReloadDone();
    return e;
  };
  if (!loaded.ok()) return reject(loaded.error());
  // The reloadable keys from the file, the others as they run (config_keys.h). The result is
  // checked as a whole, because a reloadable key may depend on a running one: a rule's pre-roll on
  // the camera rings, a rule's signal on the running catalogue, trusted keys on the config URL.
  config::ReloadPlan plan = config::PlanReload(base, *loaded);
  if (Status s = config::ValidateBaseConfig(plan.next, options.config_path.string()); !s.ok()) {
    return reject(s.error().WithContext("with the keys that wait for a restart as they run"));
  }
  proto::BaseConfig kept = std::exchange(base, std::move(plan.next));
  if (Status s = fleet_store->Load(base, clock.WallNow()); !s.ok()) {
    log.Error("fleet_config_unreadable", {{"error", s.error().ToString()}});
  }
  Status applied = ApplyEffective(fleet_store->effective());
  if (!applied.ok()) {
    base = std::move(kept);
    (void)fleet_store->Load(base, clock.WallNow());
    (void)ApplyEffective(fleet_store->effective());
    (void)reject(applied.error());
  } else {
    last_reload_error.clear();
    awaiting_restart = std::move(plan.awaiting_restart);
    std::string waiting;
    for (const std::string& k : awaiting_restart) waiting += (waiting.empty() ? "" : ",") + k;
    if (!waiting.empty()) log.Warn("reload_waits_for_restart", {{"keys", waiting}});
    log.Notice("reloaded", {{"fleet_version", static_cast<int64_t>(active_version)}});
    notifier.ReloadDone();
  }
  // The fleet config is checked against the base config: with a new one, what the backend serves
  // is offered again even if unchanged (a config rejected for an unknown key may now verify).
  if (poller) poller->PollNow(backend::ConfigPoller::Refetch::kYes);
  return applied;
}

void Daemon::Impl::RunBackend(std::stop_token stop) {
  auto on_config = [this](const std::string& bytes, const std::string& etag) -> Status {
    std::lock_guard lock(config_mu);
    Result<config::FleetVerification> offered =
        fleet_store->Offer(base, bytes, clock.WallNow(), etag);
    if (offered.ok() && offered->accepted()) {
      if (Status s = ApplyEffective(fleet_store->effective()); !s.ok()) {
        log.Error("config_apply_failed", {{"error", s.error().ToString()}});
      }
    } else if (offered.ok() && offered->verdict == config::FleetVerdict::kRejected) {
      ++config_rejections;
    }
    log.Debug("config_offered", {{"etag", etag}});
    return config::OfferStatus(offered);
  };
  auto after_poll = [this](std::stop_token s) {
    progress.Beat(backend_worker, clock.Now());
    if (heartbeat) (void)heartbeat->Send(BuildStatus(), s);
  };
  poller->Run(stop, on_config, after_poll);
}

// Called by the main thread (control socket, Report) and the backend thread (heartbeat).
proto::DaemonStatus Daemon::Impl::BuildStatus() {
  std::lock_guard status_lock(status_mu);
  proto::DaemonStatus s;
  s.set_software_version(options.software_version);
  {
    std::lock_guard lock(config_mu);
    s.set_state(state);
    s.set_vehicle_id(base.vehicle_id());
    for (const std::string& k : awaiting_restart) s.add_awaiting_restart(k);
    for (const std::string& r : rule_names) s.add_rules(r);
    s.set_config_version(active_version);
    if (const auto& rej = fleet_store->last_rejection(); rej) {
      s.set_last_config_rejection(std::string(config::FleetRejectReasonName(rej->reason)) + ": " +
                                  rej->message);
    }
    if (!last_reload_error.empty()) {
      s.set_last_config_rejection(s.last_config_rejection().empty()
                                      ? "reload: " + last_reload_error
                                      : s.last_config_rejection() +
                                            "; reload: " + last_reload_error);
    }
  }
  const MonoTime now = clock.Now();
  for (proto::CameraStatus& c : cameras->Status(now)) *s.add_cameras() = std::move(c);
  const SignalStatus sig = signals->Stats(now);
  s.set_signal_rate_hz(sig.rate_hz);
  s.set_signal_frames_dropped(static_cast<int64_t>(sig.dropped));
  if (can_buses) can_buses->AddStatus(s);
  for (const ProducerSignalStatus& p : sig.producers) {
    proto::ProducerStatus* ps = s.add_producers();
    ps->set_name(p.stats.name);
    ps->set_rate_hz(p.rate_hz);
    ps->set_accepted(p.stats.accepted);
    ps->set_dropped_duplicate(p.stats.duplicate);
    ps->set_dropped_out_of_order(p.stats.out_of_order);
    ps->set_dropped_late(p.stats.late);
    ps->set_seq_gaps(p.stats.seq_gaps);
    ps->set_last_seen_age_ms(p.last_seen_age_ms);
  }
  s.set_upload_decision(uploads->Stats().decision);
  if (Result<queue::Stats> st = store->GetStats(); st.ok()) {
    proto::QueueSummary* q = s.mutable_queue();
    for (const auto& [name, totals] : st->by_state) {
      (*q->mutable_clips_by_state())[name] = totals.clips;
      (*q->mutable_bytes_by_state())[name] = totals.bytes;
    }
    if (st->oldest_waiting) {
      const int64_t age_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
              .count() -
          st->oldest_waiting->window_start_unix_ms;
      q->set_oldest_waiting_age_s(std::max<int64_t>(0, age_ms / 1000));
    }
    q->set_quota_bytes(budget->limits().quota_bytes);
    q->set_used_bytes(st->local_bytes);
  }
  return s;
}

void Daemon::Impl::Report() {
  MetricsSnapshot m;
  m.status = BuildStatus();
  notifier.Status(StatusLine(m.status));
  std::string metrics_file;
  {
    std::lock_guard lock(config_mu);
    metrics_file = base.metrics_file();
  }
  if (metrics_file.empty()) return;
  if (Result<queue::Stats> st = store->GetStats(); st.ok()) {
    for (const auto& [rule, totals] : st->by_rule) m.clips_by_rule.emplace_back(rule, totals.clips);
    m.clips_dropped_no_space = st->dropped_no_space;
    m.clips_evicted = st->evicted;
  }
  m.signal_frames = static_cast<int64_t>(signals->Stats(clock.Now()).accepted);
  m.clips_written = writer->written();
  m.clips_dropped_backlog = writer->dropped();
  const UploadStatus up = uploads->Stats();
  m.upload_bytes = up.bytes_sent;
  m.uploads_completed = up.clips_uploaded;
  m.upload_failures = up.clips_failed;
  m.upload_retries = up.retries_scheduled;
  {
    std::lock_guard lock(config_mu);
    m.config_rejections = config_rejections;
  }
  if (Status s = WriteFileDurably(metrics_file, FormatMetrics(m)); !s.ok()) {
    log.Warn("metrics_not_written", {{"file", metrics_file}, {"error", s.error().ToString()}});
  }
}

void Daemon::Impl::CheckProgress() {
  const MonoTime now = clock.Now();
  if (cameras->AllProgressed()) progress.Beat(camera_worker, now);
  if (can_buses) can_buses->BeatProgress(progress, now);
  const int64_t writer_mark_now = writer->written() + writer->dropped();
  if (writer->pending() == 0 || writer_mark_now != writer_mark) progress.Beat(writer_worker, now);
  writer_mark = writer_mark_now;
  const int64_t bytes = uploads->Stats().bytes_sent;
  if (bytes != upload_bytes_mark) progress.Beat(upload_worker, now);
  upload_bytes_mark = bytes;
  if (poller) {
    const backend::PollerStats ps = poller->stats();
    if (now < ps.next_poll + kBackendStall) progress.Beat(backend_worker, now);
  }
  const std::vector<std::string> stalled = progress.Stalled(now);
  if (stalled.empty()) {
    notifier.Watchdog();
    return;
  }
  std::string names;
  for (const std::string& s : stalled) names += (names.empty() ? "" : ", ") + s;
  log.Error("watchdog_withheld", {{"stalled", names}});
}

void Daemon::Impl::HandleControl() {
  UniqueFd client(::accept4(control_fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!client.valid()) return;
  // A client that sends nothing cannot hold the main loop for more than a second.
  (void)SetSocketTimeouts(client.get(), std::chrono::seconds(1));
  proto::ControlResponse response;
  Result<std::string> bytes = ReadFramed(client.get());
  proto::ControlRequest request;
  if (!bytes.ok()) {
    response.set_error(bytes.error().ToString());
  } else if (!request.ParseFromString(*bytes)) {
    response.set_error("the request does not parse as a ControlRequest");
  } else {
    response = Dispatch(request);
  }
  (void)WriteFramed(client.get(), response.SerializeAsString());
}

proto::ControlResponse Daemon::Impl::Dispatch(const proto::ControlRequest& request) {
  proto::ControlResponse r;
  switch (request.request_case()) {
    case proto::ControlRequest::kStatus:
      *r.mutable_status() = BuildStatus();
      r.set_ok(true);
      break;
    case proto::ControlRequest::kTrigger: {
      const proto::TriggerRequest& t = request.trigger();
      triggers::ExternalTrigger et;
      et.source = triggers::TriggerSource::kManual;
      et.id = "manual-" + std::to_string(++manual_triggers);
      et.note = t.note();
      if (!t.rule().empty() && t.rule() != "manual") {
        et.note = et.note.empty() ? "rule " + t.rule() : "rule " + t.rule() + ": " + et.note;
      }
      if (t.priority() > 0) et.priority = t.priority();
      if (t.pre_roll_ms() > 0) et.pre_roll_ms = t.pre_roll_ms();
      if (t.post_roll_ms() > 0) et.post_roll_ms = t.post_roll_ms();
      if (Status s = scheduler->Trigger(et); !s.ok()) {
        r.set_error(s.error().message());
        break;
      }
      log.Notice("manual_trigger", {{"id", et.id}, {"note", et.note}});
      r.set_clip_window(FormatWindow(et.pre_roll_ms, et.post_roll_ms));
      r.set_ok(true);
      break;
    }
    case proto::ControlRequest::kReload: {
      Status s = Reload();
      r.set_ok(s.ok());
      if (!s.ok()) r.set_error(s.error().ToString());
      break;
    }
    case proto::ControlRequest::kUploadNow:
      uploads->UploadNow();
      r.set_ok(true);
      break;
    case proto::ControlRequest::kClip:
      r = ApplyClipRequest(request.clip(), *store, log);
      if (r.ok()) uploads->Wake();  // a deletion may have left a multipart upload to abort
      break;
    case proto::ControlRequest::REQUEST_NOT_SET:
      r.set_error("empty request");
      break;
  }
  return r;
}

int Daemon::Run() {
  Impl& d = *impl_;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  d.signal_fd = UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!d.signal_fd.valid()) {
    d.log.Error("signalfd_failed", {{"error", ErrnoError("signalfd", errno).ToString()}});
    return kExitFailure;
  }

  // Start every thread, then say ready.
  d.cameras->Start();
  d.writer->Start();
  d.signals->Start();
  d.can_buses->Start();
  d.uploads->Start();
  if (d.poller) {
    d.backend_thread = std::jthread([&d](std::stop_token stop) {
      SetThreadName("backend");
      d.RunBackend(stop);
    });
  }
  d.SetState("running");
  d.notifier.Ready();
  {
    std::lock_guard lock(d.config_mu);
    d.log.Notice("ready", {{"cameras", static_cast<int64_t>(d.base.cameras_size())},
                           {"control_socket", d.control_path.string()},
                           {"signal_socket", d.base.signals().socket_path()}});
  }

  const Nanos watchdog_every = d.notifier.watchdog_interval().value_or(std::chrono::seconds(10));
  MonoTime next_report = d.clock.Now();
  MonoTime next_watchdog = d.clock.Now() + watchdog_every;
  int64_t last_written = -1;
  bool stop = false;
  while (!stop) {
    const MonoTime now = d.clock.Now();
    if (now >= next_report) {
      d.Report();
      {
        std::lock_guard lock(d.config_mu);
        if (d.fleet_store->ExpireIfDue(d.clock.WallNow())) {
          (void)d.ApplyEffective(d.fleet_store->effective());
        }
      }
      next_report = now + d.options.status_interval;
    }
    if (now >= next_watchdog) {
      d.CheckProgress();
      next_watchdog = now + watchdog_every;
    }
    // A clip just committed: let the uploader look now rather than at its next idle tick.
    if (const int64_t w = d.writer->written(); w != last_written) {
      if (last_written >= 0) d.uploads->Wake();
      last_written = w;
    }
    const auto wait = std::min({next_report, next_watchdog, now + std::chrono::seconds(1)}) - now;
    pollfd fds[2] = {{d.signal_fd.get(), POLLIN, 0}, {d.control_fd.get(), POLLIN, 0}};
    const int timeout_ms = static_cast<int>(
        std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
    if (::poll(fds, 2, timeout_ms) < 0 && errno != EINTR) {
      d.log.Error("poll_failed", {{"error", ErrnoError("poll", errno).ToString()}});
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(d.signal_fd.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
          d.log.Notice("sighup", {});
          (void)d.Reload();
        } else {
          d.log.Notice("stopping", {{"signal", strsignal(static_cast<int>(info.ssi_signo))}});
          stop = true;
        }
      }
    }
    if (fds[1].revents & POLLIN) d.HandleControl();
  }
  d.Shutdown();
  return kExitOk;
}

void Daemon::Impl::SetState(std::string to) {
  std::lock_guard lock(config_mu);
  state = std::move(to);
}

std::string Daemon::Impl::State() {
  std::lock_guard lock(config_mu);
  return state;
}

void Daemon::Impl::Shutdown() {
  if (State() == "stopped") return;
  SetState("stopping");
  notifier.Stopping();
  // Config and heartbeats first; then no new clip windows; windows whose post-roll has not
  // elapsed are cut at this moment (their events say "shortened") while the rings still hold them;
  // then capture. Every clip cut is written to the end (ClipWriter::Stop). The uploader stops
  // last: a transfer in progress is aborted and its parts stay journaled for the resume at the
  // next start.
  if (backend_thread.joinable()) {
    backend_thread.request_stop();
    backend_thread.join();
  }
  if (can_buses) can_buses->Stop();
  if (signals) signals->Stop();
  // The signal thread has stopped: this thread may now cut windows (ClipWriter::Submit reads the
  // signal history, which only that thread writes).
  if (scheduler && writer) {
    if (const size_t cut = scheduler->Flush("daemon stopping"); cut > 0) {
      log.Notice("clips_cut_early", {{"clips", static_cast<int64_t>(cut)},
                                     {"reason", "post-roll not elapsed at shutdown"}});
    }
  }
  if (cameras) cameras->Stop();
  if (writer) writer->Stop();
  if (uploads) uploads->Stop();
  if (control_fd.valid()) {
    control_fd.Reset();
    ::unlink(control_path.c_str());  // the path bound at start, whatever a reload read since
  }
  log.Notice("stopped", {{"clips_written", writer ? writer->written() : 0}});
  SetState("stopped");
}

}  // namespace fleetclip::daemon

// The CAN gateway's loops (triggers/can_gateway.h): poll(2) on the CAN socket and an eventfd,
// backoff sleeps on the injected clock, one datagram per translated frame.
#include "triggers/can_gateway.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "can/candump.h"

namespace fleetclip::triggers {
namespace {

// Sets `flag` when the scope ends, however it ends.
struct SetOnExit {
  std::atomic<bool>& flag;
  ~SetOnExit() { flag.store(true, std::memory_order_relaxed); }
};

}  // namespace

void ToSignalFrame(const DecodedFrame& frame, const SignalCatalog& catalog, uint64_t seq,
                   std::string_view producer, proto::SignalFrame& out) {
  out.Clear();
  out.set_mono_ns(frame.mono_ns);
  out.set_seq(seq);
  out.set_producer(std::string(producer));
  for (const auto& [id, value] : frame.numbers) {
    const SignalInfo& info = catalog.Info(id);
    proto::SignalValue* v = out.add_values();
    v->set_name(info.name);
    if (info.kind == SignalKind::kFlag) {
      v->set_flag(value != 0);
    } else {
      v->set_number(value);
    }
  }
  for (size_t i = 0; i < frame.text_count; ++i) {
    proto::SignalValue* v = out.add_values();
    v->set_name(catalog.Info(frame.texts[i].first).name);
    v->set_text(frame.texts[i].second);
  }
}

CanGateway::CanGateway(CanTranslator translator, const SignalCatalog& catalog, const Clock& clock,
                       Logger log, CanGatewayOptions options)
    : translator_(std::move(translator)),
      catalog_(catalog),
      clock_(clock),
      log_(log.WithFields({{"can", options.name}})),
      check_log_(clock, log_),
      options_(std::move(options)),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  const can::Decoder& d = translator_.decoder();
  stats_.messages.resize(d.dbc().messages.size());
  stats_.checked.resize(d.dbc().messages.size());
  for (uint32_t m = 0; m < stats_.checked.size(); ++m) stats_.checked[m] = d.checked(m) ? 1 : 0;
}

void CanGateway::NoteDecoded() {
  const can::DecodeResult& r = translator_.last();
  if (r.message < 0) return;
  const auto m = static_cast<uint32_t>(r.message);
  if (r.bad_checksum || r.counter_skip) {
    check_log_.Warn("can_check_failed", r.bad_checksum ? "bad_checksum" : "counter_skip",
                    translator_.decoder().dbc().messages[m].name);
  }
  stats_.messages[m] = translator_.decoder().stats(m);  // the caller holds mu_
}

void CanGateway::Connect() {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& p = options_.signal_socket.native();
  if (p.size() >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.valid() &&
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    out_ = std::move(fd);
  }
}

void CanGateway::Forward(const can::CanFrame& frame) {
  if (!translator_.Translate(frame, decoded_)) {
    std::lock_guard lock(mu_);
    stats_.translate = translator_.stats();
    NoteDecoded();
    return;
  }
  ToSignalFrame(decoded_, catalog_, ++seq_, options_.name, proto_);
  // The interface names the producer, so its frames are ordered and merged as its own stream.
  if (IsValidSignalName(options_.name)) proto_.set_producer(options_.name);
  bytes_.clear();
  proto_.SerializeToString(&bytes_);
  if (!out_.valid()) Connect();
  bool sent = false;
  if (out_.valid()) {
    while (true) {
      if (::send(out_.get(), bytes_.data(), bytes_.size(), 0) >= 0) {
        sent = true;
        break;
      }
      if (errno == EINTR) continue;
      out_.Reset();  // the receiver went away: connect again on the next frame
      break;
    }
  }
  std::lock_guard lock(mu_);
  ++(sent ? stats_.sent : stats_.send_errors);
  stats_.translate = translator_.stats();
  NoteDecoded();
}

Error CanGateway::Pump(std::stop_token stop, can::CanSocket& socket) {
  can::CanFrame frame;
  while (!stop.stop_requested()) {
    pollfd fds[2] = {{socket.fd(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(ToMillis(options_.wake_interval)));
    wakes_.fetch_add(1, std::memory_order_relaxed);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll on CAN interface " + socket.name(), errno);
    }
    if (fds[1].revents != 0) break;
    while (true) {
      Result<bool> got = socket.Read(frame, clock_);
      if (!got.ok()) {
        if (got.error().code() != ErrorCode::kCorruption) return got.error();
        std::lock_guard lock(mu_);
        ++stats_.bad_records;
        continue;
      }
      if (!*got) break;
      Forward(frame);
    }
  }
  return Error(ErrorCode::kCancelled, "stopped");
}

bool CanGateway::SleepAwake(MonoTime until, std::stop_token stop) {
  while (true) {
    const MonoTime now = clock_.Now();
    if (now >= until) return true;
    const MonoTime step = std::min(until, now + options_.wake_interval);
    if (!clock_.SleepUntil(step, stop)) return false;
    wakes_.fetch_add(1, std::memory_order_relaxed);
  }
}

void CanGateway::RunSocket(std::stop_token stop, const Opener& open) {
  const SetOnExit finished{finished_};
  const int wake_fd = wake_.get();
  std::stop_callback on_stop(stop, [wake_fd] {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof one);
  });
  Nanos backoff = options_.min_backoff;
  while (!stop.stop_requested()) {
    Result<can::CanSocket> socket = open();
    Error why = socket.ok() ? Error(ErrorCode::kCancelled, "") : socket.error();
    if (socket.ok()) {
      {
        std::lock_guard lock(mu_);
        ++stats_.reopens;
      }
      log_.Info("can_open", {{"interface", socket->name()}});
      const uint64_t before = translator_.stats().frames;  // this thread owns the translator
      why = Pump(stop, *socket);
      if (translator_.stats().frames > before) backoff = options_.min_backoff;
    }
    if (stop.stop_requested()) break;
    {
      std::lock_guard lock(mu_);
      stats_.last_error = why.ToString();
    }
    log_.Warn("can_unavailable",
              {{"error", why.ToString()}, {"retry_ms", static_cast<int64_t>(ToMillis(backoff))}});
    SleepAwake(clock_.Now() + backoff, stop);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

Status CanGateway::RunCandump(std::stop_token stop, const std::filesystem::path& log) {
  const SetOnExit finished{finished_};
  auto reader = can::CandumpReader::Open(log);
  if (!reader.ok()) return reader.error();
  can::CandumpRecord rec;
  const MonoTime start = clock_.Now();
  std::optional<int64_t> first_ns;
  while (!stop.stop_requested()) {
    Result<bool> more = reader->Next(rec);
    if (!more.ok()) return more.error();
    if (!*more) break;
    if (!first_ns) first_ns = rec.time_ns;
    const Nanos offset(rec.time_ns - *first_ns);
    if (!SleepAwake(start + offset, stop)) break;
    rec.frame.mono_ns = ToNanos(start + offset);
    Forward(rec.frame);
  }
  return Ok();
}

CanGatewayStats CanGateway::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace fleetclip::triggers

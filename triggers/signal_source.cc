// Unix datagram receive loop for triggers/signal_source.h: poll(2) on the socket and an eventfd,
// recv with MSG_TRUNC so an oversized datagram is detected rather than silently cut.
#include "triggers/signal_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace fleetclip::triggers {

Result<SignalSource> SignalSource::Bind(const std::filesystem::path& path, const Clock& clock) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& p = path.native();
  if (p.empty() || p.size() >= sizeof addr.sun_path) {
    return Error(ErrorCode::kInvalidArgument,
                 "signal socket path \"" + p + "\" is empty or longer than " +
                     std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return ErrnoError("socket(AF_UNIX, SOCK_DGRAM)", errno);
  struct stat st {};
  if (::lstat(p.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(p.c_str());
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return ErrnoError("bind " + p, errno);
  }
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return ErrnoError("eventfd", errno);
  return SignalSource(path, std::move(fd), std::move(wake), clock);
}

SignalSource::~SignalSource() {
  if (fd_.valid()) ::unlink(path_.c_str());
}

Status SignalSource::Run(std::stop_token stop, SignalIngest& ingest, FrameSink& sink) {
  const int wake_fd = wake_.get();
  std::stop_callback on_stop(stop, [wake_fd] {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof one);
  });
  std::vector<char> buf(ingest.max_datagram_bytes() + 1);
  std::optional<MonoTime> deadline = sink.OnIdle();
  // When a datagram last arrived: once none has for a whole reorder window, nothing can arrive in
  // time to be merged before the waiting frames, so they are all handed on.
  MonoTime last_received = clock_->Now();
  while (!stop.stop_requested()) {
    int timeout_ms = -1;
    if (deadline) {
      const Nanos left = *deadline - clock_->Now();
      timeout_ms =
          left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(ToMillis(left) + 1, 60'000));
    }
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int ready = ::poll(fds, 2, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll on signal socket " + path_.native(), errno);
    }
    if (fds[1].revents != 0) break;
    // Drain what is queued, then hand on what is due and give the sink its idle call.
    bool received = false;
    while (true) {
      const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_TRUNC | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return ErrnoError("recv on signal socket " + path_.native(), errno);
      }
      const auto size = static_cast<size_t>(n);
      const bool truncated = size > buf.size();
      ingest.Offer(std::string_view(buf.data(), std::min(size, buf.size())), truncated);
      while (const DecodedFrame* f = ingest.Next()) sink.OnFrame(*f);
      received = true;
    }
    const MonoTime now = clock_->Now();
    if (received) last_received = now;
    const bool quiet = now - last_received >= ingest.reorder_window();
    while (const DecodedFrame* f = quiet ? ingest.Drain() : ingest.Next(now)) sink.OnFrame(*f);
    deadline = sink.OnIdle();
    if (std::optional<MonoTime> due = ingest.NextDue()) {
      const MonoTime wake = std::min(*due, last_received + ingest.reorder_window());
      deadline = deadline ? std::min(*deadline, wake) : wake;
    }
  }
  return Ok();
}

}  // namespace fleetclip::triggers

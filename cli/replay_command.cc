// `fleetclip replay`: read a drive file frame by frame and send each frame as one datagram to a
// signal socket at the recorded pace divided by --speed.
//
// Times are rebased onto this machine's monotonic clock (first frame = now) so the receiver's
// ordering checks and windows see a live-looking stream; the spacing between frames is kept as
// recorded even when sending faster, so `for 300ms` still means 300 ms of signal time.
// --keep-time sends the recorded times unchanged. Frames without a time stay without one (the
// receiver stamps them). A full receive queue blocks the sender (datagram back-pressure) rather
// than dropping frames. With --candump LOG --dbc FILE [--can-map FILE] the frames come from a
// candump log decoded by the DBC (triggers/candump_signals.h) instead of a drive file.
#include "cli/replay_command.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "common/unique_handle.h"
#include "triggers/candump_signals.h"
#include "triggers/drive_file.h"

namespace fleetclip::cli {
namespace {

struct ReplayArgs {
  std::string file;
  std::string socket;
  std::string candump;
  std::string dbc;
  std::string can_map;
  double speed = 1.0;
  bool keep_time = false;
};

// Parses the arguments; on a usage error returns the message.
std::optional<std::string> ParseArgs(std::span<const std::string_view> args, ReplayArgs& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--socket" || a == "--speed" || a == "--candump" || a == "--dbc" || a == "--can-map") {
      if (i + 1 >= args.size()) return std::string(a) + " needs a value";
      const std::string_view v = args[++i];
      if (a != "--speed") {
        (a == "--socket"    ? out.socket
         : a == "--candump" ? out.candump
         : a == "--dbc"     ? out.dbc
                            : out.can_map) = std::string(v);
        continue;
      }
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out.speed);
      if (ec != std::errc() || ptr != v.data() + v.size() || !(out.speed > 0) ||
          !std::isfinite(out.speed)) {
        return "--speed must be a number above 0, got \"" + std::string(v) + "\"";
      }
    } else if (a == "--keep-time") {
      out.keep_time = true;
    } else if (a.starts_with("-")) {
      return "unknown option \"" + std::string(a) + "\"";
    } else if (out.file.empty()) {
      out.file = std::string(a);
    } else {
      return "unexpected argument \"" + std::string(a) + "\"";
    }
  }
  if (!out.candump.empty()) {
    if (!out.file.empty()) return "give a drive FILE or --candump LOG, not both";
    if (out.dbc.empty()) return std::string("--candump needs --dbc FILE");
  } else if (!out.dbc.empty() || !out.can_map.empty()) {
    return std::string("--dbc and --can-map go with --candump LOG");
  }
  if (out.file.empty() && out.candump.empty()) return std::string("missing drive FILE");
  if (out.socket.empty()) return std::string("missing --socket PATH");
  return std::nullopt;
}

}  // namespace

const Command kReplayCommand{
    "replay", "send a drive file to a signal socket at real pace or faster",
    "fleetclip replay FILE --socket PATH [--speed X] [--keep-time]\n"
    "fleetclip replay --candump LOG --dbc FILE [--can-map FILE] --socket PATH [--speed X] "
    "[--keep-time]\n"
    "  FILE         drive file (length-delimited SignalFrames)\n"
    "  --candump    a candump log (candump -l), decoded by --dbc\n"
    "  --dbc        the DBC file of the logged bus\n"
    "  --can-map    lines \"DBC_SIGNAL CATALOGUE_NAME [SCALE]\"; default: DBC signals named\n"
    "               like catalogue signals\n"
    "  --socket     the daemon's signal socket (Unix datagram)\n"
    "  --speed X    send X times faster than recorded (default 1; e.g. 10, 0.5)\n"
    "  --keep-time  send the recorded mono_ns unchanged instead of rebasing to now\n",
    RunReplay};

int RunReplay(std::span<const std::string_view> args, CommandContext& ctx) {
  ReplayArgs a;
  for (std::string_view arg : args) {
    if (arg == "--help" || arg == "-h") {
      ctx.out << "usage: " << kReplayCommand.usage;
      return kExitOk;
    }
  }
  if (auto problem = ParseArgs(args, a)) {
    ctx.err << "fleetclip replay: " << *problem << "\nusage: " << kReplayCommand.usage;
    return kExitUsage;
  }
  // Frames come from a drive file or a candump log; either way one SignalFrame at a time.
  const triggers::SignalCatalog catalog = triggers::SignalCatalog::Standard();
  std::optional<triggers::DriveReader> drive;
  std::optional<triggers::CandumpSignalReader> candump;
  if (!a.candump.empty()) {
    auto r = triggers::CandumpSignalReader::Open(a.candump, a.dbc, a.can_map, catalog);
    if (!r.ok()) {
      ctx.err << "fleetclip replay: " << r.error().ToString() << "\n";
      return kExitFailure;
    }
    candump.emplace(std::move(*r));
  } else {
    auto r = triggers::DriveReader::Open(a.file);
    if (!r.ok()) {
      ctx.err << "fleetclip replay: " << r.error().ToString() << "\n";
      return kExitFailure;
    }
    drive.emplace(std::move(*r));
  }
  const std::string source = a.candump.empty() ? a.file : a.candump;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (a.socket.size() >= sizeof addr.sun_path) {
    ctx.err << "fleetclip replay: socket path longer than " << sizeof addr.sun_path - 1
            << " bytes\n";
    return kExitFailure;
  }
  std::memcpy(addr.sun_path, a.socket.c_str(), a.socket.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid() ||
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ctx.err << "fleetclip replay: "
            << ErrnoError("connect to signal socket " + a.socket, errno).ToString()
            << " (is the receiver running?)\n";
    return kExitFailure;
  }

  const MonoTime start = ctx.clock.Now();
  std::optional<int64_t> first_ns;
  uint64_t sent = 0;
  std::string bytes;
  while (true) {
    auto frame = candump ? candump->Next() : drive->Next();
    if (!frame.ok()) {
      ctx.err << "fleetclip replay: " << frame.error().ToString() << " (after " << sent
              << " frames)\n";
      return kExitFailure;
    }
    if (!frame->has_value()) break;
    proto::SignalFrame& f = **frame;
    const int64_t t = f.mono_ns();
    if (t != 0) {
      if (!first_ns) first_ns = t;
      const auto offset = Nanos(t - *first_ns);
      if (offset.count() > 0) {
        const auto paced =
            Nanos(static_cast<int64_t>(static_cast<double>(offset.count()) / a.speed));
        ctx.clock.SleepUntil(start + paced, {});
      }
      if (!a.keep_time) f.set_mono_ns(ToNanos(start) + offset.count());
    }
    bytes.clear();
    f.SerializeToString(&bytes);
    while (::send(fd.get(), bytes.data(), bytes.size(), 0) < 0) {
      if (errno == EINTR) continue;
      ctx.err << "fleetclip replay: " << ErrnoError("send to " + a.socket, errno).ToString()
              << " (frame " << sent << ")\n";
      return kExitFailure;
    }
    ++sent;
  }
  const double seconds = std::chrono::duration<double>(ctx.clock.Now() - start).count();
  ctx.log.Info("replay_done", {{"file", source}, {"frames", sent}, {"seconds", seconds}});
  ctx.out << "replayed " << sent << " frames from " << source << " in " << seconds << " s\n";
  return kExitOk;
}

}  // namespace fleetclip::cli

// libFuzzer harness for the control socket's framing (daemon/control_protocol.h): the input is
// what a peer writes on a real Unix stream socket before it closes its end; ReadFramed must give
// exactly what the 4-byte big-endian length says or the right error (kInvalidArgument naming the
// length and the limit; kUnavailable for a message cut short), never read past the limit. A
// payload read is then parsed as the daemon (ControlRequest) and the CLI (ControlResponse) parse
// it, and a parsed message serializes to bytes that parse and serialize to the same bytes.
// Finally WriteFramed → ReadFramed gives the payload back. The first byte picks the limit: the
// real one, or a small one so that lengths both under and over it are common.
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "common/unique_handle.h"
#include "daemon/control_protocol.h"
#include "fuzz/check.h"
#include "proto/control.pb.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::daemon;

struct Pair {
  UniqueFd writer, reader;
};

Pair SocketPair() {
  int sv[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
  return Pair{UniqueFd(sv[0]), UniqueFd(sv[1])};
}

// Writes all of `bytes` (well under the socket buffer) and closes the writing direction.
void Send(const UniqueFd& fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    FUZZ_CHECK(n > 0, "send");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  ::shutdown(fd.get(), SHUT_WR);
}

template <typename Message>
void ReparseStable(const std::string& payload) {
  Message m;
  if (!m.ParseFromString(payload)) return;
  const std::string once = m.SerializeAsString();
  Message again;
  FUZZ_CHECK(again.ParseFromString(once), "reserialized message does not parse");
  FUZZ_CHECK(again.SerializeAsString() == once, "serialization not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint32_t limit = data[0] < 128 ? kMaxControlMessageBytes : data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  Pair p = SocketPair();
  Send(p.writer, bytes);
  Result<std::string> got = ReadFramed(p.reader.get(), limit);

  if (bytes.size() < 4) {
    FUZZ_CHECK(!got.ok() && got.error().code() == ErrorCode::kUnavailable, "short header");
    return 0;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const uint32_t n = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  if (n > limit) {
    FUZZ_CHECK(!got.ok() && got.error().code() == ErrorCode::kInvalidArgument, "over the limit");
    FUZZ_CHECK(got.error().message() == "control message length " + std::to_string(n) +
                                            " is over the limit of " + std::to_string(limit),
               got.error().message());
    return 0;
  }
  if (bytes.size() - 4 < n) {
    FUZZ_CHECK(!got.ok() && got.error().code() == ErrorCode::kUnavailable, "cut short");
    return 0;
  }
  FUZZ_CHECK(got.ok(), got.error().ToString());
  FUZZ_CHECK(*got == bytes.substr(4, n), "payload differs");

  ReparseStable<proto::ControlRequest>(*got);
  ReparseStable<proto::ControlResponse>(*got);

  Pair q = SocketPair();
  FUZZ_CHECK(WriteFramed(q.writer.get(), *got).ok(), "WriteFramed");
  ::shutdown(q.writer.get(), SHUT_WR);
  Result<std::string> back = ReadFramed(q.reader.get(), limit);
  FUZZ_CHECK(back.ok() && *back == *got, "WriteFramed → ReadFramed differs");
  return 0;
}

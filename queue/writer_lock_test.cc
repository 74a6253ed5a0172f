// The writer lock of a state directory (queue/writer_lock.h): exclusive, names its holder, free
// again when the holder goes, and Acquire() waits for a holder that lets go.
#include "queue/writer_lock.h"

#include <catch2/catch.hpp>
#include <optional>
#include <thread>

#include "tests/support/temp_dir.h"

namespace fleetclip::queue {

using namespace std::chrono_literals;

TEST_CASE("A second writer lock on a state directory is refused and names the holder") {
  TempDir dir;
  auto first = WriterLock::TryAcquire(dir.path(), "fleetclipd");
  REQUIRE(first.ok());
  auto second = WriterLock::TryAcquire(dir.path(), "fleetclip pin");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code() == ErrorCode::kUnavailable);
  CHECK(second.error().message().find("held by fleetclipd pid ") != std::string::npos);
}

TEST_CASE("The writer lock is free again once its holder is gone") {
  TempDir dir;
  { REQUIRE(WriterLock::TryAcquire(dir.path(), "fleetclip pin").ok()); }
  CHECK(WriterLock::TryAcquire(dir.path(), "fleetclipd").ok());
}

TEST_CASE("Acquiring the writer lock waits for the holder to let go, and says it waits") {
  TempDir dir;
  RealClock clock;
  std::optional<WriterLock> held(WriterLock::TryAcquire(dir.path(), "fleetclip delete").value());
  std::thread release([&] {
    std::this_thread::sleep_for(200ms);
    held.reset();
  });
  std::string waited_for;
  auto lock = WriterLock::Acquire(dir.path(), "fleetclipd", clock, 10s,
                                  [&](const std::string& holder) { waited_for = holder; });
  release.join();
  CHECK(lock.ok());
  CHECK(waited_for.starts_with("fleetclip delete pid "));
}

TEST_CASE("Acquiring the writer lock gives up after the timeout, naming the holder") {
  TempDir dir;
  RealClock clock;
  auto held = WriterLock::TryAcquire(dir.path(), "fleetclip retry");
  REQUIRE(held.ok());
  auto lock =
      WriterLock::Acquire(dir.path(), "fleetclipd", clock, 200ms, [](const std::string&) {});
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.error().code() == ErrorCode::kTimeout);
  CHECK(lock.error().message().find("held by fleetclip retry pid ") != std::string::npos);
}

}  // namespace fleetclip::queue

// The one Catch2 main shared by every unit-test binary. Catch2 2.x has no skip result, so a test
// case that cannot run here counts itself (skip.h) and the binary exits with kSkippedExitCode if
// nothing failed: CTest shows it as skipped, and a failure in another case still fails it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>

#include "tests/support/skip.h"

namespace fleetclip::testing {
namespace {
std::atomic<int> skipped{0};
}  // namespace

void NoteSkipped() { skipped.fetch_add(1, std::memory_order_relaxed); }
int SkippedCount() { return skipped.load(std::memory_order_relaxed); }

}  // namespace fleetclip::testing

int main(int argc, char* argv[]) {
  const int failed = Catch::Session().run(argc, argv);
  const int skipped = fleetclip::testing::SkippedCount();
  if (failed != 0 || skipped == 0) return failed;
  std::fprintf(stderr, "SKIPPED: %d test case(s) could not run here; see their reasons above\n",
               skipped);
  return fleetclip::testing::kSkippedExitCode;
}

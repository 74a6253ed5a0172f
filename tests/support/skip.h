// A test case that cannot run here (tests/support/tmpfs_mount.h: no root to mount a tmpfs) says
// why and counts itself skipped. The shared Catch2 main (catch_main.cc) then exits with
// kSkippedExitCode when nothing failed, and CTest reports the test as skipped (SKIP_RETURN_CODE),
// never as passed, whether CTest runs one test case per process or a whole binary in one.
#pragma once

namespace fleetclip::testing {

inline constexpr int kSkippedExitCode = 77;

// Counts one skipped test case in this process.
void NoteSkipped();
// How many test cases of this process were skipped.
int SkippedCount();

}  // namespace fleetclip::testing

// Names the calling thread, so that `top -H`, `ps -L`, perf, gdb and /proc/PID/task/TID/comm tell
// fleetclipd's threads apart ("cam:front", "signals", "clip-writer", …) instead of showing every
// one as "fleetclipd". Linux keeps 15 bytes of a name: a longer one is cut there (by bytes).
#pragma once

#include <string_view>

namespace fleetclip {

void SetThreadName(std::string_view name);

}  // namespace fleetclip

#include "common/thread_name.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>

namespace fleetclip {
namespace {

// The kernel's name for a new thread after it called SetThreadName(name).
std::string NameSeenAfterSetting(std::string_view name) {
  std::string seen;
  std::thread([&] {
    SetThreadName(name);
    std::ifstream in("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
    std::getline(in, seen);
  }).join();
  return seen;
}

TEST_CASE("A thread's name is what the kernel shows for it") {
  CHECK(NameSeenAfterSetting("cam:front") == "cam:front");
}

TEST_CASE("A thread name longer than 15 bytes is cut to its first 15") {
  CHECK(NameSeenAfterSetting("cam:front_left_wide_angle") == "cam:front_left_");
}

}  // namespace
}  // namespace fleetclip

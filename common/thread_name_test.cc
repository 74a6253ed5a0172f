#include "common/thread_name.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <thread>

namespace fleetclip {
namespace {

// The kernel's name of the calling thread.
std::string OwnComm() {
  std::ifstream in("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

TEST_CASE("A thread's name is what the kernel shows for it") {
  std::string seen;
  std::thread([&] {
    SetThreadName("cam:front");
    seen = OwnComm();
  }).join();
  CHECK(seen == "cam:front");
}

TEST_CASE("A thread name longer than 15 bytes is cut to its first 15") {
  std::string seen;
  std::thread([&] {
    SetThreadName("cam:front_left_wide_angle");
    seen = OwnComm();
  }).join();
  CHECK(seen == "cam:front_left_");
}

}  // namespace
}  // namespace fleetclip

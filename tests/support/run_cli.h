// Running a command line in the end-to-end tests: its stdout and stderr together and its exit
// status, and a whole file's bytes. Header-only, for tests that start the real `fleetclip`.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace fleetclip::testing {

// Runs `program args` through the shell, returns what it printed on stdout and stderr.
inline std::string RunCommandLine(const std::string& program, const std::string& args, int* rc) {
  std::string command = program;
  command.append(" ").append(args).append(" 2>&1");
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = WEXITSTATUS(::pclose(p));
  return out;
}

inline std::string ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace fleetclip::testing

#include "tests/support/test_paths.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fleetclip::testing {
namespace {

namespace fs = std::filesystem;

struct Trees {
  fs::path build;
  fs::path source;
};

Trees FindTrees() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("test paths: cannot read /proc/self/exe: " + ec.message());
  Trees trees;
  // Test binaries sit a few folders below the build tree's root; 16 levels is far above that.
  fs::path dir = exe.parent_path();
  for (int level = 0; level < 16 && !dir.empty(); ++level, dir = dir.parent_path()) {
    if (fs::exists(dir / "CMakeCache.txt", ec)) {
      trees.build = dir;
      break;
    }
    if (dir == dir.root_path()) break;
  }
  if (trees.build.empty()) {
    throw std::runtime_error("test paths: no CMakeCache.txt in any folder above " + exe.string() +
                             ": a test binary runs from the build tree it was built in");
  }
  std::ifstream cache(trees.build / "CMakeCache.txt");
  constexpr std::string_view kKey = "CMAKE_HOME_DIRECTORY:INTERNAL=";
  for (std::string line; std::getline(cache, line);) {
    if (line.starts_with(kKey)) {
      trees.source = line.substr(kKey.size());
      break;
    }
  }
  if (trees.source.empty()) {
    throw std::runtime_error("test paths: " + (trees.build / "CMakeCache.txt").string() +
                             " has no CMAKE_HOME_DIRECTORY");
  }
  return trees;
}

const Trees& TheTrees() {
  static const Trees trees = FindTrees();
  return trees;
}

}  // namespace

std::string InBuildTree(std::string_view relative) {
  return (TheTrees().build / relative).string();
}

std::string InSourceTree(std::string_view relative) {
  return (TheTrees().source / relative).string();
}

}  // namespace fleetclip::testing

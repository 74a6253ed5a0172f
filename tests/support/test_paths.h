// Where a test finds the programs it runs and the files it reads. CMake passes these relative
// to the build tree (FLEETCLIP_CLI_PATH="cli/fleetclip") or to the source tree, never as absolute
// paths: an absolute path in a compile definition makes the test's object file differ in every
// clone, so ccache missed every such test in a clean CI clone. They are resolved here against
// the build tree the running test binary is in (the nearest folder above it with a
// CMakeCache.txt) and the source tree that build was configured from (that cache's
// CMAKE_HOME_DIRECTORY).
#pragma once

#include <string>
#include <string_view>

namespace fleetclip::testing {

// `relative` under the running test's build tree, e.g. InBuildTree("cli/fleetclip").
std::string InBuildTree(std::string_view relative);
// `relative` under the source tree, e.g. InSourceTree("packaging/fleetclip.conf").
std::string InSourceTree(std::string_view relative);

}  // namespace fleetclip::testing

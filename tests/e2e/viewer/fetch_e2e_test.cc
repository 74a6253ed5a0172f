// `fleetclip fetch` from file:// end to end, on the viewer fixture's daemon clip: its objects put
// where the uploader puts them (<prefix>/<vehicle>/<yyyy>/<mm>/<dd>/<id>/), fetched by the real CLI
// process and compared byte for byte; an object that no longer matches its manifest fails the
// fetch by name and is not kept.
#include <catch2/catch.hpp>
#include <fstream>

#include "proto/clip_manifest.pb.h"
#include "tests/support/run_cli.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) { return testing::ReadFileBytes(p); }

std::string Run(const std::string& args, int* rc) {
  return testing::RunCommandLine(testing::InBuildTree(FLEETCLIP_CLI_PATH), args, rc);
}

struct DaemonClip {
  DaemonClip() {
    id = Read(fs::path(testing::InBuildTree(FLEETCLIP_VIEWER_E2E_DIR)) / "clip/clip_id");
    while (!id.empty() && id.back() == '\n') id.pop_back();
    dir = fs::path(testing::InBuildTree(FLEETCLIP_VIEWER_E2E_DIR)) / "clip/state/clips" / id;
    proto::ClipManifest m;
    REQUIRE(m.ParseFromString(Read(dir / "manifest.pb")));
    for (const auto& f : m.files()) files.push_back(f.name());
    key_prefix = "fleet/" + m.vehicle_id() + "/2026/12/01/" + id + "/";
  }
  // The clip's objects as the file:// transport lays them out under `root`; returns their folder.
  fs::path PutUnder(const fs::path& root) const {
    const fs::path objects = root / key_prefix;
    fs::create_directories(objects);
    for (const auto& e : fs::directory_iterator(dir))
      fs::copy_file(e.path(), objects / e.path().filename());
    return objects;
  }
  std::string id;
  fs::path dir;
  std::vector<std::string> files;  // without manifest.pb
  std::string key_prefix;
};

void CheckSameFiles(const DaemonClip& clip, const fs::path& fetched) {
  for (const std::string& f : clip.files) {
    INFO(f);
    CHECK(Read(fetched / f) == Read(clip.dir / f));
  }
  CHECK(Read(fetched / "manifest.pb") == Read(clip.dir / "manifest.pb"));
}

TEST_CASE("fetch from file:// copies every object of a clip and verifies it against the manifest") {
  DaemonClip clip;
  TempDir tmp;
  const fs::path objects = clip.PutUnder(tmp.path() / "uploaded");
  int rc = 0;
  const std::string out =
      Run("fetch file://" + objects.string() + " " + (tmp.path() / "got").string(), &rc);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK_THAT(out, Catch::Contains("every file matches"));
  CheckSameFiles(clip, tmp.path() / "got" / clip.id);
}

TEST_CASE("fetch from file:// fails naming an object that no longer matches and does not keep it") {
  DaemonClip clip;
  TempDir tmp;
  const fs::path objects = clip.PutUnder(tmp.path() / "uploaded");
  const std::string victim = clip.files.front();
  std::string bytes = Read(objects / victim);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(objects / victim, std::ios::binary | std::ios::trunc) << bytes;
  int rc = 0;
  const std::string out =
      Run("fetch file://" + objects.string() + " " + (tmp.path() / "got").string(), &rc);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains(victim + " fails its check"));
  CHECK_FALSE(fs::exists(tmp.path() / "got" / clip.id / victim));
  CHECK_FALSE(fs::exists(tmp.path() / "got" / clip.id / "manifest.pb"));
}

}  // namespace
}  // namespace fleetclip

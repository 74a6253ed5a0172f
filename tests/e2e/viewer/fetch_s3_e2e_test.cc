// `fleetclip fetch` from s3:// end to end: a clip of a real ClipStore
// (tests/support/upload_clips.h: front.mp4 and its manifest.pb) put where the uploader puts it on
// the Ceph S3 test server (scripts/s3-test-server, the s3_server fixture), fetched by the real CLI
// process with SigV4 and compared byte for byte.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "tests/support/curl_init.h"
#include "tests/support/run_cli.h"
#include "tests/support/s3_test_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/support/upload_clips.h"
#include "uploader/s3_client.h"

namespace fleetclip {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) { return testing::ReadFileBytes(p); }

std::string Run(const std::string& args, int* rc) {
  return testing::RunCommandLine(testing::InBuildTree(FLEETCLIP_CLI_PATH), args, rc);
}

// A clip in a real store, its objects on a fresh bucket of the S3 test server.
struct S3Clip {
  explicit S3Clip(bool with_manifest) {
    InitCurlForTests();
    std::random_device rd;
    ep = uploader::S3TestEndpoint("viewer-fetch-" + std::to_string(rd() % 1'000'000'000));
    auto store =
        queue::ClipStore::Open({.state_dir = state.path(), .reserve_bytes = 0}, clock, log).value();
    queue::ClipIdGenerator ids(7);
    const uploader::MadeClip made =
        uploader::MakeUploadClip(*store, ids, clock.WallNow(), 3 << 20, 50, 2);
    id = made.id;
    dir = store->ClipDir(id);
    key_prefix = "fleet/veh-1/2026/12/01/" + id + "/";
    auto http = uploader::HttpClient::Create({});
    REQUIRE(http.ok());
    uploader::S3Client s3(ep, std::move(*http));
    REQUIRE(s3.CreateBucket({}).value.ok());
    REQUIRE(s3.PutObject(key_prefix + "front.mp4", Read(dir / "front.mp4"), {}).value.ok());
    if (with_manifest) {
      REQUIRE(s3.PutObject(key_prefix + "manifest.pb", Read(dir / "manifest.pb"), {}).value.ok());
    }
    std::ofstream(state.path() / "credentials")
        << "access_key_id=" << ep.key.access_key << "\n"
        << "secret_access_key=" << ep.key.secret_key << "\n";
  }
  std::string FetchArgs(const fs::path& into) const {
    return "fetch s3://" + ep.bucket + "/" + key_prefix + " " + into.string() + " --endpoint " +
           ep.endpoint + " --region " + ep.key.region + " --credentials " +
           (state.path() / "credentials").string();
  }
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink};
  TempDir state;
  uploader::S3Endpoint ep;
  std::string id;
  fs::path dir;
  std::string key_prefix;
};

TEST_CASE("fetch from s3:// downloads a clip from the Ceph S3 server with SigV4 and verifies it") {
  S3Clip clip(true);
  TempDir got;
  int rc = 0;
  const std::string out = Run(clip.FetchArgs(got.path()) + " --json", &rc);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK_THAT(out, Catch::Contains("\"verified\":true"));
  CHECK(Read(got.path() / clip.id / "front.mp4") == Read(clip.dir / "front.mp4"));
  CHECK(Read(got.path() / clip.id / "manifest.pb") == Read(clip.dir / "manifest.pb"));
}

TEST_CASE("fetch from s3:// of a clip whose manifest is missing says the clip is not complete") {
  S3Clip clip(false);
  TempDir got;
  int rc = 0;
  const std::string out = Run(clip.FetchArgs(got.path()), &rc);
  INFO(out);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("manifest.pb") && Catch::Contains("not complete"));
}

}  // namespace
}  // namespace fleetclip

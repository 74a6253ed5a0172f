// End to end: a worker process uploading a 40 MiB clip from the real SQLite ClipStore is killed
// with SIGKILL mid-upload; a new worker on the same state directory resumes the same multipart
// upload id (the parts already on the server are not sent again) and the object ends sha256-equal.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/support/curl_init.h"
#include "tests/support/s3_test_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/support/upload_clips.h"
#include "uploader/uploader.h"

extern char** environ;

namespace fleetclip::uploader {
namespace {

using namespace std::chrono_literals;

pid_t SpawnWorker(const std::string& state, const std::string& bucket, const std::string& bps,
                  const std::filesystem::path& log) {
  std::vector<std::string> args = {testing::InBuildTree(FLEETCLIP_RESUME_WORKER), state,
                                   testing::InBuildTree(FLEETCLIP_S3_ENV_FILE), bucket, bps};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// Waits up to `limit` for `pid`; returns its exit code, or -1 after killing it at the limit.
int WaitExit(pid_t pid, std::chrono::milliseconds limit) {
  for (auto waited = 0ms; waited < limit; waited += 20ms) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::stringstream ss;
  ss << std::ifstream(p).rdbuf();
  return ss.str();
}

TEST_CASE("A worker killed with SIGKILL mid-upload resumes the same upload id after restart") {
  InitCurlForTests();
  TempDir dir;
  std::random_device rd;
  const std::string bucket = "resume-" + std::to_string(rd() % 1'000'000'000);
  S3Endpoint ep = S3TestEndpoint(bucket);
  S3Client admin(ep, HttpClient::Create({}).value());
  REQUIRE(admin.CreateBucket({}).value.ok());

  RealClock clock;
  MemoryLogSink sink;
  Logger log(sink);
  MadeClip clip;
  std::string upload_id;
  {
    auto store = queue::ClipStore::Open({dir.path(), false, true, 5000, 0}, clock, log);
    REQUIRE(store.ok());
    queue::ClipIdGenerator ids(7);
    clip = MakeUploadClip(**store, ids, clock.WallNow(), 40 << 20, 50, 99);

    // 1. A worker at 80 Mbit/s (~4 s for the clip); killed once two parts are journaled.
    const pid_t first = SpawnWorker(dir.path(), bucket, "80000000", dir.path() / "first.log");
    int parts = 0;
    for (int i = 0; i < 500 && parts < 2; ++i) {
      std::this_thread::sleep_for(20ms);
      auto state = (*store)->GetUploadState(clip.id, "front.mp4");
      if (state.ok()) {
        parts = static_cast<int>(state->parts.size());
        upload_id = state->upload_id;
      }
    }
    REQUIRE(parts >= 2);
    ::kill(first, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(first, &status, 0) == first);
    CHECK(WIFSIGNALED(status));
    CHECK((*store)->Get(clip.id)->state == queue::ClipState::kUploading);
  }

  // 2. A new worker on the same state directory, unthrottled: recovery, then resume.
  const pid_t second = SpawnWorker(dir.path(), bucket, "0", dir.path() / "second.log");
  REQUIRE(WaitExit(second, 60s) == 0);
  const std::string second_log = ReadAll(dir.path() / "second.log");
  INFO(second_log);
  CHECK_THAT(second_log,
             Catch::Contains("event=upload_resumed") && Catch::Contains("upload_id=" + upload_id));
  auto store = queue::ClipStore::Open({dir.path(), false, true, 5000, 0}, clock, log);
  REQUIRE(store.ok());
  CHECK((*store)->Get(clip.id)->state == queue::ClipState::kUploaded);
  const WallTime captured(std::chrono::milliseconds((*store)->Get(clip.id)->window_start_unix_ms));
  CHECK(DownloadedSha256(admin, ObjectKey("fleet", "veh-1", captured, clip.id, "front.mp4")) ==
        clip.camera_sha256);
  CHECK(DownloadedSha256(admin, ObjectKey("fleet", "veh-1", captured, clip.id, "manifest.pb")) ==
        clip.manifest_sha256);
}

}  // namespace
}  // namespace fleetclip::uploader

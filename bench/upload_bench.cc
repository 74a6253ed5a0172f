// bench/upload.sh's program: uploads one file through S3Transport (multipart above the default
// 16 MiB threshold, 8 MiB parts, parallel parts) to an S3 endpoint, and prints
// `seconds=<wall> cpu_seconds=<user+sys> bytes=<n>` for this process.
//   upload_bench FILE ENDPOINT BUCKET KEY ACCESS_KEY SECRET_KEY [PARALLEL_PARTS]
#include <curl/curl.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "uploader/s3_transport.h"

using namespace fleetclip;
using namespace fleetclip::uploader;

namespace {

// Journal that keeps nothing: the benchmark never resumes.
class NoJournal final : public UploadJournal {
 public:
  Result<FileUploadState> GetUploadState(const std::string&, const std::string&) override {
    return FileUploadState{};
  }
  Status SetUploadId(const std::string&, const std::string&, const std::string&, int64_t) override {
    return Ok();
  }
  Status AddUploadedPart(const std::string&, const std::string&, const UploadedPart&) override {
    return Ok();
  }
  Status MarkFileUploaded(const std::string&, const std::string&) override { return Ok(); }
  Status ClearUploadState(const std::string&, const std::string&) override { return Ok(); }
};

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: upload_bench FILE ENDPOINT BUCKET KEY ACCESS_KEY SECRET_KEY [PARALLEL]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  RealClock clock;
  FdLogSink sink(2);
  Logger log(sink, LogLevel::kWarning);
  S3Endpoint ep{argv[2], argv[3], {argv[5], argv[6], "", "us-east-1"}};
  S3TransportOptions options;
  if (argc > 7) options.parallel_parts = std::stoi(argv[7]);
  auto transport = S3Transport::Create(
      ep, [k = ep.key] { return Result<SigV4Key>(k); }, options, log);
  if (!transport.ok()) {
    std::fprintf(stderr, "%s\n", transport.error().ToString().c_str());
    return 1;
  }
  LocalFile file{"bench.bin", argv[1], static_cast<int64_t>(std::filesystem::file_size(argv[1])),
                 "", false};
  NoJournal journal;
  const MonoTime t0 = clock.Now();
  Status s = (*transport)->PutFile("bench", file, argv[4], journal, {});
  const double seconds = static_cast<double>((clock.Now() - t0).count()) / 1e9;
  if (!s.ok()) {
    std::fprintf(stderr, "upload failed: %s\n", s.error().ToString().c_str());
    return 1;
  }
  std::printf("seconds=%.4f cpu_seconds=%.4f bytes=%lld\n", seconds, CpuSeconds(),
              static_cast<long long>(file.bytes));
  return 0;
}

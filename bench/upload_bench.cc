// bench/upload.sh's program: uploads one file through S3Transport (multipart above the default
// 16 MiB threshold, 8 MiB parts, parallel parts) to an S3 endpoint, and prints
// `seconds=<wall> cpu_seconds=<user+sys of the upload> bytes=<n> write_digest_cpu_seconds=<…>
// md5_cpu_seconds=<…> sha256_cpu_seconds=<…>` for this process.
//   upload_bench FILE ENDPOINT BUCKET KEY ACCESS_KEY SECRET_KEY [PARALLEL_PARTS [DIGESTS]]
// DIGESTS "write" (default): the part MD5s are taken first by the clip writer's own function
// (queue::FileDigestsOf, sha256 and MD5 per 8 MiB part in one read), timed apart as
// write_digest_cpu_seconds, and handed to the transport as the queue does; "upload": none, the
// transport hashes every part while uploading. md5_cpu_seconds / sha256_cpu_seconds: the digest
// alone over the file's bytes already in memory, one thread (the physical floor of hashing at
// upload time on this CPU).
#include <curl/curl.h>
#include <sys/resource.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "queue/sha256.h"
#include "uploader/digest.h"
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

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU seconds of MD5 and of SHA-256 alone over the file's bytes, read (untimed) 8 MiB at a time.
std::pair<double, double> DigestOnlySeconds(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  std::string buf(8 << 20, '\0');
  double md5 = 0, sha = 0;
  for (off_t at = 0;; at += static_cast<off_t>(buf.size())) {
    const ssize_t n = ::pread(fd, buf.data(), buf.size(), at);
    if (n <= 0) break;
    const std::string_view bytes(buf.data(), static_cast<size_t>(n));
    double t = ThreadCpuSeconds();
    (void)Md5(bytes);
    md5 += ThreadCpuSeconds() - t;
    t = ThreadCpuSeconds();
    (void)queue::Sha256Hex(bytes);
    sha += ThreadCpuSeconds() - t;
  }
  ::close(fd);
  return {md5, sha};
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
  const std::string digests = argc > 8 ? argv[8] : "write";
  auto transport = S3Transport::Create(
      ep, [k = ep.key] { return Result<SigV4Key>(k); }, options, log);
  if (!transport.ok()) {
    std::fprintf(stderr, "%s\n", transport.error().ToString().c_str());
    return 1;
  }
  LocalFile file{"bench.bin", argv[1], static_cast<int64_t>(std::filesystem::file_size(argv[1])),
                 "", false};
  double write_digest_cpu = 0;
  if (digests == "write") {
    const double c0 = CpuSeconds();
    Result<queue::FileDigests> d = queue::FileDigestsOf(argv[1], queue::kPartDigestBytes);
    if (!d.ok()) {
      std::fprintf(stderr, "%s\n", d.error().ToString().c_str());
      return 1;
    }
    write_digest_cpu = CpuSeconds() - c0;
    file.md5_part_size = d->md5_part_size;
    file.part_md5_hex = d->part_md5_hex;
  } else if (digests != "upload") {
    std::fprintf(stderr, "DIGESTS is write or upload, not %s\n", digests.c_str());
    return 2;
  }
  NoJournal journal;
  const double cpu0 = CpuSeconds();
  const MonoTime t0 = clock.Now();
  Status s = (*transport)->PutFile("bench", file, argv[4], journal, {});
  const double seconds = static_cast<double>((clock.Now() - t0).count()) / 1e9;
  const double cpu = CpuSeconds() - cpu0;
  if (!s.ok()) {
    std::fprintf(stderr, "upload failed: %s\n", s.error().ToString().c_str());
    return 1;
  }
  const auto [md5_cpu, sha_cpu] = DigestOnlySeconds(argv[1]);
  std::printf(
      "seconds=%.4f cpu_seconds=%.4f bytes=%lld write_digest_cpu_seconds=%.4f "
      "md5_cpu_seconds=%.4f sha256_cpu_seconds=%.4f\n",
      seconds, cpu, static_cast<long long>(file.bytes), write_digest_cpu, md5_cpu, sha_cpu);
  return 0;
}

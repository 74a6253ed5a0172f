// The daemon side of the SIGKILL resume test (upload_resume_e2e_test.cc): opens the real ClipStore
// in a state directory (with recovery, as fleetclipd does at start), uploads every due clip through
// Uploader and S3Transport to the S3 test server, and exits 0 when none is left. Logs go to stderr.
//   upload_resume_worker STATE_DIR S3_ENV_FILE BUCKET BANDWIDTH_BPS
#include <curl/curl.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "queue/clip_store.h"
#include "uploader/clip_store_adapter.h"
#include "uploader/s3_transport.h"
#include "uploader/uploader.h"

using namespace fleetclip;
using namespace fleetclip::uploader;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr,
                 "usage: upload_resume_worker STATE_DIR S3_ENV_FILE BUCKET BANDWIDTH_BPS\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  FdLogSink sink(2);
  Logger log(sink, LogLevel::kDebug);
  RealClock clock;
  std::map<std::string, std::string> env;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);)
    if (size_t eq = line.find('='); eq != std::string::npos)
      env[line.substr(0, eq)] = line.substr(eq + 1);
  S3Endpoint ep{env["S3_TEST_ENDPOINT"],
                argv[3],
                {env["S3_TEST_ACCESS_KEY"], env["S3_TEST_SECRET_KEY"], "", env["S3_TEST_REGION"]}};

  // Open the queue (recover) → transport → policy → uploader → passes until nothing is due.
  auto store = queue::ClipStore::Open({argv[1], false, true, 5000, 0}, clock, log);
  if (!store.ok()) return log.Error("open_failed", {{"error", store.error().ToString()}}), 1;
  ClipStoreAdapter adapter(**store, "veh-1");
  S3TransportOptions options;
  options.bandwidth_limit_bps = std::stoll(argv[4]);
  auto transport = S3Transport::Create(
      ep, [k = ep.key] { return Result<SigV4Key>(k); }, options, log);
  if (!transport.ok())
    return log.Error("transport_failed", {{"error", transport.error().ToString()}}), 1;
  proto::UploadPolicyConfig pc;
  pc.set_window_start("00:00");
  pc.set_window_end("00:00");
  pc.set_require_parked(false);  // no vehicle signals in this test
  FixedOffsetTimeZone zone(0);
  UploadPolicy policy(*PolicyFromProto(pc), zone);
  Uploader uploader(adapter, adapter, **transport, policy, clock, log,
                    Backoff({10, 100}, [] { return 0.0; }), UploaderOptions{"fleet", 8});
  ParkedTracker parked;
  NetworkState wifi{true, "wlan0", proto::LINK_WIFI, false, "config"};
  for (int pass = 0; pass < 20; ++pass) {
    Result<PassResult> r = uploader.RunPass(wifi, parked, {});
    if (!r.ok()) return log.Error("pass_failed", {{"error", r.error().ToString()}}), 1;
    if (r->uploaded + r->retry_scheduled + r->failed == 0) return r->failed == 0 ? 0 : 1;
    if (r->failed > 0) return 1;
  }
  return 1;
}

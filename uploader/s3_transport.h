// S3 transport: a single PUT below the multipart threshold, a resumable multipart upload above it.
// The multipart upload id and each part's ETag go into the UploadJournal as soon as the server has
// them, so a dropped link, a restart or a reboot resumes the same upload: ListParts reconciles the
// journal with what the server holds, a part the server has but the journal missed is adopted only
// when its ETag equals the local part's MD5, and only missing parts are sent. Parts go out on
// `parallel_parts` connections, each part with Content-MD5. After Complete, a HEAD confirms size
// and multipart ETag (radosgw 16 leaves the ETag of the Complete response empty). A permanent
// failure aborts the upload and clears the journal; expired credentials are reloaded from their
// source.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/log.h"
#include "uploader/digest.h"
#include "uploader/http_client.h"
#include "uploader/s3_client.h"
#include "uploader/transport.h"

namespace fleetclip::uploader {

struct S3TransportOptions {
  int64_t multipart_threshold_bytes = 16LL << 20;
  int64_t part_size_bytes = 8LL << 20;  // grown so that no upload has more than 10 000 parts
  int parallel_parts = 2;               // 1..16
  int64_t bandwidth_limit_bps = 0;      // bits per second over all connections; 0 = unlimited
  HttpOptions http;
};

// Where the keys come from; Load() is called again after the server says they expired.
using SigV4KeySource = std::function<Result<SigV4Key>()>;

// The part size for a file of `bytes`: `preferred` grown (in whole MiB) to keep ≤ 10 000 parts,
// and never below S3's 5 MiB minimum.
int64_t ChoosePartSize(int64_t bytes, int64_t preferred);

// The write-time part MD5s of `file` (LocalFile::part_md5_hex), one per md5_part_size slice;
// empty when none were recorded or they do not fit the file's size.
std::vector<Md5Digest> RecordedPartMd5s(const LocalFile& file);

class S3Transport final : public Transport {
 public:
  // `endpoint.key` is ignored: keys come from `keys`. `log` must outlive the transport.
  static Result<std::unique_ptr<S3Transport>> Create(S3Endpoint endpoint, SigV4KeySource keys,
                                                     S3TransportOptions options, Logger log);

  Status PutFile(const std::string& clip_id, const LocalFile& file, const std::string& key,
                 UploadJournal& journal, std::stop_token stop) override;
  const TransferStats& stats() const override { return stats_; }
  Status AbortUpload(const std::string& key, const std::string& upload_id) override;

 private:
  struct Worker {
    S3Client client;
    std::string buffer;  // one part
  };
  S3Transport(SigV4KeySource keys, S3TransportOptions options, Logger log)
      : keys_(std::move(keys)), options_(options), log_(std::move(log)) {}

  Status SinglePut(const std::string& clip_id, const LocalFile& file, const std::string& key,
                   UploadJournal& journal, std::stop_token stop);
  Status Multipart(const std::string& clip_id, const LocalFile& file, const std::string& key,
                   UploadJournal& journal, std::stop_token stop);
  // Handles an S3 failure: reloads keys when they expired; returns the error to report.
  template <typename T>
  Error Failed(S3Result<T>& r) {
    if (r.failure_class == FailureClass::kRefresh) RefreshKeys();
    return r.value.error();
  }
  void RefreshKeys();
  // A part sent with a recorded Content-MD5 came back BadDigest: the local bytes are hashed again
  // to tell disk corruption since the clip was written (permanent) from bytes changed on the way
  // (transient).
  Error CheckBadDigest(int fd, const LocalFile& file, int64_t offset, int64_t bytes,
                       const Md5Digest& recorded, Error server_error);

  SigV4KeySource keys_;
  S3TransportOptions options_;
  Logger log_;
  std::vector<std::unique_ptr<Worker>> workers_;  // [0] also serves the non-part calls
  TransferStats stats_;
};

}  // namespace fleetclip::uploader

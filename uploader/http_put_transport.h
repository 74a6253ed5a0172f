// HTTP PUT transport: each file goes up as one PUT with Content-MD5, either to a presigned URL the
// backend hands out per object (asked again on every attempt, so an expired URL is replaced by the
// retry) or to `<base_url>/<key>` with `Authorization: Bearer <token>` (the token source is asked
// again after a 401). No resume: a failed PUT is sent again whole, so prefer S3 for large clips.
#pragma once

#include <functional>
#include <memory>

#include "common/log.h"
#include "uploader/http_client.h"
#include "uploader/transport.h"

namespace fleetclip::uploader {

// Returns the URL to PUT `key` to (presigned), or the bearer token (bearer mode).
using PresignedUrlSource = std::function<Result<std::string>(const std::string& key)>;
using BearerTokenSource = std::function<Result<std::string>()>;

class HttpPutTransport final : public Transport {
 public:
  static Result<std::unique_ptr<HttpPutTransport>> Presigned(PresignedUrlSource urls,
                                                             HttpOptions options, Logger log);
  static Result<std::unique_ptr<HttpPutTransport>> Bearer(std::string base_url,
                                                          BearerTokenSource tokens,
                                                          HttpOptions options, Logger log);

  Status PutFile(const std::string& clip_id, const LocalFile& file, const std::string& key,
                 UploadJournal& journal, std::stop_token stop) override;
  const TransferStats& stats() const override { return stats_; }

 private:
  HttpPutTransport(HttpClient http, Logger log) : http_(std::move(http)), log_(std::move(log)) {}

  HttpClient http_;
  Logger log_;
  PresignedUrlSource urls_;
  std::string base_url_;
  BearerTokenSource tokens_;
  std::string token_;  // cached; reloaded after a 401
  TransferStats stats_;
};

}  // namespace fleetclip::uploader

// file:// transport for development and the demo: each object becomes `<dir>/<key>`, written as a
// temp file beside it, fsynced, renamed into place and its directory fsynced, so a reader never
// sees a partial object and manifest.pb appears last, as on S3.
#pragma once

#include <filesystem>

#include "uploader/transport.h"

namespace fleetclip::uploader {

class FileTransport final : public Transport {
 public:
  explicit FileTransport(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Status PutFile(const std::string& clip_id, const LocalFile& file, const std::string& key,
                 UploadJournal& journal, std::stop_token stop) override;
  const TransferStats& stats() const override { return stats_; }

 private:
  std::filesystem::path dir_;
  TransferStats stats_;
};

}  // namespace fleetclip::uploader

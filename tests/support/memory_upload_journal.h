// In-memory UploadJournal and UploadQueue for uploader tests that do not need the SQLite store
// (transport and engine tests). Thread-safe journal, like the real one. Resume and SIGKILL tests
// use queue/ClipStore instead.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "uploader/upload_journal.h"

namespace fleetclip::uploader {

class MemoryUploadJournal final : public UploadJournal {
 public:
  Result<FileUploadState> GetUploadState(const std::string& clip,
                                         const std::string& file) override {
    std::lock_guard lock(mu_);
    return states_[{clip, file}];
  }
  Status SetUploadId(const std::string& clip, const std::string& file, const std::string& id,
                     int64_t part_size) override {
    std::lock_guard lock(mu_);
    FileUploadState& s = states_[{clip, file}];
    s.upload_id = id;
    s.part_size_bytes = part_size;
    s.parts.clear();
    return Ok();
  }
  Status AddUploadedPart(const std::string& clip, const std::string& file,
                         const UploadedPart& part) override {
    std::lock_guard lock(mu_);
    auto& parts = states_[{clip, file}].parts;
    std::erase_if(parts, [&](const UploadedPart& p) { return p.part_number == part.part_number; });
    parts.push_back(part);
    return Ok();
  }
  Status MarkFileUploaded(const std::string& clip, const std::string& file) override {
    std::lock_guard lock(mu_);
    uploaded_.insert({clip, file});
    return Ok();
  }
  bool IsUploaded(const std::string& clip, const std::string& file) {
    std::lock_guard lock(mu_);
    return uploaded_.contains({clip, file});
  }
  Status ClearUploadState(const std::string& clip, const std::string& file) override {
    std::lock_guard lock(mu_);
    states_[{clip, file}] = FileUploadState{};
    return Ok();
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, FileUploadState> states_;  // guarded by mu_
  std::set<std::pair<std::string, std::string>> uploaded_;                 // guarded by mu_
};

}  // namespace fleetclip::uploader

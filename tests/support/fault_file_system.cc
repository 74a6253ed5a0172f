// FaultFileSystem: counting and failing the Nth file operation. See fault_file_system.h.
#include "tests/support/fault_file_system.h"

namespace fleetclip::testing {
namespace fs = std::filesystem;
namespace {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem& owner, std::unique_ptr<WritableFile> base, fs::path path)
      : owner_(owner), base_(std::move(base)), path_(std::move(path)) {}
  Status WriteAt(int64_t offset, std::string_view data) override {
    if (Status s = owner_.Check("write", path_.string()); !s.ok()) return s;
    return base_->WriteAt(offset, data);
  }
  Status Sync() override {
    if (Status s = owner_.Check("fsync", path_.string()); !s.ok()) return s;
    return base_->Sync();
  }
  Status Close() override {
    // A failed close still closes the descriptor, as close(2) does.
    Status s = owner_.Check("close", path_.string());
    Status closed = base_->Close();
    return s.ok() ? closed : s;
  }

 private:
  FaultFileSystem& owner_;
  std::unique_ptr<WritableFile> base_;
  const fs::path path_;
};

class FaultReadableFile final : public ReadableFile {
 public:
  FaultReadableFile(FaultFileSystem& owner, std::unique_ptr<ReadableFile> base, fs::path path)
      : owner_(owner), base_(std::move(base)), path_(std::move(path)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (Status s = owner_.Check("read", path_.string()); !s.ok()) return s.error();
    return base_->Read(buf, n);
  }

 private:
  FaultFileSystem& owner_;
  std::unique_ptr<ReadableFile> base_;
  const fs::path path_;
};

}  // namespace

void FaultFileSystem::FailNth(int64_t n, int errno_value) {
  std::lock_guard lock(mu_);
  count_ = 0;
  fail_at_ = n;
  errno_ = errno_value;
  failed_.reset();
  history_.clear();
}

std::vector<FsOp> FaultFileSystem::history() const {
  std::lock_guard lock(mu_);
  return history_;
}

int64_t FaultFileSystem::ops() const {
  std::lock_guard lock(mu_);
  return count_;
}

std::optional<FsOp> FaultFileSystem::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

Status FaultFileSystem::Check(std::string op, std::string target) {
  std::lock_guard lock(mu_);
  history_.push_back(FsOp{std::move(op), std::move(target)});
  if (++count_ != fail_at_) return Ok();
  failed_ = history_.back();
  return ErrnoError(failed_->Text(), errno_);
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::NewWritableFile(const fs::path& path) {
  if (Status s = Check("create", path.string()); !s.ok()) return s.error();
  auto file = base_.NewWritableFile(path);
  if (!file.ok()) return file.error();
  return std::unique_ptr<WritableFile>(new FaultWritableFile(*this, std::move(*file), path));
}

Result<std::unique_ptr<ReadableFile>> FaultFileSystem::NewReadableFile(const fs::path& path) {
  if (Status s = Check("open", path.string()); !s.ok()) return s.error();
  auto file = base_.NewReadableFile(path);
  if (!file.ok()) return file.error();
  return std::unique_ptr<ReadableFile>(new FaultReadableFile(*this, std::move(*file), path));
}

Status FaultFileSystem::Rename(const fs::path& from, const fs::path& to) {
  if (Status s = Check("rename", from.string() + " to " + to.string()); !s.ok()) return s;
  return base_.Rename(from, to);
}

Status FaultFileSystem::Unlink(const fs::path& path) {
  if (Status s = Check("unlink", path.string()); !s.ok()) return s;
  return base_.Unlink(path);
}

Status FaultFileSystem::MakeDir(const fs::path& path) {
  if (Status s = Check("mkdir", path.string()); !s.ok()) return s;
  return base_.MakeDir(path);
}

Status FaultFileSystem::RemoveDir(const fs::path& path) {
  if (Status s = Check("rmdir", path.string()); !s.ok()) return s;
  return base_.RemoveDir(path);
}

Status FaultFileSystem::SyncDir(const fs::path& path) {
  if (Status s = Check("fsync directory", path.string()); !s.ok()) return s;
  return base_.SyncDir(path);
}

Result<std::vector<DirEntry>> FaultFileSystem::ListDir(const fs::path& path) {
  if (Status s = Check("list", path.string()); !s.ok()) return s.error();
  return base_.ListDir(path);
}

Result<FileStat> FaultFileSystem::Stat(const fs::path& path) {
  if (Status s = Check("stat", path.string()); !s.ok()) return s.error();
  return base_.Stat(path);
}

Result<FsSpace> FaultFileSystem::Space(const fs::path& path) {
  if (Status s = Check("statvfs", path.string()); !s.ok()) return s.error();
  return base_.Space(path);
}

}  // namespace fleetclip::testing

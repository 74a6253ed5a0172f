// PowerCutFileSystem: pass-through operations plus a model of what an fsync made durable. See
// power_cut_fs.h.
#include "tests/support/power_cut_fs.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fleetclip::testing {
namespace fs = std::filesystem;
namespace {

class PowerCutWritableFile final : public WritableFile {
 public:
  PowerCutWritableFile(PowerCutFileSystem& owner, std::unique_ptr<WritableFile> base, int inode,
                       fs::path path)
      : owner_(owner), base_(std::move(base)), inode_(inode), path_(std::move(path)) {}
  Status WriteAt(int64_t offset, std::string_view data) override {
    if (Status s = owner_.Step("write " + path_.string()); !s.ok()) return s;
    if (Status s = base_->WriteAt(offset, data); !s.ok()) return s;
    owner_.ModelWrite(inode_, offset, data);
    return Ok();
  }
  Status Sync() override {
    if (Status s = owner_.Step("fsync " + path_.string()); !s.ok()) return s;
    if (Status s = base_->Sync(); !s.ok()) return s;
    owner_.ModelSync(inode_);
    return Ok();
  }
  Status Close() override {
    Status s = owner_.Step("close " + path_.string());
    Status closed = base_->Close();
    return s.ok() ? closed : s;
  }

 private:
  PowerCutFileSystem& owner_;
  std::unique_ptr<WritableFile> base_;
  const int inode_;  // -1: outside the modelled tree
  const fs::path path_;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

PowerCutFileSystem::PowerCutFileSystem(FileSystem& base, fs::path root,
                                       std::vector<std::string> copied_as_is,
                                       std::vector<std::string> left_out)
    : base_(base),
      root_(root.lexically_normal()),
      copied_as_is_(std::move(copied_as_is)),
      left_out_(std::move(left_out)) {
  std::lock_guard lock(mu_);
  NewNode(true);
  ScanLocked(root_, 0);
}

int PowerCutFileSystem::NewNode(bool dir) {
  nodes_.push_back(Node{});
  nodes_.back().dir = dir;
  return static_cast<int>(nodes_.size()) - 1;
}

void PowerCutFileSystem::ScanLocked(const fs::path& dir, int inode) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (inode == 0 &&
        std::find(copied_as_is_.begin(), copied_as_is_.end(), name) != copied_as_is_.end()) {
      continue;
    }
    const int child = NewNode(e.is_directory());
    if (e.is_directory()) {
      ScanLocked(e.path(), child);
    } else {
      nodes_[child].data = nodes_[child].synced = ReadAll(e.path());
    }
    nodes_[inode].entries[name] = child;
    nodes_[inode].synced_entries[name] = child;
  }
}

std::optional<std::vector<std::string>> PowerCutFileSystem::Below(const fs::path& path) const {
  const fs::path rel = path.lexically_normal().lexically_relative(root_);
  if (rel.empty()) return std::nullopt;
  std::vector<std::string> parts;
  for (const auto& p : rel) {
    const std::string s = p.string();
    if (s == "..") return std::nullopt;
    if (s == "." || s.empty()) continue;
    parts.push_back(s);
  }
  return parts;
}

int PowerCutFileSystem::Lookup(const std::vector<std::string>& parts) const {
  int at = 0;
  for (const std::string& p : parts) {
    auto it = nodes_[at].entries.find(p);
    if (it == nodes_[at].entries.end()) return -1;
    at = it->second;
  }
  return at;
}

void PowerCutFileSystem::CutBefore(int64_t n, fs::path image) {
  std::lock_guard lock(mu_);
  count_ = 0;
  cut_at_ = n;
  image_ = std::move(image);
}

void PowerCutFileSystem::CutNow(const fs::path& image) {
  std::lock_guard lock(mu_);
  if (!off_) ImageLocked(image);
  off_ = true;
}

int64_t PowerCutFileSystem::ops() const {
  std::lock_guard lock(mu_);
  return count_;
}

bool PowerCutFileSystem::powered_off() const {
  std::lock_guard lock(mu_);
  return off_;
}

Status PowerCutFileSystem::Step(const std::string& what) {
  std::lock_guard lock(mu_);
  if (!off_ && ++count_ == cut_at_) {
    ImageLocked(image_);
    off_ = true;
  }
  if (off_) return ErrnoError(what + " (after the power cut)", EIO);
  return Ok();
}

void PowerCutFileSystem::ModelWrite(int inode, int64_t offset, std::string_view data) {
  if (inode < 0) return;
  std::lock_guard lock(mu_);
  std::string& d = nodes_[static_cast<size_t>(inode)].data;
  const size_t end = static_cast<size_t>(offset) + data.size();
  if (d.size() < end) d.resize(end, '\0');
  d.replace(static_cast<size_t>(offset), data.size(), data);
}

void PowerCutFileSystem::ModelSync(int inode) {
  if (inode < 0) return;
  std::lock_guard lock(mu_);
  Node& n = nodes_[static_cast<size_t>(inode)];
  n.synced = n.data;
}

void PowerCutFileSystem::ImageLocked(const fs::path& image) {
  fs::create_directories(image);
  WriteImage(0, image, 0);
  for (const std::string& name : copied_as_is_) {
    if (fs::exists(root_ / name)) fs::copy_file(root_ / name, image / name);
  }
}

void PowerCutFileSystem::WriteImage(int inode, const fs::path& at, int depth) const {
  if (depth > 32) throw std::logic_error("power-cut image deeper than 32 levels");
  for (const auto& [name, child] : nodes_[static_cast<size_t>(inode)].synced_entries) {
    const Node& n = nodes_[static_cast<size_t>(child)];
    if (n.dir) {
      fs::create_directory(at / name);
      WriteImage(child, at / name, depth + 1);
    } else {
      std::ofstream out(at / name, std::ios::binary);
      out.write(n.synced.data(), static_cast<std::streamsize>(n.synced.size()));
    }
  }
}

Result<std::unique_ptr<WritableFile>> PowerCutFileSystem::NewWritableFile(const fs::path& path) {
  if (Status s = Step("create " + path.string()); !s.ok()) return s.error();
  auto file = base_.NewWritableFile(path);
  if (!file.ok()) return file.error();
  int inode = -1;
  if (auto parts = Below(path); parts && !parts->empty()) {
    std::lock_guard lock(mu_);
    const std::string name = parts->back();
    parts->pop_back();
    if (const int parent = Lookup(*parts); parent >= 0) {
      inode = NewNode(false);
      nodes_[static_cast<size_t>(parent)].entries[name] = inode;
    }
  }
  return std::unique_ptr<WritableFile>(
      new PowerCutWritableFile(*this, std::move(*file), inode, path));
}

Result<std::unique_ptr<ReadableFile>> PowerCutFileSystem::NewReadableFile(const fs::path& path) {
  if (powered_off()) return ErrnoError("open " + path.string() + " (after the power cut)", EIO);
  return base_.NewReadableFile(path);
}

Status PowerCutFileSystem::Rename(const fs::path& from, const fs::path& to) {
  if (Status s = Step("rename " + from.string() + " to " + to.string()); !s.ok()) return s;
  if (Status s = base_.Rename(from, to); !s.ok()) return s;
  auto f = Below(from), t = Below(to);
  if (!f || !t || f->empty() || t->empty()) return Ok();
  std::lock_guard lock(mu_);
  const std::string fname = f->back(), tname = t->back();
  f->pop_back();
  t->pop_back();
  const int pf = Lookup(*f), pt = Lookup(*t);
  if (pf < 0 || pt < 0) return Ok();
  auto& from_entries = nodes_[static_cast<size_t>(pf)].entries;
  auto it = from_entries.find(fname);
  if (it == from_entries.end()) return Ok();
  const int inode = it->second;
  from_entries.erase(it);
  nodes_[static_cast<size_t>(pt)].entries[tname] = inode;
  return Ok();
}

Status PowerCutFileSystem::Unlink(const fs::path& path) {
  if (Status s = Step("unlink " + path.string()); !s.ok()) return s;
  if (Status s = base_.Unlink(path); !s.ok()) return s;
  DropEntry(path);
  return Ok();
}

Status PowerCutFileSystem::MakeDir(const fs::path& path) {
  if (Status s = Step("mkdir " + path.string()); !s.ok()) return s;
  if (Status s = base_.MakeDir(path); !s.ok()) return s;
  if (auto parts = Below(path); parts && !parts->empty()) {
    std::lock_guard lock(mu_);
    const std::string name = parts->back();
    parts->pop_back();
    if (const int parent = Lookup(*parts); parent >= 0) {
      const int inode = NewNode(true);
      nodes_[static_cast<size_t>(parent)].entries[name] = inode;
    }
  }
  return Ok();
}

Status PowerCutFileSystem::RemoveDir(const fs::path& path) {
  if (Status s = Step("rmdir " + path.string()); !s.ok()) return s;
  if (Status s = base_.RemoveDir(path); !s.ok()) return s;
  DropEntry(path);
  return Ok();
}

void PowerCutFileSystem::DropEntry(const fs::path& path) {
  auto parts = Below(path);
  if (!parts || parts->empty()) return;
  std::lock_guard lock(mu_);
  const std::string name = parts->back();
  parts->pop_back();
  if (const int parent = Lookup(*parts); parent >= 0) {
    nodes_[static_cast<size_t>(parent)].entries.erase(name);
  }
}

Status PowerCutFileSystem::SyncDir(const fs::path& path) {
  if (Status s = Step("fsync directory " + path.string()); !s.ok()) return s;
  if (Status s = base_.SyncDir(path); !s.ok()) return s;
  if (auto parts = Below(path); parts) {
    std::lock_guard lock(mu_);
    if (const int inode = Lookup(*parts); inode >= 0) {
      Node& n = nodes_[static_cast<size_t>(inode)];
      n.synced_entries = n.entries;
    }
  }
  return Ok();
}

Result<std::vector<DirEntry>> PowerCutFileSystem::ListDir(const fs::path& path) {
  if (powered_off()) return ErrnoError("list " + path.string() + " (after the power cut)", EIO);
  return base_.ListDir(path);
}

Result<FileStat> PowerCutFileSystem::Stat(const fs::path& path) {
  if (powered_off()) return ErrnoError("stat " + path.string() + " (after the power cut)", EIO);
  return base_.Stat(path);
}

Result<FsSpace> PowerCutFileSystem::Space(const fs::path& path) {
  if (powered_off()) return ErrnoError("statvfs " + path.string() + " (after the power cut)", EIO);
  return base_.Space(path);
}

}  // namespace fleetclip::testing

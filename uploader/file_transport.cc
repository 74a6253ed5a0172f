// Durable copy into a directory tree (file_transport.h).
#include "uploader/file_transport.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>

#include "common/durable_file.h"
#include "common/unique_handle.h"

namespace fleetclip::uploader {

Status FileTransport::PutFile(const std::string& clip_id, const LocalFile& file,
                              const std::string& key, UploadJournal& journal,
                              std::stop_token stop) {
  if (key.find("..") != std::string::npos || key.starts_with("/"))
    return Error(ErrorCode::kInvalidArgument, "object key \"" + key + "\" leaves the target dir");
  const std::filesystem::path dest = dir_ / key;
  if (Status s = CreateDirsDurably(dest.parent_path()); !s.ok()) return s;
  UniqueFd in(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoError("opening " + file.path.string(), errno);
  const std::filesystem::path tmp = TempPathFor(dest);
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoError("creating " + tmp.string(), errno);
  ++stats_.parts_sent;
  int64_t copied = 0;
  Status result = Ok();
  while (copied < file.bytes) {
    if (stop.stop_requested()) {
      result = Error(ErrorCode::kCancelled, "copy of " + key + " stopped");
      break;
    }
    const ssize_t n =
        ::sendfile(out.get(), in.get(), nullptr,
                   static_cast<size_t>(std::min<int64_t>(file.bytes - copied, 8 << 20)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result = n < 0 ? ErrnoError("copying to " + tmp.string(), errno)
                     : Error(ErrorCode::kCorruption, file.path.string() + " ended early");
      break;
    }
    copied += n;
  }
  if (result.ok() && ::fsync(out.get()) != 0) result = ErrnoError("fsync " + tmp.string(), errno);
  out.Reset();
  if (result.ok()) result = RenameDurably(tmp, dest);
  if (!result.ok()) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return result;
  }
  stats_.bytes_sent += file.bytes;
  return journal.MarkFileUploaded(clip_id, file.name);
}

}  // namespace fleetclip::uploader

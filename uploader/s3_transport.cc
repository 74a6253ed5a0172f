// S3 single PUT and resumable multipart upload (s3_transport.h).
#include "uploader/s3_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <thread>

#include "common/unique_handle.h"
#include "uploader/digest.h"

namespace fleetclip::uploader {
namespace {

constexpr int64_t kMinPartBytes = 5LL << 20;
constexpr int64_t kMaxParts = 10'000;
constexpr int64_t kMiB = 1LL << 20;

// Reads exactly `bytes` at `offset` into `buf`.
Status ReadRange(int fd, int64_t offset, int64_t bytes, std::string& buf, const std::string& what) {
  buf.resize(static_cast<size_t>(bytes));
  int64_t done = 0;
  while (done < bytes) {
    const ssize_t n =
        ::pread(fd, buf.data() + done, static_cast<size_t>(bytes - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading " + what, errno);
    if (n == 0)
      return Error(ErrorCode::kCorruption, what + ": file ended at " +
                                               std::to_string(offset + done) + " bytes, expected " +
                                               std::to_string(offset + bytes));
    done += n;
  }
  return Ok();
}

Result<UniqueFd> OpenForUpload(const LocalFile& file) {
  UniqueFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("opening " + file.path.string(), errno);
  const off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size != file.bytes)
    return Error(ErrorCode::kCorruption, file.path.string() + ": size " + std::to_string(size) +
                                             " differs from the recorded " +
                                             std::to_string(file.bytes));
  return fd;
}

}  // namespace

int64_t ChoosePartSize(int64_t bytes, int64_t preferred) {
  int64_t part = std::max(preferred, kMinPartBytes);
  const int64_t needed = (bytes + kMaxParts - 1) / kMaxParts;
  if (part < needed) part = (needed + kMiB - 1) / kMiB * kMiB;
  return part;
}

std::vector<Md5Digest> RecordedPartMd5s(const LocalFile& file) {
  if (file.md5_part_size <= 0 || file.bytes < 0) return {};
  const int64_t parts =
      std::max<int64_t>(1, (file.bytes + file.md5_part_size - 1) / file.md5_part_size);
  if (static_cast<int64_t>(file.part_md5_hex.size()) != parts * 32) return {};
  std::vector<Md5Digest> out(static_cast<size_t>(parts));
  for (int64_t i = 0; i < parts; ++i) {
    const std::string bin = queue::HexToBytes(
        std::string_view(file.part_md5_hex).substr(static_cast<size_t>(i) * 32, 32));
    if (bin.size() != 16) return {};
    std::copy(bin.begin(), bin.end(), out[static_cast<size_t>(i)].begin());
  }
  return out;
}

Error S3Transport::CheckBadDigest(int fd, const LocalFile& file, int64_t offset, int64_t bytes,
                                  const Md5Digest& recorded, Error server_error) {
  std::string buf;
  if (Status r = ReadRange(fd, offset, bytes, buf, file.path.string()); !r.ok()) return r.error();
  if (Md5(buf) != recorded) {
    log_.Error("upload_local_corruption",
               {{"file", file.path.string()}, {"offset", offset}, {"bytes", bytes}});
    return Error(ErrorCode::kCorruption,
                 file.path.string() + ": bytes " + std::to_string(offset) + ".." +
                     std::to_string(offset + bytes) +
                     " changed on disk since the clip was written (their MD5 differs from the "
                     "recorded one; the server refused them)");
  }
  // Our bytes are intact: they changed on the way. Worth another attempt.
  return Error(ErrorCode::kUnavailable, server_error.message());
}

Result<std::unique_ptr<S3Transport>> S3Transport::Create(S3Endpoint endpoint, SigV4KeySource keys,
                                                         S3TransportOptions options, Logger log) {
  if (options.parallel_parts < 1 || options.parallel_parts > 16)
    return Error(ErrorCode::kInvalidArgument,
                 "upload_policy.parallel_parts: " + std::to_string(options.parallel_parts) +
                     " is outside 1..16");
  if (options.part_size_bytes < kMinPartBytes)
    return Error(ErrorCode::kInvalidArgument,
                 "upload.part_size_bytes: " + std::to_string(options.part_size_bytes) +
                     " is below S3's minimum of 5 MiB");
  Result<SigV4Key> key = keys();
  if (!key.ok()) return key.error();
  endpoint.key = *key;
  // Each connection gets an equal share of the cap (bits/s → bytes/s).
  options.http.max_send_bytes_per_s = options.bandwidth_limit_bps / 8 / options.parallel_parts;
  std::unique_ptr<S3Transport> t(new S3Transport(std::move(keys), options, std::move(log)));
  for (int i = 0; i < options.parallel_parts; ++i) {
    Result<HttpClient> http = HttpClient::Create(options.http);
    if (!http.ok()) return http.error();
    t->workers_.push_back(
        std::make_unique<Worker>(Worker{S3Client(endpoint, std::move(*http)), {}}));
  }
  return t;
}

void S3Transport::RefreshKeys() {
  Result<SigV4Key> key = keys_();
  if (!key.ok()) {
    log_.Warn("upload_credentials_reload_failed", {{"error", key.error().ToString()}});
    return;
  }
  for (auto& w : workers_) w->client.set_key(*key);
  log_.Notice("upload_credentials_reloaded");
}

Status S3Transport::PutFile(const std::string& clip_id, const LocalFile& file,
                            const std::string& key, UploadJournal& journal, std::stop_token stop) {
  Result<FileUploadState> state = journal.GetUploadState(clip_id, file.name);
  if (!state.ok()) return state.error();
  // An upload begun as multipart stays multipart even if the threshold changed since.
  if (file.bytes < options_.multipart_threshold_bytes && state->upload_id.empty())
    return SinglePut(clip_id, file, key, journal, std::move(stop));
  return Multipart(clip_id, file, key, journal, std::move(stop));
}

Status S3Transport::AbortUpload(const std::string& key, const std::string& upload_id) {
  S3Result<bool> aborted = workers_[0]->client.AbortMultipartUpload(key, upload_id, {});
  // NoSuchUpload: aborted before, completed, or expired by a lifecycle rule; nothing is left.
  if (aborted.value.ok() || aborted.s3_code == "NoSuchUpload") return Ok();
  return Failed(aborted);
}

Status S3Transport::SinglePut(const std::string& clip_id, const LocalFile& file,
                              const std::string& key, UploadJournal& journal,
                              std::stop_token stop) {
  Result<UniqueFd> fd = OpenForUpload(file);
  if (!fd.ok()) return fd.error();
  Worker& w = *workers_[0];
  // With the MD5 the clip writer recorded, libcurl reads the file itself; otherwise read and hash
  // it once here.
  const std::vector<Md5Digest> recorded = RecordedPartMd5s(file);
  S3Body body;
  if (recorded.size() == 1) {
    body = S3Body{.fd = fd->get(), .offset = 0, .bytes = file.bytes, .md5 = recorded[0]};
  } else {
    if (Status s = ReadRange(fd->get(), 0, file.bytes, w.buffer, file.path.string()); !s.ok())
      return s;
    body = S3Body{.data = w.buffer, .md5 = Md5(w.buffer)};
  }
  ++stats_.parts_sent;
  // One connection carries the whole object: give it the whole cap, then its share back.
  w.client.http().set_max_send_bytes_per_s(options_.bandwidth_limit_bps / 8);
  S3Result<std::string> put = w.client.PutObject(key, body, stop);
  w.client.http().set_max_send_bytes_per_s(options_.http.max_send_bytes_per_s);
  if (!put.value.ok()) {
    if (put.s3_code == "BadDigest" && recorded.size() == 1)
      return CheckBadDigest(fd->get(), file, 0, file.bytes, recorded[0], put.value.error());
    return Failed(put);
  }
  const std::string md5 = Hex(*body.md5);
  if (put.value->size() == 32 && *put.value != md5)
    return Error(ErrorCode::kUnavailable, "PUT " + key + ": server ETag " + *put.value +
                                              " differs from the local MD5 " + md5);
  stats_.bytes_sent += file.bytes;
  return journal.MarkFileUploaded(clip_id, file.name);
}

}  // namespace fleetclip::uploader

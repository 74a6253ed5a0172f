// S3Transport::Multipart: create or resume, reconcile with ListParts, send the missing parts on
// parallel connections, complete, confirm with HEAD. See s3_transport.h for the contract.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <thread>

#include "common/thread_name.h"
#include "common/unique_handle.h"
#include "uploader/digest.h"
#include "uploader/s3_transport.h"

namespace fleetclip::uploader {
namespace {

Status ReadPart(int fd, int64_t offset, int64_t bytes, std::string& buf, const std::string& what) {
  buf.resize(static_cast<size_t>(bytes));
  int64_t done = 0;
  while (done < bytes) {
    const ssize_t n =
        ::pread(fd, buf.data() + done, static_cast<size_t>(bytes - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading " + what, errno);
    if (n == 0) return Error(ErrorCode::kCorruption, what + ": file shrank during upload");
    done += n;
  }
  return Ok();
}

bool IsNoSuchUpload(std::string_view s3_code) {
  return s3_code == "NoSuchUpload" || s3_code == "NoSuchKey";  // radosgw 16 says NoSuchKey
}

// The first error any worker hit; the others stop taking new parts once it is set.
class FirstError {
 public:
  void Set(Error e) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = std::move(e);
  }
  bool Has() const {
    std::lock_guard lock(mu_);
    return error_.has_value();
  }
  std::optional<Error> Take() {
    std::lock_guard lock(mu_);
    return std::move(error_);
  }

 private:
  mutable std::mutex mu_;
  std::optional<Error> error_;  // guarded by mu_
};

}  // namespace

Status S3Transport::Multipart(const std::string& clip_id, const LocalFile& file,
                              const std::string& key, UploadJournal& journal,
                              std::stop_token stop) {
  UniqueFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("opening " + file.path.string(), errno);
  if (const off_t size = ::lseek(fd.get(), 0, SEEK_END); size != file.bytes)
    return Error(ErrorCode::kCorruption, file.path.string() + ": size " + std::to_string(size) +
                                             " differs from the recorded " +
                                             std::to_string(file.bytes));
  Worker& main = *workers_[0];
  Result<FileUploadState> state = journal.GetUploadState(clip_id, file.name);
  if (!state.ok()) return state.error();
  // Part MD5s from write time: used when the upload's part size is theirs (always, for an upload
  // begun with them).
  const std::vector<Md5Digest> recorded_md5s = RecordedPartMd5s(file);
  auto recorded = [&](int64_t part_size, int n) -> const Md5Digest* {
    if (recorded_md5s.empty() || part_size != file.md5_part_size) return nullptr;
    return &recorded_md5s[static_cast<size_t>(n - 1)];
  };

  // 1. Reconcile a journaled upload with what the server holds.
  std::map<int, UploadedPart> done;  // part number → confirmed part
  if (!state->upload_id.empty()) {
    S3Result<std::vector<S3Part>> listed = main.client.ListParts(key, state->upload_id, stop);
    if (!listed.value.ok() && IsNoSuchUpload(listed.s3_code)) {
      log_.Notice("upload_resume_unknown_id", {{"clip", clip_id}, {"file", file.name}});
      if (Status s = journal.ClearUploadState(clip_id, file.name); !s.ok()) return s;
      state->upload_id.clear();
    } else if (!listed.value.ok()) {
      return Failed(listed);
    } else {
      for (const UploadedPart& p : state->parts) done[p.part_number] = p;
      std::map<int, UploadedPart> confirmed;
      const int64_t part = state->part_size_bytes;
      for (const S3Part& s : *listed.value) {
        const int64_t offset = (s.part_number - 1) * part;
        const int64_t expect = std::min(part, file.bytes - offset);
        if (offset >= file.bytes || s.bytes != expect) continue;
        auto it = done.find(s.part_number);
        if (it != done.end() && it->second.etag == s.etag) {
          confirmed[s.part_number] = it->second;
          continue;
        }
        // On the server but not in the journal (killed between the two): adopt it only if it
        // is byte-identical to ours.
        if (const Md5Digest* d = recorded(part, s.part_number)) {
          if (Hex(*d) != s.etag) continue;
        } else {
          if (Status r = ReadPart(fd.get(), offset, expect, main.buffer, file.path.string());
              !r.ok())
            return r;
          if (Hex(Md5(main.buffer)) != s.etag) continue;
        }
        UploadedPart adopted{s.part_number, s.bytes, s.etag};
        if (Status j = journal.AddUploadedPart(clip_id, file.name, adopted); !j.ok()) return j;
        confirmed[s.part_number] = adopted;
      }
      done = std::move(confirmed);
      stats_.parts_resumed += static_cast<int64_t>(done.size());
      log_.Info("upload_resumed", {{"clip", clip_id},
                                   {"file", file.name},
                                   {"upload_id", state->upload_id},
                                   {"parts_on_server", static_cast<int64_t>(done.size())}});
    }
  }

  // 2. Start a new upload.
  if (state->upload_id.empty()) {
    const int64_t md5_parts = static_cast<int64_t>(recorded_md5s.size());
    state->part_size_bytes =
        md5_parts > 0 && md5_parts <= 10'000 && file.md5_part_size >= (5LL << 20)
            ? file.md5_part_size
            : ChoosePartSize(file.bytes, options_.part_size_bytes);
    S3Result<std::string> created = main.client.CreateMultipartUpload(key, stop);
    if (!created.value.ok()) return Failed(created);
    state->upload_id = *created.value;
    if (Status s =
            journal.SetUploadId(clip_id, file.name, state->upload_id, state->part_size_bytes);
        !s.ok())
      return s;
  }
  const std::string& upload_id = state->upload_id;
  const int64_t part_size = state->part_size_bytes;
  const int part_count =
      static_cast<int>(std::max<int64_t>(1, (file.bytes + part_size - 1) / part_size));

  // 3. Send the missing parts; each worker takes the next part number until none is left.
  std::vector<int> todo;
  for (int n = 1; n <= part_count; ++n)
    if (!done.contains(n)) todo.push_back(n);
  std::atomic<size_t> next{0};
  std::mutex done_mu;
  FirstError first_error;
  bool permanent = false;  // guarded by done_mu
  auto work = [&](Worker& w) {
    for (;;) {
      if (first_error.Has() || stop.stop_requested()) return;
      const size_t i = next.fetch_add(1);
      if (i >= todo.size()) return;
      const int n = todo[i];
      const int64_t offset = (n - 1) * part_size;
      const int64_t bytes = std::min(part_size, file.bytes - offset);
      // With a recorded MD5 libcurl reads the part from the file into its send buffer; without,
      // the part is read and hashed once here and sent from our buffer.
      const Md5Digest* md5 = recorded(part_size, n);
      S3Body body{.fd = fd.get(), .offset = offset, .bytes = bytes};
      if (md5 != nullptr) {
        body.md5 = *md5;
      } else {
        if (Status r = ReadPart(fd.get(), offset, bytes, w.buffer, file.path.string()); !r.ok())
          return first_error.Set(r.error());
        body = S3Body{.data = w.buffer, .md5 = Md5(w.buffer)};
      }
      ++stats_.parts_sent;
      S3Result<std::string> put = w.client.UploadPart(key, upload_id, n, body, stop);
      if (!put.value.ok()) {
        if (md5 != nullptr && put.s3_code == "BadDigest") {
          Error e = CheckBadDigest(fd.get(), file, offset, bytes, *md5, put.value.error());
          return first_error.Set(std::move(e));  // kCorruption aborts below; else a retry
        }
        std::lock_guard lock(done_mu);
        if (put.failure_class == FailureClass::kPermanent) permanent = true;
        return first_error.Set(Failed(put));
      }
      UploadedPart p{n, bytes, *put.value};
      if (Status j = journal.AddUploadedPart(clip_id, file.name, p); !j.ok())
        return first_error.Set(j.error());
      stats_.bytes_sent += bytes;
      std::lock_guard lock(done_mu);
      done[n] = std::move(p);
    }
  };
  const size_t threads = std::min(workers_.size(), todo.size());
  {
    std::vector<std::jthread> pool;
    for (size_t t = 1; t < threads; ++t) {
      pool.emplace_back([&, t] {
        SetThreadName("upload-part");
        work(*workers_[t]);
      });
    }
    if (threads > 0) work(main);
  }
  if (std::optional<Error> e = first_error.Take()) {
    if (permanent || e->code() == ErrorCode::kCorruption) {
      log_.Warn("upload_aborting",
                {{"clip", clip_id}, {"file", file.name}, {"error", e->ToString()}});
      S3Result<bool> aborted = main.client.AbortMultipartUpload(key, upload_id, {});
      if (!aborted.value.ok())
        log_.Warn("upload_abort_failed", {{"error", aborted.value.error().ToString()}});
      if (Status s = journal.ClearUploadState(clip_id, file.name); !s.ok()) return s;
    }
    return *e;
  }
  if (stop.stop_requested()) return Error(ErrorCode::kCancelled, "upload of " + key + " stopped");

  // 4. Complete, then confirm with HEAD: size and the multipart ETag of our parts.
  std::vector<S3Part> parts;
  std::vector<std::string> etags;
  for (const auto& [n, p] : done) {
    parts.push_back({n, p.bytes, p.etag});
    etags.push_back(p.etag);
  }
  const std::string expected_etag = MultipartEtag(etags);
  S3Result<std::string> completed =
      main.client.CompleteMultipartUpload(key, upload_id, parts, stop);
  if (!completed.value.ok() && !IsNoSuchUpload(completed.s3_code)) {
    if (completed.failure_class == FailureClass::kPermanent) {
      S3Result<bool> aborted = main.client.AbortMultipartUpload(key, upload_id, {});
      if (!aborted.value.ok())
        log_.Warn("upload_abort_failed", {{"error", aborted.value.error().ToString()}});
      if (Status s = journal.ClearUploadState(clip_id, file.name); !s.ok()) return s;
    }
    return Failed(completed);
  }
  // NoSuchUpload after Complete: an earlier Complete may have succeeded with its answer lost. The
  // HEAD below tells; if the object is not ours, start over next attempt.
  S3Result<S3ObjectInfo> head = main.client.HeadObject(key, stop);
  const bool ours = head.value.ok() && head.value->bytes == file.bytes &&
                    (head.value->etag.empty() || head.value->etag == expected_etag);
  if (!ours) {
    if (!completed.value.ok()) {
      if (Status s = journal.ClearUploadState(clip_id, file.name); !s.ok()) return s;
      return Failed(completed);
    }
    if (!head.value.ok()) return Failed(head);
    return Error(ErrorCode::kUnavailable, "HEAD " + key + " after Complete: size " +
                                              std::to_string(head.value->bytes) + " etag " +
                                              head.value->etag + ", expected " +
                                              std::to_string(file.bytes) + " and " + expected_etag);
  }
  return journal.MarkFileUploaded(clip_id, file.name);
}

}  // namespace fleetclip::uploader

// `fleetclip export ID DIR`: copies a clip's bundle into DIR/<id>/, checking every file's sha256
// against the queue as it copies; a progress bar on stderr when that is a terminal. A file that
// fails its checksum is removed from the copy and the command fails. With --format mcap it
// writes DIR/<id>.mcap instead (cli/clip_mcap.h), after checking the bundle against the manifest.
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <vector>

#include "cli/queue_cli.h"
#include "cli/queue_commands.h"
#include "cli/viewer_commands.h"
#include "common/unique_handle.h"

namespace fleetclip::cli {
namespace {
namespace fs = std::filesystem;

// Copies `from` to `to` and returns the sha256 (hex) of what was copied.
Result<std::string> CopyHashing(const fs::path& from, const fs::path& to,
                                const std::function<void(int64_t)>& progress) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoError("open " + from.string(), errno);
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoError("create " + to.string(), errno);
  UniqueHandle<EVP_MD_CTX, EVP_MD_CTX_free> md(EVP_MD_CTX_new());
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read " + from.string(), errno);
    if (n == 0) break;
    EVP_DigestUpdate(md.get(), buf.data(), static_cast<size_t>(n));
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.get(), buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoError("write " + to.string(), errno);
      done += w;
    }
    progress(n);
  }
  if (::fsync(out.get()) != 0) return ErrnoError("fsync " + to.string(), errno);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md.get(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// DIR/<id>.mcap from the clip folder, whose files must match the manifest first.
int ExportMcap(const fs::path& src, const fs::path& dir, bool json, CommandContext& ctx) {
  auto clip = ReadClipFolder(src);
  if (!clip.ok()) return Fail(kExportCommand, ctx, clip.error());
  for (const FileCheck& f : VerifyClipFiles(*clip)) {
    if (!f.verified) {
      return Fail(kExportCommand, ctx, Error(ErrorCode::kCorruption, f.name + ": " + f.problem));
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(kExportCommand, ctx, ErrnoError("create " + dir.string(), ec.value()));
  return WriteMcapFile(kExportCommand, *clip, dir / (clip->manifest.clip_id() + ".mcap"), json,
                       ctx);
}

int RunExport(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--format"}, {"--no-progress"}, a);
  if (!problem && a.positional.size() != 2) problem = "expected a clip ID and a target DIR";
  const std::string format = a.values.contains("--format") ? a.values.at("--format") : "bundle";
  if (!problem && format != "bundle" && format != "mcap")
    problem = "--format must be bundle or mcap, got \"" + format + "\"";
  if (auto code = HandleUsage(kExportCommand, problem, a, ctx)) return *code;
  auto store = OpenStoreForCli(a, false, kExportCommand, ctx);
  if (!store) return kExitFailure;
  auto c = store->Get(a.positional[0]);
  if (!c.ok()) return Fail(kExportCommand, ctx, c.error());
  if (c->local_bytes == 0) {
    return Fail(kExportCommand, ctx,
                Error(ErrorCode::kNotFound, "clip " + c->id + " is " +
                                                std::string(queue::ClipStateName(c->state)) +
                                                " and has no local files to export"));
  }
  const fs::path src = store->ClipDir(c->id);
  std::error_code ec;
  if (format == "mcap") return ExportMcap(src, fs::path(a.positional[1]), a.json, ctx);
  const fs::path dst = fs::path(a.positional[1]) / c->id;
  fs::create_directories(dst, ec);
  if (ec) return Fail(kExportCommand, ctx, ErrnoError("create " + dst.string(), ec.value()));
  const bool bar = !a.flags.contains("--no-progress") && !a.json && ::isatty(2) == 1;
  int64_t done = 0;
  auto progress = [&](int64_t n) {
    done += n;
    if (!bar) return;
    const int width = 40;
    const int filled = c->bytes > 0 ? static_cast<int>(width * done / c->bytes) : width;
    ctx.err << "\r[" << std::string(static_cast<size_t>(std::min(filled, width)), '#')
            << std::string(static_cast<size_t>(width - std::min(filled, width)), ' ') << "] "
            << HumanBytes(done) << " / " << HumanBytes(c->bytes) << std::flush;
  };
  for (const auto& f : c->files) {
    auto sha = CopyHashing(src / f.name, dst / f.name, progress);
    if (!sha.ok()) {
      if (bar) ctx.err << "\n";
      return Fail(kExportCommand, ctx, sha.error());
    }
    if (*sha != f.sha256_hex) {
      if (bar) ctx.err << "\n";
      fs::remove(dst / f.name, ec);
      return Fail(kExportCommand, ctx,
                  Error(ErrorCode::kCorruption, f.name + " fails its sha256: queue has " +
                                                    f.sha256_hex + ", file has " + *sha));
    }
  }
  if (bar) ctx.err << "\n";
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.export/1\",\"id\":" << JsonString(c->id)
            << ",\"dir\":" << JsonString(dst.string()) << ",\"files\":" << c->files.size()
            << ",\"bytes\":" << done << ",\"verified\":true}\n";
  } else {
    ctx.out << "exported " << c->id << " to " << dst.string() << ": " << c->files.size()
            << " files, " << HumanBytes(done) << ", sha256 verified\n";
  }
  return kExitOk;
}

}  // namespace

const Command kExportCommand{
    "export", "copy a clip's files to a folder, verifying sha256",
    "fleetclip export ID DIR [--format bundle|mcap] [--no-progress] [--json]\n"
    "                 [--db PATH | --state-dir DIR]\n"
    "  copies the clip's files into DIR/ID/ and checks each against its sha256\n"
    "  --format mcap  writes DIR/ID.mcap instead (see `fleetclip mcap`)\n"
    "  --no-progress  no progress bar (it is shown only when stderr is a terminal)\n",
    RunExport};

}  // namespace fleetclip::cli

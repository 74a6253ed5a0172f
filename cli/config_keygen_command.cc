// `fleetclip config keygen --out DIR --key-id ID`: a fresh Ed25519 signing key. The private key
// goes to DIR/ID.key (PKCS#8 PEM, created 0600 and never over an existing file, so a key cannot be
// clobbered by a second run), the public key to DIR/ID.pub (PEM), and the trusted_keys entry to
// paste into every car's base config is printed on stdout.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <google/protobuf/text_format.h>
#include <cerrno>

#include "cli/config_commands.h"
#include "common/durable_file.h"
#include "common/unique_handle.h"
#include "daemon/config/ed25519.h"
#include "proto/config.pb.h"

namespace fleetclip::cli {
namespace {

constexpr char kConfigKeygenUsage[] =
    "fleetclip config keygen --out DIR --key-id ID\n"
    "  --out DIR     where to write ID.key (private, mode 0600) and ID.pub; created if missing\n"
    "  --key-id ID   the key id the base config's trusted_keys and the signatures name,\n"
    "                [A-Za-z0-9_.-]{1,64}\n"
    "Prints the trusted_keys entry for the base config. Refuses to overwrite an existing key.\n";

bool ValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Creates `path` with mode 0600 (failing if it exists), writes and fsyncs it.
Status WritePrivate(const std::filesystem::path& path, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("create " + path.string(), errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write " + path.string(), errno);
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), 0600) != 0) return ErrnoError("chmod " + path.string(), errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + path.string(), errno);
  return FsyncPath(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

}  // namespace

int RunConfigKeygen(std::span<const std::string_view> args, CommandContext& ctx) {
  std::string out_dir, key_id;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      ctx.out << "usage: " << kConfigKeygenUsage;
      return kExitOk;
    }
    if (a == "--out" || a == "--key-id") {
      if (i + 1 >= args.size())
        return ConfigUsageError("keygen", kConfigKeygenUsage, std::string(a) + " needs a value",
                                ctx);
      (a == "--out" ? out_dir : key_id) = std::string(args[++i]);
    } else {
      return ConfigUsageError("keygen", kConfigKeygenUsage,
                              "unexpected argument \"" + std::string(a) + "\"", ctx);
    }
  }
  if (out_dir.empty())
    return ConfigUsageError("keygen", kConfigKeygenUsage, "missing --out DIR", ctx);
  if (key_id.empty())
    return ConfigUsageError("keygen", kConfigKeygenUsage, "missing --key-id ID", ctx);
  if (!ValidKeyId(key_id)) {
    return ConfigUsageError("keygen", kConfigKeygenUsage,
                            "--key-id \"" + key_id + "\" is not [A-Za-z0-9_.-]{1,64}", ctx);
  }

  auto fail = [&](const Error& e) {
    ctx.err << "fleetclip config keygen: " << e.ToString() << "\n";
    return kExitFailure;
  };
  Result<config::Ed25519PrivateKey> key = config::Ed25519PrivateKey::Generate();
  if (!key.ok()) return fail(key.error());
  const std::filesystem::path dir(out_dir);
  if (Status s = CreateDirsDurably(dir); !s.ok()) return fail(s.error());
  const std::filesystem::path priv = dir / (key_id + ".key");
  const std::filesystem::path pub = dir / (key_id + ".pub");
  std::error_code ec;
  for (const std::filesystem::path& p : {priv, pub}) {
    if (std::filesystem::exists(p, ec)) {
      return fail(Error(ErrorCode::kAlreadyExists, p.string() + " exists; not overwriting a key"));
    }
  }
  if (Status s = WritePrivate(priv, key->ToPem()); !s.ok()) return fail(s.error());
  if (Status s = WriteFileDurably(pub, key->PublicKeyPem()); !s.ok()) return fail(s.error());

  proto::TrustedKey trusted;
  trusted.set_key_id(key_id);
  trusted.set_ed25519_public_key(key->PublicKey());
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string entry;
  printer.PrintToString(trusted, &entry);
  while (!entry.empty() && entry.back() == ' ') entry.pop_back();
  ctx.err << "wrote " << priv.string() << " (private, keep it off the cars) and " << pub.string()
          << "\nadd this to each car's base config:\n";
  ctx.out << "trusted_keys { " << entry << " }\n";
  return kExitOk;
}

}  // namespace fleetclip::cli

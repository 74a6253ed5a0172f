// `fleetclip config SUBCOMMAND`: dispatch to keygen, sign, verify and validate, and the file and
// usage helpers they share (cli/config_commands.h).
#include <cerrno>
#include <fstream>
#include <sstream>

#include "cli/config_commands.h"

namespace fleetclip::cli {
namespace {

struct Subcommand {
  std::string_view name;
  int (*run)(std::span<const std::string_view>, CommandContext&);
};

constexpr Subcommand kSubcommands[] = {{"keygen", RunConfigKeygen},
                                       {"sign", RunConfigSign},
                                       {"verify", RunConfigVerify},
                                       {"validate", RunConfigValidate}};

int RunConfig(std::span<const std::string_view> args, CommandContext& ctx) {
  if (args.empty()) {
    ctx.err << "fleetclip config: missing subcommand\nusage: " << kConfigCommand.usage;
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    ctx.out << "usage: " << kConfigCommand.usage;
    return kExitOk;
  }
  for (const Subcommand& s : kSubcommands) {
    if (s.name == args[0]) return s.run(args.subspan(1), ctx);
  }
  ctx.err << "fleetclip config: unknown subcommand \"" << args[0]
          << "\"\nusage: " << kConfigCommand.usage;
  return kExitUsage;
}

}  // namespace

const Command kConfigCommand{
    "config", "make signing keys; sign, verify and validate base and fleet configs",
    "fleetclip config SUBCOMMAND [ARGS...]\n"
    "  keygen   --out DIR --key-id ID\n"
    "           write DIR/ID.key (Ed25519 private key, PEM, mode 0600) and DIR/ID.pub (public "
    "key,\n"
    "           PEM); print the trusted_keys entry for the base config\n"
    "  sign     --key FILE --key-id ID [--key FILE --key-id ID ...] FLEET.textproto -o OUT.signed\n"
    "           FleetConfig (text format) -> SignedFleetConfig (binary), one signature per key\n"
    "  verify   [--config BASE.conf] SIGNED\n"
    "           run the car's verifier (size, signatures, scope, version against active 0, "
    "expiry,\n"
    "           rules, bounds) and print accepted or the rejection reason\n"
    "  validate BASE.conf\n"
    "  validate --fleet FLEET.textproto [--config BASE.conf]\n"
    "           check a base config, or a fleet config against a base config, field by field\n"
    "--config defaults to $FLEETCLIP_CONFIG, else /etc/fleetclip/fleetclip.conf.\n"
    "`fleetclip config SUBCOMMAND --help` describes one subcommand.\n"
    "exit codes: 0 accepted / valid / done; 1 rejected, invalid, or a file that cannot be read or\n"
    "written (the reason is on stderr); 2 usage error\n",
    RunConfig};

Result<std::string> ReadFileBytes(const std::filesystem::path& path, int64_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return ErrnoError(path.string(), ec.value());
  if (static_cast<int64_t>(size) > max_bytes) {
    return Error(ErrorCode::kInvalidArgument, path.string() + " is " + std::to_string(size) +
                                                  " bytes; the limit is " +
                                                  std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open " + path.string(), errno);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return ErrnoError("read " + path.string(), errno);
  return bytes.str();
}

int ConfigUsageError(std::string_view name, std::string_view usage, std::string_view problem,
                     CommandContext& ctx) {
  ctx.err << "fleetclip config " << name << ": " << problem << "\nusage: " << usage;
  return kExitUsage;
}

}  // namespace fleetclip::cli

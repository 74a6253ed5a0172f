// `fleetclip config sign --key FILE --key-id ID [...] FLEET.textproto -o OUT.signed`: turns a
// FleetConfig written in text format into the SignedFleetConfig the backend serves. The payload is
// the FleetConfig serialized once (deterministically, so the same text signs to the same bytes);
// every key signs exactly those bytes. The content is not checked against a base config here:
// `fleetclip config validate --fleet` and `verify` do that.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <utility>
#include <vector>

#include "cli/config_commands.h"
#include "common/durable_file.h"
#include "daemon/config/base_config.h"
#include "daemon/config/ed25519.h"
#include "proto/config.pb.h"

namespace fleetclip::cli {
namespace {

constexpr char kConfigSignUsage[] =
    "fleetclip config sign --key FILE --key-id ID [--key FILE --key-id ID ...] FLEET.textproto\n"
    "                      -o OUT.signed\n"
    "  --key FILE     an Ed25519 private key (PEM) from `fleetclip config keygen`\n"
    "  --key-id ID    the id the cars trust that key under; one --key-id per --key, in order\n"
    "  -o, --out OUT  the SignedFleetConfig (binary protobuf) to write\n"
    "FLEET.textproto is a FleetConfig in protobuf text format (version >= 1, fleet_id set).\n";

constexpr int64_t kMaxKeyFileBytes = 64 * 1024;

std::string SerializeDeterministic(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

}  // namespace

int RunConfigSign(std::span<const std::string_view> args, CommandContext& ctx) {
  std::vector<std::string> key_files, key_ids;
  std::string fleet_file, out_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      ctx.out << "usage: " << kConfigSignUsage;
      return kExitOk;
    }
    if (a == "--key" || a == "--key-id" || a == "-o" || a == "--out") {
      if (i + 1 >= args.size()) {
        return ConfigUsageError("sign", kConfigSignUsage, std::string(a) + " needs a value", ctx);
      }
      const std::string v(args[++i]);
      if (a == "--key")
        key_files.push_back(v);
      else if (a == "--key-id")
        key_ids.push_back(v);
      else
        out_file = v;
    } else if (a.starts_with("-") && a.size() > 1) {
      return ConfigUsageError("sign", kConfigSignUsage, "unknown option \"" + std::string(a) + "\"",
                              ctx);
    } else if (fleet_file.empty()) {
      fleet_file = std::string(a);
    } else {
      return ConfigUsageError("sign", kConfigSignUsage,
                              "unexpected argument \"" + std::string(a) + "\"", ctx);
    }
  }
  if (fleet_file.empty())
    return ConfigUsageError("sign", kConfigSignUsage, "missing FLEET.textproto", ctx);
  if (out_file.empty())
    return ConfigUsageError("sign", kConfigSignUsage, "missing -o OUT.signed", ctx);
  if (key_files.empty())
    return ConfigUsageError("sign", kConfigSignUsage, "missing --key FILE", ctx);
  if (key_files.size() != key_ids.size()) {
    return ConfigUsageError("sign", kConfigSignUsage,
                            std::to_string(key_files.size()) + " --key but " +
                                std::to_string(key_ids.size()) + " --key-id; give one id per key",
                            ctx);
  }

  auto fail = [&](const Error& e) {
    ctx.err << "fleetclip config sign: " << e.message() << "\n";
    return kExitFailure;
  };
  proto::FleetConfig fleet;
  if (Status s = config::ReadTextProtoFile(fleet_file, &fleet); !s.ok()) return fail(s.error());
  if (fleet.version() == 0) {
    return fail(Error(ErrorCode::kInvalidArgument,
                      fleet_file + ": version is 0 or missing; versions start at 1"));
  }
  if (fleet.fleet_id().empty()) {
    return fail(Error(ErrorCode::kInvalidArgument, fleet_file + ": fleet_id is empty"));
  }

  proto::SignedFleetConfig envelope;
  envelope.set_payload(SerializeDeterministic(fleet));
  for (size_t i = 0; i < key_files.size(); ++i) {
    Result<std::string> pem = ReadFileBytes(key_files[i], kMaxKeyFileBytes);
    if (!pem.ok()) return fail(pem.error());
    Result<config::Ed25519PrivateKey> key = config::Ed25519PrivateKey::FromPem(*pem);
    if (!key.ok()) return fail(key.error().WithContext(key_files[i]));
    Result<std::string> sig = key->Sign(envelope.payload());
    if (!sig.ok()) return fail(sig.error().WithContext(key_files[i]));
    proto::FleetConfigSignature* s = envelope.add_signatures();
    s->set_key_id(key_ids[i]);
    s->set_ed25519_signature(std::move(*sig));
  }
  const std::string bytes = SerializeDeterministic(envelope);
  if (Status s = WriteFileDurably(out_file, bytes); !s.ok()) return fail(s.error());
  ctx.out << "signed fleet config version " << fleet.version() << " for fleet \""
          << fleet.fleet_id() << "\" with " << key_files.size() << " key(s): " << out_file << " ("
          << bytes.size() << " bytes)\n";
  return kExitOk;
}

}  // namespace fleetclip::cli

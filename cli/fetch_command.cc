// `fleetclip fetch URL DIR`: downloads a clip's objects into DIR/<id>/ and verifies them against
// its manifest (cli/clip_fetch.h). S3 endpoint, region and credentials come from the options, else
// from the base config's upload section (--config), as the daemon uploaded them.
#include "cli/clip_fetch.h"
#include "cli/config_file.h"
#include "cli/viewer_commands.h"

namespace fleetclip::cli {
namespace {

int RunFetch(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--endpoint", "--region", "--credentials"}, {}, a);
  if (!problem && a.positional.size() != 2) problem = "expected a clip URL and a target DIR";
  if (auto code = HandleUsage(kFetchCommand, problem, a, ctx)) return *code;
  FetchSourceOptions o;
  if (Result<proto::BaseConfig> config = ReadBaseConfig(a.config_path); config.ok()) {
    o.endpoint = config->upload().endpoint();
    if (!config->upload().region().empty()) o.region = config->upload().region();
    o.credentials = config->upload().credentials_file();
  }
  if (a.values.contains("--endpoint")) o.endpoint = a.values.at("--endpoint");
  if (a.values.contains("--region")) o.region = a.values.at("--region");
  if (a.values.contains("--credentials")) o.credentials = a.values.at("--credentials");
  auto source = OpenObjectSource(a.positional[0], o);
  if (!source.ok()) return Fail(kFetchCommand, ctx, source.error());
  auto got = FetchClip(**source, a.positional[1]);
  if (!got.ok()) return Fail(kFetchCommand, ctx, got.error());
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.fetch/1\",\"id\":" << JsonString(got->clip_id)
            << ",\"dir\":" << JsonString(got->dir.string()) << ",\"files\":" << got->files
            << ",\"bytes\":" << got->bytes << ",\"verified\":true}\n";
  } else {
    ctx.out << "fetched " << got->clip_id << " to " << got->dir.string() << ": " << got->files
            << " files and manifest.pb, " << HumanBytes(got->bytes)
            << ", every file matches the manifest's size and sha256\n";
  }
  return kExitOk;
}

}  // namespace

const Command kFetchCommand{
    "fetch", "download a clip from object storage and verify it against its manifest",
    "fleetclip fetch URL DIR [--endpoint URL] [--region R] [--credentials FILE] [--json]\n"
    "  URL: the clip's folder: s3://bucket/prefix/.../<id>/, https://host/path/.../<id>/ or\n"
    "       file:///dir/.../<id>/; writes DIR/<id>/ (manifest.pb last)\n"
    "  --endpoint, --region, --credentials: for s3:// (default: the base config's upload\n"
    "       section); the credentials file as fleetclipd reads it (access_key_id,\n"
    "       secret_access_key; bearer_token for https://)\n",
    RunFetch};

}  // namespace fleetclip::cli

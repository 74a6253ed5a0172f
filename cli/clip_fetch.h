// `fleetclip fetch`: a clip's objects pulled back from where the uploader put them
// (<prefix>/<vehicle>/<yyyy>/<mm>/<dd>/<clip-id>/<file>, DESIGN.md section 7) and checked against
// its manifest. The manifest is read first (it is uploaded last, as the commit marker: without it
// the clip is not complete there), then every file it lists, each checked for size and sha256
// before it is renamed into place. A file that fails is not kept and the fetch fails naming it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"

namespace fleetclip::cli {

// Where a clip's objects are: s3://bucket/key-prefix/, https://host/path/, file:///dir/.
class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  // The bytes of object `name` under the clip's prefix; kNotFound when absent.
  virtual Result<std::string> Get(const std::string& name) = 0;
  virtual std::string Describe(const std::string& name) const = 0;
};

struct FetchSourceOptions {
  std::string endpoint;               // S3 endpoint (s3:// only)
  std::string region = "us-east-1";   // S3 region (s3:// only)
  std::filesystem::path credentials;  // access_key_id/secret_access_key or bearer_token
};

// kInvalidArgument for a URL of another scheme, or s3:// without endpoint or credentials.
Result<std::unique_ptr<ObjectSource>> OpenObjectSource(const std::string& url,
                                                       const FetchSourceOptions& options);

struct FetchResult {
  std::string clip_id;
  std::filesystem::path dir;
  int files = 0;  // besides manifest.pb
  int64_t bytes = 0;
};

// Downloads into DIR/<clip id>/ (created).
Result<FetchResult> FetchClip(ObjectSource& source, const std::filesystem::path& dir);

}  // namespace fleetclip::cli

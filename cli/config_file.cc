// See cli/config_file.h.
#include "cli/config_file.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fleetclip::cli {
namespace {

constexpr int64_t kMaxConfigBytes = 1 << 20;

class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (message_.empty())
      message_ = std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

}  // namespace

std::filesystem::path DefaultConfigPath() {
  const char* env = std::getenv("FLEETCLIP_CONFIG");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : "/etc/fleetclip/fleetclip.conf";
}

Result<proto::BaseConfig> ReadBaseConfig(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return ErrnoError("config " + path.string(), ec.value());
  if (static_cast<int64_t>(size) > kMaxConfigBytes) {
    return Error(ErrorCode::kInvalidArgument, "config " + path.string() + " is " +
                                                  std::to_string(size) + " bytes; at most " +
                                                  std::to_string(kMaxConfigBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return ErrnoError("read config " + path.string(), errno);
  proto::BaseConfig config;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text.str(), &config)) {
    return Error(ErrorCode::kInvalidArgument, "config " + path.string() + ":" + errors.message());
  }
  return config;
}

}  // namespace fleetclip::cli

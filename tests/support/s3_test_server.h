// Access to the Ceph S3 server of scripts/s3-test-server from tests. CTest starts one per build
// directory as a fixture (uploader/CMakeLists.txt) and the tests read its env file, whose path in
// the build tree is compiled in as FLEETCLIP_S3_ENV_FILE (tests/support/test_paths.h);
// S3_TEST_ENV_FILE in the environment overrides it. Each test uses its own bucket so tests can run
// in parallel against one server.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "tests/support/test_paths.h"
#include "uploader/s3_client.h"

namespace fleetclip::uploader {

inline std::map<std::string, std::string> ReadS3TestEnv() {
  const char* override_path = std::getenv("S3_TEST_ENV_FILE");
#ifdef FLEETCLIP_S3_ENV_FILE
  const std::string path =
      override_path != nullptr ? override_path : testing::InBuildTree(FLEETCLIP_S3_ENV_FILE);
#else
  const std::string path = override_path != nullptr ? override_path : "";
#endif
  std::ifstream in(path);
  if (!in) throw std::runtime_error("no S3 test server: cannot read " + path);
  std::map<std::string, std::string> env;
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

// The endpoint of the test server with `bucket` (not created).
inline S3Endpoint S3TestEndpoint(const std::string& bucket) {
  auto env = ReadS3TestEnv();
  S3Endpoint ep;
  ep.endpoint = env.at("S3_TEST_ENDPOINT");
  ep.bucket = bucket;
  ep.key.access_key = env.at("S3_TEST_ACCESS_KEY");
  ep.key.secret_key = env.at("S3_TEST_SECRET_KEY");
  ep.key.region = env.at("S3_TEST_REGION");
  return ep;
}

}  // namespace fleetclip::uploader

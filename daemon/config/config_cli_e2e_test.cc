// `fleetclip config …` as a real process: keygen → sign → verify round trip, tampered and
// untrusted files rejected with their reason, validation errors and usage errors with their exit
// codes (0 ok, 1 rejected/invalid, 2 usage).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int rc = -1;
  std::string out, err;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  TempDir dir;

  // Runs `fleetclip ARGS` in the temp dir.
  Outcome Run(const std::string& args) {
    const fs::path err = dir.path() / "stderr.txt";
    const std::string command = "cd '" + dir.path().string() + "' && '" +
                                testing::InBuildTree(FLEETCLIP_CLI_PATH) + "' " + args + " 2>'" +
                                err.string() + "'";
    Outcome o;
    FILE* p = ::popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) o.out.append(buf, n);
    const int status = ::pclose(p);
    o.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.err = ReadAll(err);
    return o;
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name, std::ios::binary) << text;
  }

  // keygen k1, a base config that trusts it, a fleet config, signed.
  void SignedSetup() {
    Outcome k = Run("config keygen --out keys --key-id k1");
    REQUIRE(k.rc == 0);
    Write("base.conf", std::string(R"(vehicle_id: "car-7"
fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" }
upload { url: "file:///var/lib/fleetclip-upload" }
backend { config_url: "https://backend.example/config" }
)") + k.out);
    Write("fleet.textproto", R"(version: 3
fleet_id: "fleet-a"
expires_unix_s: 4000000000
rules { name: "hard_stop" expr: "accel_long < -6 for 200ms" priority: 80 }
rules { name: "steering_jerk" enabled: false }
)");
    Outcome s = Run("config sign --key keys/k1.key --key-id k1 fleet.textproto -o fleet.signed");
    INFO(s.err);
    REQUIRE(s.rc == 0);
  }
};

TEST_CASE("keygen writes a 0600 private key and prints the trusted_keys entry") {
  Fixture f;
  Outcome o = f.Run("config keygen --out keys --key-id fleet-2026");
  INFO(o.err);
  REQUIRE(o.rc == 0);
  CHECK_THAT(o.out,
             Catch::StartsWith("trusted_keys { key_id: \"fleet-2026\" ed25519_public_key: "));
  struct stat st {};
  REQUIRE(::stat((f.dir.path() / "keys/fleet-2026.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_THAT(ReadAll(f.dir.path() / "keys/fleet-2026.key"),
             Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
  CHECK_THAT(ReadAll(f.dir.path() / "keys/fleet-2026.pub"),
             Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
}

TEST_CASE("keygen refuses to overwrite an existing key") {
  Fixture f;
  REQUIRE(f.Run("config keygen --out keys --key-id k1").rc == 0);
  const std::string before = ReadAll(f.dir.path() / "keys/k1.key");
  Outcome o = f.Run("config keygen --out keys --key-id k1");
  CHECK(o.rc == 1);
  CHECK_THAT(o.err, Catch::Contains("k1.key"));
  CHECK(ReadAll(f.dir.path() / "keys/k1.key") == before);
}

TEST_CASE("A config signed with keygen's key verifies against a base config that trusts it") {
  Fixture f;
  f.SignedSetup();
  Outcome o = f.Run("config verify --config base.conf fleet.signed");
  INFO(o.err);
  CHECK(o.rc == 0);
  CHECK_THAT(o.out, Catch::StartsWith("accepted: version 3 accepted, signed by \"k1\""));
}

TEST_CASE("A tampered signed file is rejected with bad_signature") {
  Fixture f;
  f.SignedSetup();
  std::string bytes = ReadAll(f.dir.path() / "fleet.signed");
  bytes[bytes.size() / 3] ^= 0x01;  // inside the payload
  f.Write("tampered.signed", bytes);
  Outcome o = f.Run("config verify --config base.conf tampered.signed");
  CHECK(o.rc == 1);
  CHECK(o.err == "rejected (bad_signature): signature by key \"k1\" does not verify\n");
}

TEST_CASE("A config signed by a key the base config does not trust is rejected with unknown_key") {
  Fixture f;
  f.SignedSetup();
  REQUIRE(f.Run("config keygen --out keys --key-id rogue").rc == 0);
  REQUIRE(f.Run("config sign --key keys/rogue.key --key-id rogue fleet.textproto -o r.signed").rc ==
          0);
  Outcome o = f.Run("config verify --config base.conf r.signed");
  CHECK(o.rc == 1);
  CHECK(o.err == "rejected (unknown_key): signed only by untrusted key ids: \"rogue\"\n");
}

TEST_CASE("A truncated signed file is rejected as malformed") {
  Fixture f;
  f.SignedSetup();
  const std::string bytes = ReadAll(f.dir.path() / "fleet.signed");
  f.Write("cut.signed", bytes.substr(0, bytes.size() - 20));
  Outcome o = f.Run("config verify --config base.conf cut.signed");
  CHECK(o.rc == 1);
  CHECK_THAT(o.err, Catch::StartsWith("rejected (malformed): "));
}

TEST_CASE("A signed file one byte over max_config_bytes is rejected with too_large") {
  Fixture f;
  f.SignedSetup();
  f.Write("big.signed", std::string(1'048'577, 'x'));
  Outcome o = f.Run("config verify --config base.conf big.signed");
  CHECK(o.rc == 1);
  CHECK(o.err == "rejected (too_large): config is 1048577 bytes; the limit is 1048576\n");
}

TEST_CASE("validate accepts a good base config and a good fleet config") {
  Fixture f;
  f.SignedSetup();
  Outcome base = f.Run("config validate base.conf");
  INFO(base.err);
  CHECK(base.rc == 0);
  CHECK_THAT(base.out, Catch::StartsWith("base.conf: valid (vehicle car-7, fleet fleet-a"));
  Outcome fleet = f.Run("config validate --fleet fleet.textproto --config base.conf");
  INFO(fleet.err);
  CHECK(fleet.rc == 0);
  CHECK_THAT(fleet.out, Catch::StartsWith("fleet.textproto: valid for base.conf (version 3"));
}

TEST_CASE("validate names the file, field, value and bound of a bad base config") {
  Fixture f;
  f.Write("bad.conf", R"(vehicle_id: "car-7" fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" }
cameras { name: "rear" url: "/dev/video1" bitrate_bps: 50 }
upload { url: "file:///x" })");
  Outcome o = f.Run("config validate bad.conf");
  CHECK(o.rc == 1);
  CHECK(o.err == "bad.conf: cameras[1].bitrate_bps: 50 is outside 100000..100000000\n");
}

TEST_CASE("validate --fleet names a rule that does not compile") {
  Fixture f;
  f.SignedSetup();
  f.Write("bad.textproto", R"(version: 4 fleet_id: "fleet-a"
rules { name: "hb" expr: "accel_long < -4 and sped > 3" priority: 60 })");
  Outcome o = f.Run("config validate --fleet bad.textproto --config base.conf");
  CHECK(o.rc == 1);
  CHECK_THAT(o.err,
             Catch::StartsWith("bad.textproto: rule \"hb\": col 21: unknown signal \"sped\""));
}

TEST_CASE("A fleet config that does not parse names the file, line and column when signing") {
  Fixture f;
  f.SignedSetup();
  f.Write("broken.textproto", "version: 4\nfleet_id: fleet-a\n");
  Outcome o = f.Run("config sign --key keys/k1.key --key-id k1 broken.textproto -o x.signed");
  CHECK(o.rc == 1);
  CHECK_THAT(o.err, Catch::StartsWith("fleetclip config sign: broken.textproto:2:11: "));
  CHECK_FALSE(fs::exists(f.dir.path() / "x.signed"));
}

TEST_CASE("Usage errors exit 2 and say what is missing") {
  Fixture f;
  Outcome o = f.Run("config sign --key a.key fleet.textproto -o x.signed");
  CHECK(o.rc == 2);
  CHECK_THAT(o.err, Catch::StartsWith("fleetclip config sign: 1 --key but 0 --key-id"));
  CHECK(f.Run("config").rc == 2);
  CHECK(f.Run("config frobnicate").rc == 2);
  Outcome help = f.Run("config --help");
  CHECK(help.rc == 0);
  CHECK_THAT(help.out, Catch::Contains("exit codes: 0"));
}

}  // namespace
}  // namespace fleetclip

// Base config loading: parse errors with file:line:col, the documented defaults, and one test per
// kind of bound so that each message names the file, the field path, the value and the bound.
#include <catch2/catch.hpp>

#include <fstream>

#include "daemon/config/base_config.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::config {
namespace {

constexpr char kMinimal[] = R"(
vehicle_id: "car-7"
fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" }
upload { url: "file:///var/lib/fleetclip-upload" }
)";

struct Fixture {
  TempDir dir;
  std::filesystem::path Write(const std::string& text, const char* name = "fleetclip.conf") {
    const std::filesystem::path p = dir.path() / name;
    std::ofstream(p) << text;
    return p;
  }
};

// Parses and defaults `text`, then validates it with the label "fleetclip.conf".
Status Validate(const std::string& text) {
  proto::BaseConfig config;
  if (Status s = ParseTextProto(text, "fleetclip.conf", &config); !s.ok()) return s;
  ApplyBaseDefaults(config);
  return ValidateBaseConfig(config, "fleetclip.conf");
}

std::string Problem(const std::string& text) {
  Status s = Validate(text);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kInvalidArgument);
  return s.error().message();
}

TEST_CASE("A minimal base config loads with every documented default") {
  Fixture f;
  Result<proto::BaseConfig> c = LoadBaseConfig(f.Write(kMinimal));
  INFO((c.ok() ? "" : c.error().message()));
  REQUIRE(c.ok());
  CHECK(c->state_dir() == "/var/lib/fleetclip");
  CHECK(c->runtime_dir() == "/run/fleetclip");
  CHECK(c->signals().socket_path() == "/run/fleetclip/signals.sock");
  CHECK(c->control_socket() == "/run/fleetclip/control.sock");
  CHECK(c->signals().history_ms() == 120'000);
  CHECK(c->signals().max_datagram_bytes() == 8192);
  CHECK(c->signals().reorder_window_ms() == 50);
  const proto::CameraConfig& cam = c->cameras(0);
  CHECK(cam.encoder() == "libx264");
  CHECK(cam.bitrate_bps() == 4'000'000);
  CHECK(cam.ring_duration_ms() == 60'000);
  CHECK(cam.ring_max_bytes() == 256 << 20);
  CHECK(cam.realtime());
  CHECK(c->storage().quota_bytes() == int64_t{20} << 30);
  CHECK(c->storage().min_free_bytes() == int64_t{5} << 30);
  CHECK(c->storage().min_free_percent() == 10);
  CHECK(c->upload().multipart_threshold_bytes() == 16 << 20);
  CHECK(c->upload().part_size_bytes() == 8 << 20);
  const proto::UploadPolicyConfig& p = c->upload_policy();
  CHECK(p.allowed_links_size() == 2);
  CHECK(p.window_start() == "22:00");
  CHECK(p.window_end() == "06:00");
  CHECK(p.require_parked());
  CHECK(p.parked_after_ms() == 120'000);
  CHECK(p.urgent_priority() == 90);
  CHECK(p.parallel_parts() == 2);
  CHECK(c->backend().poll_interval_ms() == 15 * 60'000);
  CHECK(c->backend().max_config_bytes() == 1 << 20);
}

TEST_CASE("The runtime directory moves the default sockets with it") {
  Fixture f;
  Result<proto::BaseConfig> c =
      LoadBaseConfig(f.Write(std::string(kMinimal) + "runtime_dir: \"/run/fc2/\"\n"));
  REQUIRE(c.ok());
  CHECK(c->signals().socket_path() == "/run/fc2/signals.sock");
  CHECK(c->control_socket() == "/run/fc2/control.sock");
}

TEST_CASE("Explicit false for realtime and require_parked is kept, not defaulted to true") {
  Fixture f;
  Result<proto::BaseConfig> c = LoadBaseConfig(f.Write(R"(
vehicle_id: "car-7" fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" realtime: false }
upload { url: "file:///x" }
upload_policy { require_parked: false }
)"));
  REQUIRE(c.ok());
  CHECK_FALSE(c->cameras(0).realtime());
  CHECK_FALSE(c->upload_policy().require_parked());
}

TEST_CASE("A file that does not parse names the file, line and column") {
  Fixture f;
  const auto path = f.Write(std::string(kMinimal) + "state_dir: 42 43\n");
  Result<proto::BaseConfig> c = LoadBaseConfig(path);
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.error().message(), Catch::StartsWith(path.string() + ":6:12: Expected string"));
}

TEST_CASE("A missing file is NotFound") {
  Fixture f;
  Result<proto::BaseConfig> c = LoadBaseConfig(f.dir.path() / "nope.conf");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code() == ErrorCode::kNotFound);
}

TEST_CASE("A camera bitrate outside its bound names the camera index, value and bound") {
  CHECK(Problem(std::string(kMinimal) + "cameras { name: \"rear\" url: \"/dev/video1\" "
                                        "bitrate_bps: 50 }") ==
        "fleetclip.conf: cameras[1].bitrate_bps: 50 is outside 100000..100000000");
}

TEST_CASE("Ring duration, ring bytes and GOP are bounded per camera") {
  const std::string m = Problem(R"(vehicle_id: "car-7" fleet_id: "fleet-a"
upload { url: "file:///x" }
cameras { name: "front" url: "/dev/video0" ring_duration_ms: 500 ring_max_bytes: 10 gop_frames: 601 })");
  CHECK_THAT(m, Catch::Contains("cameras[0].ring_duration_ms: 500 is outside 1000..600000"));
  CHECK_THAT(m, Catch::Contains("cameras[0].ring_max_bytes: 10 is outside 1048576..4294967296"));
  CHECK_THAT(m, Catch::Contains("cameras[0].gop_frames: 601 is outside 1..600"));
}

TEST_CASE("Camera names must match the pattern and be unique") {
  const std::string m = Problem(std::string(kMinimal) +
                                "cameras { name: \"Front Cam\" url: \"/dev/video1\" }\n"
                                "cameras { name: \"front\" url: \"/dev/video2\" }\n");
  CHECK_THAT(
      m, Catch::Contains("fleetclip.conf: cameras[1].name: \"Front Cam\" is not [a-z0-9_]{1,32}"));
  CHECK_THAT(m, Catch::Contains("fleetclip.conf: cameras[2].name: \"front\" is not unique"));
}

TEST_CASE("At least one and at most sixteen cameras") {
  CHECK(Problem(R"(vehicle_id: "car-7" fleet_id: "fleet-a" upload { url: "file:///x" })") ==
        "fleetclip.conf: cameras (count): 0 is outside 1..16");
  std::string many = R"(vehicle_id: "car-7" fleet_id: "fleet-a" upload { url: "file:///x" })";
  for (int i = 0; i < 17; ++i) {
    many += "cameras { name: \"c" + std::to_string(i) + "\" url: \"/dev/video0\" }\n";
  }
  CHECK(Problem(many) == "fleetclip.conf: cameras (count): 17 is outside 1..16");
}

TEST_CASE("Vehicle and fleet ids must match their pattern") {
  const std::string m = Problem(R"(vehicle_id: "car 7" fleet_id: ""
cameras { name: "front" url: "/dev/video0" } upload { url: "file:///x" })");
  CHECK_THAT(m,
             Catch::Contains("fleetclip.conf: vehicle_id: \"car 7\" is not [A-Za-z0-9_-]{1,64}"));
  CHECK_THAT(m, Catch::Contains("fleetclip.conf: fleet_id: \"\" is not [A-Za-z0-9_-]{1,64}"));
}

TEST_CASE("The shipped placeholder ids are refused, so an unconfigured car never starts") {
  const std::string m = Problem(R"(vehicle_id: "change-me" fleet_id: "change-me"
cameras { name: "front" url: "/dev/video0" } upload { url: "file:///x" })");
  CHECK_THAT(m, Catch::Contains("fleetclip.conf: vehicle_id: \"change-me\" is the shipped "
                                "placeholder; set this car's id"));
  CHECK_THAT(m, Catch::Contains("fleetclip.conf: fleet_id: \"change-me\" is the shipped "
                                "placeholder; set this car's fleet"));
}

TEST_CASE("The upload URL must use one of the supported schemes") {
  CHECK(Problem(R"(vehicle_id: "car-7" fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" } upload { url: "ftp://host/x" })") ==
        "fleetclip.conf: upload.url: \"ftp://host/x\" does not start with s3://, https://, "
        "http:// or file://");
}

TEST_CASE("An s3 target needs a bucket, a region and a credentials file") {
  const std::string m = Problem(R"(vehicle_id: "car-7" fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" } upload { url: "s3:///prefix" })");
  CHECK_THAT(m, Catch::Contains("upload.url: \"s3:///prefix\" is not s3://BUCKET[/PREFIX]"));
  CHECK_THAT(m, Catch::Contains("upload.region: is empty"));
  CHECK_THAT(m, Catch::Contains("upload.credentials_file: is empty"));
  CHECK(Validate(R"(vehicle_id: "car-7" fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" }
upload { url: "s3://clips/fleet-a" region: "eu-west-1" credentials_file: "/etc/fleetclip/s3" })")
            .ok());
}

TEST_CASE("Upload part sizes respect the S3 limits") {
  CHECK(Problem(R"(vehicle_id: "car-7" fleet_id: "fleet-a"
cameras { name: "front" url: "/dev/video0" }
upload { url: "file:///x" part_size_bytes: 1000 })") ==
        "fleetclip.conf: upload.part_size_bytes: 1000 is outside 5242880..5368709120");
}

TEST_CASE("Trusted keys must be 32 bytes with unique ids") {
  const std::string m = Problem(std::string(kMinimal) +
                                "trusted_keys { key_id: \"k1\" ed25519_public_key: \"short\" }\n"
                                "trusted_keys { key_id: \"k1\" ed25519_public_key: "
                                "\"01234567890123456789012345678901\" }\n");
  CHECK_THAT(m, Catch::Contains(
                    "fleetclip.conf: trusted_keys[0].ed25519_public_key: 5 bytes; an Ed25519 key "
                    "is 32"));
  CHECK_THAT(m, Catch::Contains("fleetclip.conf: trusted_keys[1].key_id: \"k1\" is not unique"));
}

TEST_CASE("A backend config URL without trusted keys is refused") {
  CHECK(Problem(std::string(kMinimal) + "backend { config_url: \"https://b.example/c\" }") ==
        "fleetclip.conf: trusted_keys: is empty while backend.config_url is set; every fleet "
        "config would be rejected");
}

TEST_CASE("Backend poll interval and config size are bounded") {
  const std::string m =
      Problem(std::string(kMinimal) + "backend { poll_interval_ms: 1000 max_config_bytes: 1 }");
  CHECK_THAT(m, Catch::Contains("backend.poll_interval_ms: 1000 is outside 60000..86400000"));
  CHECK_THAT(m, Catch::Contains("backend.max_config_bytes: 1 is outside 1024..67108864"));
}

TEST_CASE("Signal history and datagram size are bounded") {
  const std::string m =
      Problem(std::string(kMinimal) +
              "signals { history_ms: 5000 max_datagram_bytes: 100 reorder_window_ms: 2000 }");
  CHECK_THAT(m, Catch::Contains("signals.history_ms: 5000 is outside 10000..600000"));
  CHECK_THAT(m, Catch::Contains("signals.max_datagram_bytes: 100 is outside 256..65536"));
  CHECK_THAT(m, Catch::Contains("signals.reorder_window_ms: 2000 is outside 1..1000"));
}

TEST_CASE("Relative directories and over-long socket paths are refused") {
  const std::string m =
      Problem(std::string(kMinimal) + "state_dir: \"var/lib\" control_socket: \"/" +
              std::string(120, 'a') + "\"");
  CHECK_THAT(m, Catch::Contains("state_dir: \"var/lib\" is not an absolute path"));
  CHECK_THAT(m, Catch::Contains("control_socket: \"/aaa"));
  CHECK_THAT(m, Catch::Contains("a socket path is at most 107"));
}

TEST_CASE("Upload policy values are checked with the uploader's own parser") {
  const std::string m = Problem(std::string(kMinimal) +
                                "upload_policy { window_start: \"25:00\" parallel_parts: 17 }");
  CHECK_THAT(m, Catch::Contains("fleetclip.conf: upload_policy.window_start"));
  CHECK_THAT(m,
             Catch::Contains("fleetclip.conf: upload_policy.parallel_parts: 17 is outside 1..16"));
}

TEST_CASE("Storage min_free_percent is bounded") {
  CHECK(Problem(std::string(kMinimal) + "storage { min_free_percent: 95 }") ==
        "fleetclip.conf: storage.min_free_percent: 95.000000 is outside 0..90");
}

TEST_CASE("A rule naming an unknown signal names the rule and the column") {
  CHECK(Problem(std::string(kMinimal) +
                "rules { name: \"hb\" expr: \"accel_long < -4 and sped > 3\" priority: 60 }") ==
        "fleetclip.conf: rules: rule \"hb\": col 21: unknown signal \"sped\" (did you mean "
        "\"speed\"?)");
}

TEST_CASE("A rule may use a custom signal declared in the base config") {
  const std::string rule =
      "rules { name: \"shadow\" expr: \"abs(model.steer - steering_angle) > 30\" priority: 40 }\n";
  CHECK_THAT(Problem(std::string(kMinimal) + rule), Catch::Contains("unknown signal"));
  const std::string declared =
      std::string(kMinimal) + rule +
      "signals { custom_signals { name: \"model.steer\" kind: NUMBER unit: \"deg\" } }\n";
  INFO((Validate(declared).ok() ? "" : Validate(declared).error().message()));
  CHECK(Validate(declared).ok());
}

TEST_CASE("A custom signal may not reuse a standard signal's name or be declared twice") {
  const std::string m =
      Problem(std::string(kMinimal) +
              "signals { custom_signals { name: \"speed\" }\n"
              "  custom_signals { name: \"x.y\" } custom_signals { name: \"x.y\" } }");
  CHECK_THAT(m, Catch::Contains("signals.custom_signals[0].name: \"speed\" is a standard signal"));
  CHECK_THAT(m, Catch::Contains("signals.custom_signals[2].name: \"x.y\" is declared twice"));
}

TEST_CASE("A CAN interface needs a unique name, an absolute DBC path and a map") {
  const std::string m =
      Problem(std::string(kMinimal) +
              "signals { can { interface: \"can0\" dbc_file: \"body.dbc\" }\n"
              "  can { interface: \"can0\" dbc_file: \"/etc/fleetclip/body.dbc\"\n"
              "        map { dbc_signal: \"\" signal: \"Speed\" } } }");
  CHECK_THAT(m, Catch::Contains("signals.can[0].dbc_file: \"body.dbc\" is not an absolute path"));
  CHECK_THAT(m, Catch::Contains("signals.can[0].map (count): 0 is outside 1..1024"));
  CHECK_THAT(m, Catch::Contains("signals.can[1].interface: \"can0\" is configured twice"));
  CHECK_THAT(m, Catch::Contains("signals.can[1].map[0].dbc_signal: is empty"));
  CHECK_THAT(m, Catch::Contains("signals.can[1].map[0].signal: \"Speed\" is not [a-z0-9_.]{1,64}"));
}

TEST_CASE("A well-formed CAN interface passes validation") {
  const std::string ok =
      std::string(kMinimal) +
      "signals { can { interface: \"can0\" dbc_file: \"/etc/fleetclip/b.dbc\"\n"
      "  map { dbc_signal: \"ESP_vehicleSpeed\" signal: \"speed\" scale: 0.277778 }"
      " } }\n";
  INFO((Validate(ok).ok() ? "" : Validate(ok).error().message()));
  CHECK(Validate(ok).ok());
}

TEST_CASE("A CAN check with an unknown algorithm or a data id out of range names the field") {
  const std::string m =
      Problem(std::string(kMinimal) +
              "signals { can { interface: \"can0\" dbc_file: \"/etc/fleetclip/b.dbc\"\n"
              "  map { dbc_signal: \"S\" signal: \"speed\" }\n"
              "  check { message: \"ESP_21\" checksum: \"ESP_21_CRC\" algorithm: \"crc16\" }\n"
              "  check { message: \"ESP_22\" checksum: \"CRC\" algorithm: \"crc8_e2e_p2\""
              " data_id: 300 }\n"
              "  check { message: \"\" counter: \"BZ\" }\n"
              "  check { message: \"ESP_23\" }\n"
              "  checksum_algorithm: \"crc8_e2e_p1\" } }\n");
  CHECK_THAT(m, Catch::Contains("signals.can[0].check[0].algorithm: 'crc16' is not one of "
                                "crc8_e2e_p1, crc8_e2e_p2, xor, sum_toyota"));
  CHECK_THAT(
      m, Catch::Contains("signals.can[0].check[1].data_id: 300 is outside 0..255 for crc8_e2e_p2"));
  CHECK_THAT(m, Catch::Contains("signals.can[0].check[2].message: is empty"));
  CHECK_THAT(
      m, Catch::Contains("signals.can[0].check[3]: names neither a counter nor a checksum signal"));
  CHECK_THAT(m, Catch::Contains("signals.can[0].checksum_algorithm: crc8_e2e_p1 needs a data id "
                                "per message"));
}

TEST_CASE("Well-formed CAN checks pass validation") {
  const std::string ok =
      std::string(kMinimal) +
      "signals { can { interface: \"can0\" dbc_file: \"/etc/fleetclip/b.dbc\"\n"
      "  map { dbc_signal: \"S\" signal: \"speed\" }\n"
      "  check { message: \"ESP_21\" counter: \"ESP_21_BZ\" checksum: \"ESP_21_CRC\""
      " algorithm: \"crc8_e2e_p1\" data_id: 65535 }\n"
      "  check { message: \"Motor\" counter: \"Motor_BZ\" }\n"
      "  checksum_algorithm: \"sum_toyota\" } }\n";
  INFO((Validate(ok).ok() ? "" : Validate(ok).error().message()));
  CHECK(Validate(ok).ok());
}

TEST_CASE("A preset can be turned off and retuned without restating its expression") {
  Fixture f;
  Result<proto::BaseConfig> c = LoadBaseConfig(
      f.Write(std::string(kMinimal) +
              "rules { name: \"steering_jerk\" enabled: false }\n"
              "rules { name: \"harsh_braking\" priority: 70 pre_roll_ms: 15000 }\n"));
  INFO((c.ok() ? "" : c.error().message()));
  REQUIRE(c.ok());
  Result<CompiledRules> rules = CompileRules(*c);
  REQUIRE(rules.ok());
  std::vector<std::string> names;
  for (const auto& r : rules->rule_set->rules()) names.push_back(r.spec.name);
  CHECK(names == std::vector<std::string>{"disengagement", "harsh_braking"});
  CHECK(rules->rule_set->rules()[1].spec.priority == 70);
}

TEST_CASE("A rule pre-roll longer than the shortest camera ring is refused") {
  CHECK_THAT(Problem(std::string(kMinimal) +
                     "rules { name: \"harsh_braking\" pre_roll_ms: 90000 priority: 70 }"),
             Catch::Contains("rule \"harsh_braking\": pre_roll_ms 90000 is outside 0..60000"));
}

TEST_CASE("Every problem is reported, not only the first") {
  const std::string m = Problem(R"(vehicle_id: "" fleet_id: "f"
cameras { name: "front" url: "/dev/video0" bitrate_bps: 1 }
upload { url: "gopher://x" })");
  CHECK(std::count(m.begin(), m.end(), '\n') == 2);
}

}  // namespace
}  // namespace fleetclip::config

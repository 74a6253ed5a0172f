// Writes the seed corpora of the harnesses in fuzz/ (run by fuzz/run.sh before fuzzing): a few
// valid inputs of each format, made with the real encoders, each with the harness's mode byte in
// front where the harness has modes. Nothing binary is kept in git.
//   fuzz_seeds DIR   → DIR/<harness>/<seed>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "can/test_check_dbc.h"
#include "can/test_dbc.h"
#include "daemon/config/config_test_support.h"
#include "proto/clip_manifest.pb.h"
#include "proto/control.pb.h"
#include "queue/signal_log.h"

namespace {

using namespace fleetclip;
namespace fs = std::filesystem;

void Put(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string Framed(const std::string& payload) {
  const auto n = static_cast<uint32_t>(payload.size());
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)} +
         payload;
}

void S3Xml(const fs::path& dir) {
  const std::string etag = "&#34;0123456789abcdef0123456789abcdef&#34;";
  Put(dir, "list_parts",
      "\x01<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListPartsResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>v/c1/cam.mp4</"
      "Key><UploadId>2~x</UploadId><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</"
      "NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>true</"
      "IsTruncated><Part><LastModified>2026-12-01T09:00:00.000Z</LastModified><PartNumber>1</"
      "PartNumber><ETag>" +
          etag +
          "</ETag><Size>5242880</Size></Part><Part><PartNumber>2</"
          "PartNumber><ETag><![CDATA[\"fedcba9876543210fedcba9876543210\"]]></ETag><Size>17</"
          "Size></Part></ListPartsResult>");
  Put(dir, "error",
      "\x01<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchUpload</Code><Message>The "
      "specified upload does not exist.</Message><RequestId>tx0</RequestId></Error>");
  Put(dir, "initiate",
      "\x01<InitiateMultipartUploadResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</"
      "Key><UploadId>2~abc&amp;def</UploadId></InitiateMultipartUploadResult>");
  Put(dir, "complete",
      "\x01<CompleteMultipartUploadResult><Location>http://h/b/k</Location><Bucket>b</"
      "Bucket><Key>k</Key><ETag>&#x22;0123456789abcdef0123456789abcdef-2&#x22;</ETag></"
      "CompleteMultipartUploadResult>");
  Put(dir, "uploads",
      "\x01<ListMultipartUploadsResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><IsTruncated>false</"
      "IsTruncated><Upload><Key>fleet/car-7/c1/front.mp4</Key><UploadId>2~abc</"
      "UploadId><Initiator><ID>x</ID></Initiator></Upload></ListMultipartUploadsResult>");
  for (int mode = 0; mode < 5; ++mode)
    Put(dir, "generated_" + std::to_string(mode),
        std::string(1, '\0') + static_cast<char>(mode) +
            std::string(48, static_cast<char>(7 * mode + 3)));
}

void Manifest(const fs::path& dir) {
  proto::ClipManifest m;
  m.set_format_version(1);
  m.set_clip_id("01900000-0000-7000-8000-000000000001");
  m.set_vehicle_id("car-7");
  m.set_fleet_id("fleet-a");
  m.set_window_start_mono_ns(1'000'000'000);
  m.set_window_end_mono_ns(31'000'000'000);
  m.mutable_time_mapping()->set_mono_ns(1'000'000'000);
  m.mutable_time_mapping()->set_wall_unix_ns(1'795'305'600'000'000'000);
  m.set_priority(80);
  proto::ClipEvent* e = m.add_events();
  e->set_rule("harsh_braking");
  e->set_source("rule");
  e->set_priority(80);
  e->set_peak_value(-4.8);
  e->set_fired_unix_ms(1'795'305'610'000);
  proto::ClipCamera* cam = m.add_cameras();
  cam->set_name("front");
  cam->set_codec("h264");
  cam->set_file("front.mp4");
  for (const char* name : {"front.mp4", "signals.pb.zst"}) {
    proto::ClipFile* f = m.add_files();
    f->set_name(name);
    f->set_bytes(123'456);
    f->set_sha256(std::string(32, '\x5a'));
  }
  m.set_signals_file("signals.pb.zst");
  m.set_created_unix_ms(1'795'305'640'000);
  Put(dir, "clip", m.SerializeAsString());
}

void SignalLog(const fs::path& dir) {
  std::vector<proto::SignalFrame> frames(40);
  for (size_t i = 0; i < frames.size(); ++i) {
    proto::SignalFrame& f = frames[i];
    f.set_mono_ns(1'000'000'000 + static_cast<int64_t>(i) * 10'000'000);
    f.set_seq(i + 1);
    proto::SignalValue* speed = f.add_values();
    speed->set_name("speed");
    speed->set_number(12.5 + static_cast<double>(i) * 0.25);
    proto::SignalValue* engaged = f.add_values();
    engaged->set_name("autonomy_engaged");
    engaged->set_flag(i < 30);
    if (i % 10 == 0) {
      proto::SignalValue* gear = f.add_values();
      gear->set_name("gear");
      gear->set_text(i < 20 ? "D" : "N");
    }
    if (i == 7) {
      proto::SignalValue* raw = f.add_values();
      raw->set_name("accel_long");
      raw->set_number(-3.14159265358979);
    }
  }
  Put(dir, "drive", "\x01" + queue::EncodeSignalLog(frames).value());
  Put(dir, "generated", std::string(1, '\0') + std::string(64, '\x11'));
}

void ControlFrame(const fs::path& dir) {
  proto::ControlRequest status;
  status.set_status(true);
  proto::ControlRequest trigger;
  trigger.mutable_trigger()->set_rule("manual");
  trigger.mutable_trigger()->set_note("pothole");
  trigger.mutable_trigger()->set_priority(50);
  trigger.mutable_trigger()->set_pre_roll_ms(10'000);
  proto::ControlResponse response;
  response.set_ok(false);
  response.set_error("clip 01900000 is uploading");
  Put(dir, "status", "\x01" + Framed(status.SerializeAsString()));
  Put(dir, "trigger", "\x01" + Framed(trigger.SerializeAsString()));
  Put(dir, "response", "\x01" + Framed(response.SerializeAsString()));
  Put(dir, "small_limit", "\xc0" + Framed(status.SerializeAsString()));
}

void FleetConfig(const fs::path& dir) {
  const config::Ed25519PrivateKey other = config::testing::NewKey();
  const std::string payload = config::testing::Serialize(config::testing::TestFleet(5));
  Put(dir, "envelope",
      std::string(1, '\0') + config::testing::SignPayload(payload, {{"k1", &other}}));
  Put(dir, "signed", "\x01" + payload);
  proto::FleetConfig policy = config::testing::TestFleet(6);
  policy.mutable_upload_policy()->set_allow_metered(true);
  proto::RemoteTrigger* t = policy.add_remote_triggers();
  t->set_id("t-1");
  t->set_priority(90);
  Put(dir, "signed_policy", "\x01" + config::testing::Serialize(policy));
  Put(dir, "fleet_alone", "\x02" + payload);
}

// The can/ tests' DBCs: every signal kind, multiplexing, counters and checksums.
void Dbc(const fs::path& dir) {
  Put(dir, "kinds", std::string(can::testing::kKindsDbc));
  Put(dir, "checks", std::string(can::testing::kCheckDbc));
}

// Mode byte 0: a raw line (classic, extended, FD, nanoseconds, dots, direction suffix).
void Candump(const fs::path& dir) {
  const std::string raw(1, '\0');
  Put(dir, "classic", raw + "(1436509052.249713) can0 123#DEADBEEF");
  Put(dir, "extended", raw + "(1.5) vcan1 12345678#01.02.03 R");
  Put(dir, "fd", raw + "(7.000000001) can0 7FF##1" + std::string(24, 'A'));
  Put(dir, "generated", "\x01" + std::string(40, '\x5a'));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  S3Xml(dir / "s3_xml");
  Manifest(dir / "manifest");
  SignalLog(dir / "signal_log");
  ControlFrame(dir / "control_frame");
  FleetConfig(dir / "fleet_config");
  Dbc(dir / "dbc");
  Candump(dir / "candump");
  return 0;
}

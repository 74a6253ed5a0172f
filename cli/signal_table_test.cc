// The viewing commands' shared parts, in-process: signal tables as CSV and JSON, clip folders read
// from real files (manifest.pb, signals.pb.zst written by the queue's encoder), file checks.
#include <catch2/catch.hpp>
#include <fstream>

#include "cli/clip_folder.h"
#include "cli/signal_table.h"
#include "queue/sha256.h"
#include "queue/signal_log.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::cli {
namespace {
namespace fs = std::filesystem;

proto::SignalFrame Frame(int64_t mono_ns, uint64_t seq) {
  proto::SignalFrame f;
  f.set_mono_ns(mono_ns);
  f.set_seq(seq);
  return f;
}

std::vector<proto::SignalFrame> ThreeFrames() {
  std::vector<proto::SignalFrame> frames;
  proto::SignalFrame a = Frame(1'000'000'000, 1);
  a.set_producer("can0");
  auto* v = a.add_values();
  v->set_name("speed");
  v->set_number(12.5);
  v = a.add_values();
  v->set_name("autonomy_engaged");
  v->set_flag(true);
  frames.push_back(a);
  proto::SignalFrame b = Frame(1'010'000'000, 2);
  b.set_producer("autonomy");
  v = b.add_values();
  v->set_name("disengage_reason");
  v->set_text("driver, steer");
  frames.push_back(b);
  proto::SignalFrame c = Frame(1'020'000'000, 3);
  v = c.add_values();
  v->set_name("speed");
  v->set_number(-0.1);
  frames.push_back(c);
  return frames;
}

proto::ClipManifest Manifest() {
  proto::ClipManifest m;
  m.set_clip_id("01900000-0000-7000-8000-000000000000");
  m.mutable_time_mapping()->set_mono_ns(1'000'000'000);
  m.mutable_time_mapping()->set_wall_unix_ns(1'767'225'600'000'000'000);
  return m;
}

TEST_CASE(
    "signals CSV has a row per frame and a column per signal that is empty where a frame lacks "
    "it") {
  CHECK(SignalsCsv(Manifest(), ThreeFrames()) ==
        "mono_ns,unix_ms,seq,producer,speed,autonomy_engaged,disengage_reason\n"
        "1000000000,1767225600000,1,can0,12.5,1,\n"
        "1010000000,1767225600010,2,autonomy,,,\"driver, steer\"\n"
        "1020000000,1767225600020,3,,-0.1,,\n");
}

TEST_CASE(
    "signals JSON gives each frame's wall time through the manifest's mapping, values typed") {
  const std::string json = SignalsJson(Manifest(), ThreeFrames());
  CHECK(json.starts_with(
      "{\"schema\":\"fleetclip.signals/1\",\"clip\":\"01900000-0000-7000-8000-000000000000\","
      "\"frames\":[{\"mono_ns\":1000000000,\"unix_ms\":1767225600000,\"seq\":1,"
      "\"producer\":\"can0\",\"values\":{\"speed\":12.5,\"autonomy_engaged\":true}}"));
  CHECK(json.find("\"disengage_reason\":\"driver, steer\"") != std::string::npos);
}

TEST_CASE("a non-finite number is null in JSON and numbers keep their shortest exact form") {
  CHECK(ShortestNumber(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(ShortestNumber(0.1) == "0.1");
  CHECK(ShortestNumber(-3.25e-7) == "-3.25e-07");
}

struct ClipOnDisk {
  ClipOnDisk() {
    proto::ClipManifest m = Manifest();
    m.set_signals_file("signals.pb.zst");
    const std::string signals = queue::EncodeSignalLog(ThreeFrames()).value();
    std::ofstream(dir.path() / "signals.pb.zst", std::ios::binary) << signals;
    auto* f = m.add_files();
    f->set_name("signals.pb.zst");
    f->set_bytes(static_cast<int64_t>(signals.size()));
    f->set_sha256(queue::HexToBytes(queue::Sha256Hex(signals)));
    std::ofstream(dir.path() / "manifest.pb", std::ios::binary) << m.SerializeAsString();
  }
  TempDir dir;
};

TEST_CASE("a clip folder's signal log decodes back to the frames the queue encoded") {
  ClipOnDisk disk;
  auto clip = ReadClipFolder(disk.dir.path());
  REQUIRE(clip.ok());
  auto frames = ReadClipSignals(*clip);
  REQUIRE(frames.ok());
  CHECK(SignalsCsv(clip->manifest, *frames) == SignalsCsv(Manifest(), ThreeFrames()));
}

TEST_CASE("a folder without manifest.pb is refused with the folder named") {
  TempDir dir;
  auto clip = ReadClipFolder(dir.path());
  REQUIRE_FALSE(clip.ok());
  CHECK(clip.error().code() == ErrorCode::kNotFound);
  CHECK_THAT(clip.error().message(), Catch::Contains(dir.path().string()));
}

TEST_CASE(
    "a file that changed after the manifest was written does not verify while the others do") {
  ClipOnDisk disk;
  auto clip = ReadClipFolder(disk.dir.path());
  REQUIRE(clip.ok());
  std::vector<FileCheck> checks = VerifyClipFiles(*clip);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].verified);
  std::string bytes = ReadWholeFile(disk.dir.path() / "signals.pb.zst").value();
  bytes[3] = static_cast<char>(bytes[3] ^ 0x55);
  std::ofstream(disk.dir.path() / "signals.pb.zst", std::ios::binary) << bytes;
  checks = VerifyClipFiles(*clip);
  CHECK_FALSE(checks[0].verified);
  CHECK_THAT(checks[0].problem, Catch::Contains("sha256"));
}

}  // namespace
}  // namespace fleetclip::cli

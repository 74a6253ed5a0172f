// SignalIngest: what is dropped, why, how it is counted and logged, and stamping on receipt.
#include "triggers/signal_ingest.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "proto/signal_frame.pb.h"
#include "triggers/test_datagram.h"

namespace fleetclip::triggers {
namespace {

struct Fixture {
  const SignalCatalog catalog = SignalCatalog::Standard();
  FakeClock clock;
  MemoryLogSink sink;
  SignalIngest ingest{catalog, clock, Logger(sink), 512};
  DecodedFrame frame;
  bool Accept(const std::string& bytes) { return ingest.Accept(bytes, false, frame); }
};

}  // namespace

TEST_CASE("A well-formed frame is accepted with its values by catalogue id") {
  Fixture f;
  REQUIRE(f.Accept(Datagram(5'000, 1, {{"speed", 12.5}, {"accel_long", -1}})));
  REQUIRE(f.frame.mono_ns == 5'000);
  REQUIRE(f.frame.numbers.size() == 2);
  REQUIRE(f.frame.numbers[0] == std::pair<SignalId, double>(*f.catalog.Find("speed"), 12.5));
}

TEST_CASE("A frame without a time is stamped with the receipt time") {
  Fixture f;
  REQUIRE(f.Accept(Datagram(0, 1, {{"speed", 1}})));
  REQUIRE(f.frame.stamped);
  REQUIRE(f.frame.mono_ns == ToNanos(f.clock.Now()));
  REQUIRE(f.ingest.stats().stamped == 1);
}

TEST_CASE("Garbage is dropped as malformed and logged with what was wrong") {
  Fixture f;
  REQUIRE_FALSE(f.Accept("\xff\xff\xff garbage"));
  REQUIRE(f.ingest.stats().malformed == 1);
  REQUIRE(f.sink.Count("event=signal_dropped reason=malformed") == 1);
  REQUIRE(f.sink.Count("not a SignalFrame") == 1);
}

TEST_CASE("A value of the wrong kind names the signal and both kinds") {
  Fixture f;
  proto::SignalFrame frame;
  frame.set_mono_ns(10);
  auto* v = frame.add_values();
  v->set_name("autonomy_engaged");
  v->set_number(1);
  REQUIRE_FALSE(f.Accept(frame.SerializeAsString()));
  REQUIRE(f.sink.Count(
              "signal \\\"autonomy_engaged\\\" is a flag but the frame carries a number") == 1);
}

TEST_CASE("Bad names, non-finite numbers, long texts and repeated signals are malformed") {
  Fixture f;
  REQUIRE_FALSE(f.Accept(Datagram(1, 1, {{"Speed!", 1}})));
  REQUIRE_FALSE(f.Accept(Datagram(2, 2, {{"speed", NAN}})));
  REQUIRE_FALSE(f.Accept(Datagram(3, 3, {{"speed", 1}, {"speed", 2}})));
  proto::SignalFrame frame;
  frame.set_mono_ns(4);
  auto* v = frame.add_values();
  v->set_name("disengage_reason");
  v->set_text(std::string(65, 'x'));
  REQUIRE_FALSE(f.Accept(frame.SerializeAsString()));
  REQUIRE(f.ingest.stats().malformed == 4);
  REQUIRE(f.ingest.stats().accepted == 0);
}

TEST_CASE("An oversized datagram is dropped and counted") {
  Fixture f;
  REQUIRE_FALSE(f.Accept(std::string(600, 'x')));
  REQUIRE_FALSE(f.ingest.Accept("short", /*truncated=*/true, f.frame));
  REQUIRE(f.ingest.stats().oversized == 2);
}

TEST_CASE("Out-of-order and duplicate frames are dropped without stopping ingest") {
  Fixture f;
  REQUIRE(f.Accept(Datagram(100, 1, {{"speed", 1}})));
  REQUIRE_FALSE(f.Accept(Datagram(100, 1, {{"speed", 1}})));
  REQUIRE_FALSE(f.Accept(Datagram(50, 2, {{"speed", 1}})));
  REQUIRE(f.Accept(Datagram(200, 3, {{"speed", 1}})));
  const IngestStats s = f.ingest.stats();
  REQUIRE(s.duplicate == 1);
  REQUIRE(s.out_of_order == 1);
  REQUIRE(s.accepted == 2);
  REQUIRE(s.seq_gaps == 1);
}

TEST_CASE("Values of signals outside the catalogue are skipped, not fatal") {
  Fixture f;
  REQUIRE(f.Accept(Datagram(1, 1, {{"speed", 3}, {"wiper_state", 1}})));
  REQUIRE(f.frame.numbers.size() == 1);
  REQUIRE(f.ingest.stats().unknown_values == 1);
  REQUIRE(f.Accept(Datagram(2, 2, {{"speed", 3}, {"wiper_state", 1}})));  // cached position
  REQUIRE(f.ingest.stats().unknown_values == 2);
}

// A frame as the drive generator sends it: numbers, a flag and two texts, in the same order.
std::string MixedFrame(int64_t mono_ns, uint64_t seq, double speed, bool engaged,
                       const std::string& reason, double custom = 0) {
  proto::SignalFrame f;
  f.set_mono_ns(mono_ns);
  f.set_seq(seq);
  auto* v = f.add_values();
  v->set_name("speed");
  v->set_number(speed);
  v = f.add_values();
  v->set_name("autonomy_engaged");
  v->set_flag(engaged);
  v = f.add_values();
  v->set_name("disengage_reason");
  v->set_text(reason);
  v = f.add_values();
  v->set_name("wiper_state");  // not in the catalogue
  v->set_number(custom);
  v = f.add_values();
  v->set_name("gear");
  v->set_text("D");
  return f.SerializeAsString();
}

TEST_CASE("Frames that repeat a learned layout decode as the full walk decodes them") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  DatagramDecoder warm(catalog);
  DecodedFrame scratch;
  REQUIRE(warm.Decode(MixedFrame(1, 1, 1.0, true, "none"), scratch).ok());  // learns the layout
  const std::string frames[] = {
      MixedFrame(2, 2, 12.5, true, "none", 7),
      MixedFrame(3'000'000'000'000, 300, -0.25, false, "driver_steering_override", 1e300),
      MixedFrame(4'000'000'000'000, 1ULL << 40, 0, true, std::string(64, 'z')),
      MixedFrame(5'000'000'000'000, 0, 3, false, "\xc3\xa9t\xc3\xa9"),
  };
  for (const std::string& bytes : frames) {
    DatagramDecoder fresh(catalog);
    DecodedFrame want, got;
    REQUIRE(fresh.Decode(bytes, want).ok());
    const uint64_t unknown = warm.unknown_values();
    REQUIRE(warm.Decode(bytes, got).ok());
    REQUIRE(got.mono_ns == want.mono_ns);
    REQUIRE(got.seq == want.seq);
    REQUIRE(got.numbers == want.numbers);
    REQUIRE(got.text_count == want.text_count);
    for (size_t i = 0; i < want.text_count; ++i) REQUIRE(got.texts[i] == want.texts[i]);
    REQUIRE(warm.unknown_values() == unknown + 1);
  }
}

TEST_CASE("A frame with a learned layout but a bad value is dropped with the full walk's reason") {
  Fixture f;
  REQUIRE(f.Accept(MixedFrame(1, 1, 1.0, true, "none")));
  REQUIRE_FALSE(f.Accept(MixedFrame(2, 2, INFINITY, true, "none")));
  REQUIRE(f.sink.Count("signal \\\"speed\\\" is not a finite number") == 1);
  REQUIRE_FALSE(f.Accept(MixedFrame(3, 3, 1.0, true, std::string(65, 'x'))));
  REQUIRE_FALSE(f.Accept(MixedFrame(4, 4, 1.0, true, "\xff")));
  std::string cut = MixedFrame(5, 5, 1.0, true, "none");
  cut.pop_back();
  REQUIRE_FALSE(f.Accept(cut));
  REQUIRE(f.Accept(MixedFrame(6, 6, 2.0, false, "brake")));
  REQUIRE(f.ingest.stats().malformed == 4);
  REQUIRE(f.ingest.stats().accepted == 2);
}

TEST_CASE("Drop logs are rate-limited per reason and report what they held back") {
  Fixture f;
  for (int i = 0; i < 50; ++i) REQUIRE_FALSE(f.Accept("\xff garbage"));
  REQUIRE(f.sink.Count("reason=malformed") == 1);
  f.clock.Advance(std::chrono::seconds(11));
  REQUIRE_FALSE(f.Accept("\xff garbage"));
  REQUIRE(f.sink.Count("reason=malformed") == 2);
  REQUIRE(f.sink.Count("suppressed=49") == 1);
  REQUIRE(f.ingest.stats().malformed == 51);
}

}  // namespace fleetclip::triggers

// Several producers on one socket: per-producer ordering, duplicates and gaps, the producer name
// on both decode paths, the reorder window that merges producers in time order, and the bounds
// (bad names, too many producers, frames later than the window).
#include <catch2/catch.hpp>

#include "proto/signal_frame.pb.h"
#include "triggers/signal_ingest.h"
#include "triggers/test_datagram.h"

namespace fleetclip::triggers {
namespace {

using namespace std::chrono_literals;

struct ProducersFixture {
  const SignalCatalog catalog = SignalCatalog::Standard();
  FakeClock clock;
  MemoryLogSink sink;
  SignalIngest ingest{catalog, clock, Logger(sink), 512, 50ms};
  DecodedFrame frame;
  bool Accept(const std::string& bytes) { return ingest.Accept(bytes, false, frame); }
  // Every frame Next hands out now, as (time, producer).
  std::vector<std::pair<int64_t, std::string>> Released(std::optional<MonoTime> now = {}) {
    std::vector<std::pair<int64_t, std::string>> out;
    for (int i = 0; i < 1000; ++i) {
      const DecodedFrame* f = ingest.Next(now);
      if (f == nullptr) break;
      out.emplace_back(f->mono_ns, f->producer);
    }
    return out;
  }
  const ProducerStats& Producer(std::string_view name) {
    for (const ProducerStats& p : ingest.producers()) {
      if (p.name == name) return p;
    }
    FAIL("no producer " << name);
    throw 0;
  }
};

}  // namespace

TEST_CASE("A frame older than another producer's latest is not out of order") {
  ProducersFixture f;
  REQUIRE(f.Accept(Datagram("can0", 2'000'000, 1, {{"speed", 1}})));
  REQUIRE(f.Accept(Datagram("autonomy", 1'000'000, 1, {{"accel_long", 0}})));
  CHECK(f.ingest.stats().out_of_order == 0);
  REQUIRE_FALSE(f.Accept(Datagram("can0", 1'500'000, 2, {{"speed", 1}})));
  CHECK(f.Producer("can0").out_of_order == 1);
  CHECK(f.Producer("autonomy").out_of_order == 0);
}

TEST_CASE("Duplicates and sequence gaps are counted for the producer that made them") {
  ProducersFixture f;
  REQUIRE(f.Accept(Datagram("can0", 1'000, 1, {{"speed", 1}})));
  REQUIRE(f.Accept(Datagram("model", 1'000, 1, {{"accel_lat", 1}})));  // same time, other producer
  REQUIRE_FALSE(f.Accept(Datagram("model", 1'000, 1, {{"accel_lat", 1}})));
  REQUIRE(f.Accept(Datagram("can0", 2'000, 5, {{"speed", 1}})));
  CHECK(f.Producer("model").duplicate == 1);
  CHECK(f.Producer("can0").duplicate == 0);
  CHECK(f.Producer("can0").seq_gaps == 3);
  CHECK(f.Producer("model").seq_gaps == 0);
  CHECK(f.ingest.stats().duplicate == 1);
  CHECK(f.sink.Count("model\\\" frame seq 1 at mono_ns 1000 repeats") == 1);
}

TEST_CASE("The producer's name is read on the learned-layout path as on the full walk") {
  ProducersFixture f;
  // The same layout many times: after the first frames the learned layout decodes them.
  for (int i = 1; i <= 20; ++i) {
    REQUIRE(f.Accept(Datagram("autonomy", i * 10'000'000, i, {{"speed", i}})));
    REQUIRE(f.frame.producer == "autonomy");
  }
  REQUIRE(f.Accept(Datagram("", 500'000'000, 1, {{"speed", 1}})));
  CHECK(f.frame.producer.empty());
  CHECK(f.ingest.producers().size() == 2);
}

TEST_CASE("A producer name that is not a signal-style name makes the frame malformed") {
  ProducersFixture f;
  REQUIRE_FALSE(f.Accept(Datagram("CAN 0", 1'000, 1, {{"speed", 1}})));
  CHECK(f.ingest.stats().malformed == 1);
  CHECK(f.sink.Count("CAN 0\\\" is not [a-z0-9_.]{1,64}") == 1);
  CHECK(f.ingest.producers().empty());
}

TEST_CASE("Frames of a producer beyond the first 32 are dropped as malformed, naming the bound") {
  ProducersFixture f;
  for (size_t i = 0; i < SignalIngest::kMaxProducers; ++i) {
    REQUIRE(f.Accept(Datagram("p" + std::to_string(i), 1'000, 1, {{"speed", 1}})));
  }
  REQUIRE_FALSE(f.Accept(Datagram("one_more", 1'000, 1, {{"speed", 1}})));
  CHECK(f.ingest.stats().malformed == 1);
  CHECK(f.sink.Count("is one more than the 32 producers") == 1);
  REQUIRE(f.Accept(Datagram("p0", 2'000, 2, {{"speed", 1}})));  // known producers go on
}

TEST_CASE("Two producers skewed by 40 ms come out merged in time order with nothing lost") {
  ProducersFixture f;
  // "can0" is on time; "autonomy" arrives 40 ms behind it. 10 ms frames, 1 s of each.
  std::vector<std::pair<int64_t, std::string>> out;
  for (int i = 0; i < 100; ++i) {
    const int64_t t = 1'000'000'000 + i * 10'000'000;
    f.ingest.Offer(Datagram("can0", t + 5'000'000, i + 1, {{"speed", 1}}), false);
    if (i >= 4) {
      f.ingest.Offer(Datagram("autonomy", t - 40'000'000, i - 3, {{"accel_long", 0}}), false);
    }
    for (auto& r : f.Released()) out.push_back(std::move(r));
  }
  for (int i = 0; i < 1000; ++i) {
    const DecodedFrame* frame = f.ingest.Drain();
    if (frame == nullptr) break;
    out.emplace_back(frame->mono_ns, frame->producer);
  }
  CHECK(out.size() == 196);
  CHECK(std::is_sorted(out.begin(), out.end()));
  CHECK(f.ingest.stats().late == 0);
  CHECK(f.ingest.stats().accepted == 196);
}

TEST_CASE("A frame later than the reorder window is dropped as late for its producer") {
  ProducersFixture f;
  f.ingest.Offer(Datagram("can0", 1'000'000'000, 1, {{"speed", 1}}), false);
  f.ingest.Offer(Datagram("can0", 1'100'000'000, 2, {{"speed", 1}}), false);
  CHECK(f.Released().size() == 1);  // 1.0 s is 100 ms behind the newest: handed on
  f.ingest.Offer(Datagram("autonomy", 990'000'000, 1, {{"accel_long", 0}}), false);
  CHECK(f.Producer("autonomy").late == 1);
  CHECK(f.Producer("autonomy").accepted == 0);
  CHECK(f.ingest.stats().late == 1);
  CHECK(f.sink.Count("reason=late") == 1);
}

TEST_CASE("Frames of two producers with the same time become one frame with both values") {
  ProducersFixture f;
  f.ingest.Offer(Datagram("can0", 1'000'000'000, 1, {{"speed", 7}, {"accel_long", -1}}), false);
  f.ingest.Offer(Datagram("model", 1'000'000'000, 1, {{"accel_long", -2}, {"accel_lat", 3}}),
                 false);
  const DecodedFrame* frame = f.ingest.Drain();
  REQUIRE(frame != nullptr);
  const DecodedFrame merged = *frame;
  CHECK(f.ingest.Drain() == nullptr);
  const auto value = [&](const char* name) {
    for (const auto& [id, v] : merged.numbers) {
      if (id == *f.catalog.Find(name)) return v;
    }
    return -999.0;
  };
  CHECK(value("speed") == 7);
  CHECK(value("accel_long") == -2);  // the later arrival wins a signal both carry
  CHECK(value("accel_lat") == 3);
  CHECK(merged.numbers.size() == 3);
}

TEST_CASE("Waiting frames are handed on once the clock is a window past them") {
  ProducersFixture f;
  f.ingest.Offer(Datagram("can0", 1'000'000'000, 1, {{"speed", 1}}), false);
  CHECK(f.Released().empty());
  REQUIRE(f.ingest.NextDue() == MonoFromNanos(1'050'000'000));
  CHECK(f.Released(MonoFromNanos(1'049'000'000)).empty());
  CHECK(f.Released(MonoFromNanos(1'050'000'000)).size() == 1);
  CHECK_FALSE(f.ingest.NextDue().has_value());
}

}  // namespace fleetclip::triggers

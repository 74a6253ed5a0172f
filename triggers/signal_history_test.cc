// SignalHistory: held values, retention, row bounds and the exported signal log window.
#include "triggers/signal_history.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace fleetclip::triggers {
namespace {

constexpr int64_t kOneMs = 1'000'000;

DecodedFrame Frame(int64_t t_ms, std::vector<std::pair<SignalId, double>> numbers) {
  DecodedFrame f;
  f.mono_ns = t_ms * kOneMs;
  f.seq = static_cast<uint64_t>(t_ms);
  f.numbers = std::move(numbers);
  return f;
}

}  // namespace

TEST_CASE("A signal keeps its last value in frames that do not carry it") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  const SignalId speed = *catalog.Find("speed"), brake = *catalog.Find("brake");
  SignalHistory h(catalog, std::chrono::seconds(10));
  h.Append(Frame(0, {{speed, 12}}));
  REQUIRE(std::isnan(h.LatestRow()[brake]));
  h.Append(Frame(10, {{brake, 0.5}}));
  REQUIRE(h.LatestRow()[speed] == 12);
  REQUIRE(h.LatestRow()[brake] == 0.5);
}

TEST_CASE("Rows older than the retention are dropped as new ones arrive") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  SignalHistory h(catalog, std::chrono::seconds(1));
  for (int64_t t = 0; t <= 5000; t += 10) h.Append(Frame(t, {{0, 1.0}}));
  REQUIRE(h.OldestTime() == MonoFromNanos(4000 * kOneMs));
  REQUIRE(h.size() == 101);
}

TEST_CASE("The row bound holds even when retention would keep more, and is counted") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  SignalHistory h(catalog, std::chrono::seconds(100), /*max_rows=*/300);
  for (int64_t t = 0; t < 1000; ++t) h.Append(Frame(t, {{0, 1.0}}));
  REQUIRE(h.size() <= 300);
  REQUIRE(h.evicted_early() == 1000 - h.size());
  REQUIRE(h.LatestTime() == MonoFromNanos(999 * kOneMs));
}

TEST_CASE("The signal log window has only the values each frame carried") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  const SignalId speed = *catalog.Find("speed"), engaged = *catalog.Find("autonomy_engaged");
  const SignalId reason = *catalog.Find("disengage_reason");
  SignalHistory h(catalog, std::chrono::seconds(10));
  for (int64_t t = 0; t < 100; t += 10) h.Append(Frame(t, {{speed, double(t)}}));
  DecodedFrame f = Frame(100, {{engaged, 0}});
  f.texts.emplace_back(reason, "driver_brake");
  f.text_count = 1;
  h.Append(f);
  REQUIRE(h.LatestText(reason) == "driver_brake");

  auto window = h.Window(MonoFromNanos(50 * kOneMs), MonoFromNanos(100 * kOneMs));
  REQUIRE(window.size() == 6);
  REQUIRE(window[0].mono_ns() == 50 * kOneMs);
  REQUIRE(window[0].values_size() == 1);
  REQUIRE(window[0].values(0).name() == "speed");
  REQUIRE(window[0].values(0).number() == 50);
  const auto& last = window.back();
  REQUIRE(last.values_size() == 2);
  REQUIRE(last.values(0).name() == "autonomy_engaged");
  REQUIRE(last.values(0).flag() == false);
  REQUIRE(last.values(1).text() == "driver_brake");
}

TEST_CASE("The signal log window keeps each frame's producer") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  const SignalId speed = *catalog.Find("speed");
  SignalHistory h(catalog, std::chrono::seconds(10));
  const char* kProducers[] = {"can0", "autonomy", ""};
  for (int64_t t = 0; t < 300; ++t) {  // past the first growth of the ring (256 rows)
    DecodedFrame f = Frame(t, {{speed, double(t)}});
    f.producer = kProducers[t % 3];
    h.Append(f);
  }
  auto window = h.Window(MonoFromNanos(0), MonoFromNanos(299 * kOneMs));
  REQUIRE(window.size() == 300);
  for (size_t i = 0; i < window.size(); ++i) {
    INFO("row " << i);
    REQUIRE(window[i].producer() == kProducers[i % 3]);
  }
}

TEST_CASE("Distinct text values are bounded") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  const SignalId reason = *catalog.Find("disengage_reason");
  SignalHistory h(catalog, std::chrono::seconds(10));
  for (int64_t i = 0; i < 5000; ++i) {
    DecodedFrame f = Frame(i, {});
    f.texts.emplace_back(reason, "r" + std::to_string(i));
    f.text_count = 1;
    h.Append(f);
  }
  REQUIRE(h.LatestText(reason) == "(too many distinct values)");
}

}  // namespace fleetclip::triggers

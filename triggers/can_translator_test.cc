// CAN frames to catalogue values: scale, flags, text from value tables, unmapped signals left out,
// map errors that name the entry, and the time order a history needs.
#include "triggers/can_translator.h"

#include <catch2/catch.hpp>
#include <memory>

namespace fleetclip::triggers {
namespace {

constexpr std::string_view kDbc = R"(BO_ 256 ESP: 8 ESP
 SG_ ESP_vehicleSpeed : 0|16@1+ (0.01,0) [0|655.35] "km/h" GW
 SG_ ESP_brakePressed : 16|1@1+ (1,0) [0|1] "" GW
 SG_ ESP_unused : 24|8@1+ (1,0) [0|255] "" GW
BO_ 512 Drive: 2 GW
 SG_ Gear : 0|3@1+ (1,0) [0|7] "" GW
 SG_ Count : 8|8@1+ (1,0) [0|255] "" GW
BO_ 513 Other: 2 GW
 SG_ Count : 0|8@1+ (1,0) [0|255] "" GW
VAL_ 512 Gear 0 "P" 3 "D" ;
)";

std::shared_ptr<const can::Dbc> Dbc() {
  auto d = can::ParseDbc(kDbc, "car.dbc");
  REQUIRE(d.ok());
  return std::make_shared<const can::Dbc>(std::move(*d));
}

can::CanFrame Frame(uint32_t id, std::initializer_list<uint8_t> bytes, int64_t mono_ns) {
  can::CanFrame f;
  f.id = id;
  f.len = static_cast<uint8_t>(bytes.size());
  size_t i = 0;
  for (uint8_t b : bytes) f.data[i++] = b;
  f.mono_ns = mono_ns;
  return f;
}

std::string MapError(std::string_view map_text) {
  const SignalCatalog catalog = SignalCatalog::Standard();
  auto map = can::ParseSignalMap(map_text, "map.txt");
  REQUIRE(map.ok());
  auto t = CanTranslator::Create(Dbc(), *map, catalog);
  REQUIRE_FALSE(t.ok());
  return t.error().message();
}

}  // namespace

TEST_CASE("Mapped numbers are scaled, flags are 0/1 and unmapped signals are left out") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  auto map = can::ParseSignalMap(
      "# ESP\nESP_vehicleSpeed speed 0.25\nESP.ESP_brakePressed brake_pressed\n", "map.txt");
  REQUIRE(map.ok());
  auto t = CanTranslator::Create(Dbc(), *map, catalog);
  REQUIRE(t.ok());
  DecodedFrame out;
  REQUIRE(t->Translate(Frame(256, {0x10, 0x27, 0x01, 0x55, 0, 0, 0, 0}, 1000), out));
  REQUIRE(out.mono_ns == 1000);
  REQUIRE(out.numbers.size() == 2);
  REQUIRE(out.numbers[0].first == *catalog.Find("speed"));
  REQUIRE(out.numbers[0].second == Approx(25.0).margin(1e-9));  // 100 km/h * 0.25
  REQUIRE(out.numbers[1].first == *catalog.Find("brake_pressed"));
  REQUIRE(out.numbers[1].second == 1.0);
}

TEST_CASE("A text signal takes the value table's label, or the number without one") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  auto map = can::ParseSignalMap("Gear gear\n", "map.txt");
  auto t = CanTranslator::Create(Dbc(), *map, catalog);
  REQUIRE(t.ok());
  DecodedFrame out;
  REQUIRE(t->Translate(Frame(512, {0x03, 0}, 10), out));
  REQUIRE(out.text_count == 1);
  REQUIRE(out.texts[0].second == "D");
  REQUIRE(t->Translate(Frame(512, {0x05, 0}, 20), out));
  REQUIRE(out.texts[0].second == "5");
}

TEST_CASE("Frames with nothing mapped, of unknown ids or out of order give no frame") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  auto map = can::ParseSignalMap("Gear gear\n", "map.txt");
  auto t = CanTranslator::Create(Dbc(), *map, catalog);
  DecodedFrame out;
  REQUIRE_FALSE(t->Translate(Frame(256, {0, 0, 0, 0, 0, 0, 0, 0}, 10), out));
  REQUIRE_FALSE(t->Translate(Frame(0x7AB, {0}, 20), out));
  REQUIRE(t->Translate(Frame(512, {3, 0}, 30), out));
  REQUIRE_FALSE(t->Translate(Frame(512, {3, 0}, 29), out));
  const CanTranslateStats s = t->stats();
  REQUIRE(s.frames == 4);
  REQUIRE(s.translated == 1);
  REQUIRE(s.unknown_ids == 1);
  REQUIRE(s.out_of_order == 1);
}

TEST_CASE("Two frames at the same time are kept 1 ns apart") {
  const SignalCatalog catalog = SignalCatalog::Standard();
  auto map = can::ParseSignalMap("Gear gear\nESP_vehicleSpeed speed\n", "map.txt");
  auto t = CanTranslator::Create(Dbc(), *map, catalog);
  DecodedFrame out;
  REQUIRE(t->Translate(Frame(512, {3, 0}, 500), out));
  REQUIRE(out.mono_ns == 500);
  REQUIRE(t->Translate(Frame(256, {1, 0, 0, 0, 0, 0, 0, 0}, 500), out));
  REQUIRE(out.mono_ns == 501);
  REQUIRE(t->Translate(Frame(512, {3, 0}, 500), out));
  REQUIRE(out.mono_ns == 502);
}

TEST_CASE("Map errors name the map line and what is wrong") {
  REQUIRE(MapError("ESP_speed speed\n") == "map.txt:1: car.dbc has no signal ESP_speed");
  REQUIRE(MapError("Count speed\n") ==
          "map.txt:1: DBC signal Count is in messages Drive and Other of car.dbc; write "
          "Message.Signal");
  REQUIRE(MapError("\nESP_vehicleSpeed sped\n") ==
          "map.txt:2: no catalogue signal named sped (did you mean speed?)");
  REQUIRE(MapError("Gear gear 2\n") ==
          "map.txt:1: gear is a text signal; a scale applies to numbers only");
  REQUIRE(MapError("Drive.Count speed\nOther.Count speed\n") ==
          "map.txt:2: speed is already mapped from another DBC signal");
}

TEST_CASE("A map line with a bad scale or too many fields names the line") {
  auto bad = can::ParseSignalMap("A speed x\n", "m.txt");
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.error().message() == "m.txt:1: scale must be a finite non-zero number, got \"x\"");
  auto many = can::ParseSignalMap("A b 1 2\n", "m.txt");
  REQUIRE(many.error().message() ==
          "m.txt:1: expected \"DBC_SIGNAL CATALOGUE_NAME [SCALE]\", got 4 fields");
}

}  // namespace fleetclip::triggers

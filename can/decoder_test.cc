// The decoder against hand-computed frames, one test per signal kind of can/test_dbc.h, plus the
// bookkeeping: unknown ids, out-of-range values and short frames.
#include "can/decoder.h"

#include <catch2/catch.hpp>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>

#include "can/test_dbc.h"

namespace fleetclip::can {
namespace {

std::shared_ptr<const Dbc> KindsDbc() {
  auto dbc = ParseDbc(testing::kKindsDbc, "kinds.dbc");
  REQUIRE(dbc.ok());
  return std::make_shared<const Dbc>(std::move(*dbc));
}

CanFrame Frame(uint32_t id, std::initializer_list<uint8_t> bytes, bool extended = false) {
  CanFrame f;
  f.id = id;
  f.extended = extended;
  f.len = static_cast<uint8_t>(bytes.size());
  f.fd = bytes.size() > 8;
  size_t i = 0;
  for (uint8_t b : bytes) f.data[i++] = b;
  return f;
}

struct Decoded {
  std::map<std::string, double> values;
  std::map<std::string, std::string> labels;
  int32_t message = -1;
};

Decoded Run(Decoder& d, const CanFrame& f) {
  Decoded out;
  const DecodeResult r = d.Decode(f);
  out.message = r.message;
  for (const DecodedSignal& s : r.signals) {
    const std::string& name =
        d.dbc().messages[static_cast<size_t>(r.message)].signals[s.signal].name;
    out.values[name] = s.value;
    if (s.label != nullptr) out.labels[name] = *s.label;
  }
  return out;
}

}  // namespace

TEST_CASE("Intel signals decode unsigned, signed and one-bit values with factor") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(256, {0x10, 0x27, 0x20, 0xEA, 0x01, 0, 0, 0}));
  REQUIRE(r.values.size() == 3);
  REQUIRE(r.values.at("VehSpeed") == Approx(100.0).margin(1e-9));  // 0x2710 * 0.01
  REQUIRE(r.values.at("AccelLong") == Approx(-3.5).margin(1e-9));  // 0xEA2 = -350 (12 bits)
  REQUIRE(r.values.at("Brake") == 1.0);
}

TEST_CASE("Motorola signals decode across bytes, signed and with an offset") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(512, {0x2A, 0xF8, 0x0E, 0x70, 0x2B, 0xC0, 0, 0}));
  REQUIRE(r.values.at("SteerAngle") == Approx(100.0).margin(1e-9));  // 11000 * 0.1 - 1000
  REQUIRE(r.values.at("YawRaw") == -100.0);    // 10 bits from byte 2 bit 3: 0b1110011100
  REQUIRE(r.values.at("SteerRate") == 350.0);  // 0x2BC * 0.5
}

TEST_CASE("SIG_VALTYPE_ float signals are IEEE floats in either byte order, then scaled") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(768, {0x00, 0x00, 0xC0, 0x3F, 0xC1, 0x44, 0x00, 0x00}));
  REQUIRE(r.values.at("Temp") == 1.5);        // 0x3FC00000 little-endian
  REQUIRE(r.values.at("Pressure") == -23.5);  // 0xC1440000 = -12.25, * 2 + 1
}

TEST_CASE("SIG_VALTYPE_ double signals are IEEE doubles in either byte order") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(769, {0, 0, 0, 0, 0, 0, 0x02, 0x40,     // 2.25 little-endian
                                       0xBF, 0xE0, 0, 0, 0, 0, 0, 0}));  // -0.5 big-endian
  REQUIRE(r.values.at("Lat") == 2.25);
  REQUIRE(r.values.at("Lon") == -0.5);
}

TEST_CASE("Value tables give the raw value's description as a label") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(1024, {0x03, 0x02}));
  REQUIRE(r.values.at("Gear") == 3.0);
  REQUIRE(r.labels.at("Gear") == "D");
  REQUIRE(r.labels.at("AutonomyState") == "engaged");
}

TEST_CASE("A raw value missing from the value table gives the number without a label") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(1024, {0x07, 0x02}));
  REQUIRE(r.values.at("Gear") == 7.0);
  REQUIRE(r.labels.count("Gear") == 0);
}

TEST_CASE("Simple multiplexing decodes only the signals the multiplexer selects") {
  Decoder d(KindsDbc());
  const Decoded zero = Run(d, Frame(1280, {0x00, 0x74, 0x0E, 0, 0, 0, 0, 0}));
  REQUIRE(zero.values.size() == 2);
  REQUIRE(zero.values.at("MuxId") == 0.0);
  REQUIRE(zero.values.at("CellVolt") == Approx(3.7).margin(1e-12));  // 0x0E74 * 0.001
  const Decoded one = Run(d, Frame(1280, {0x01, 0x41, 0, 0, 0, 0, 0, 0}));
  REQUIRE(one.values.size() == 2);
  REQUIRE(one.values.at("CellTemp") == 25.0);  // 0x41 - 40
}

TEST_CASE("Extended multiplexing follows switch chains and value ranges") {
  Decoder d(KindsDbc());
  // Sel 1 selects Sub; Sub 3 (in 2-3) selects Deep.
  const Decoded chain = Run(d, Frame(1536, {0x31, 0x7B, 0x10, 0, 0, 0, 0, 0}));
  REQUIRE(chain.values.size() == 3);
  REQUIRE(chain.values.at("Sub") == 3.0);
  REQUIRE(chain.values.at("Deep") == 123.0);
  // Sel 5 (in 4-6) selects Wide; Sub is not selected, so neither is Deep.
  const Decoded wide = Run(d, Frame(1536, {0x35, 0x7B, 0x10, 0, 0, 0, 0, 0}));
  REQUIRE(wide.values.size() == 2);
  REQUIRE(wide.values.at("Sel") == 5.0);
  REQUIRE(wide.values.at("Wide") == 32.0);
  // Sel 9: the second range of Wide.
  const Decoded nine = Run(d, Frame(1536, {0x09, 0x00, 0x10, 0, 0, 0, 0, 0}));
  REQUIRE(nine.values.count("Wide") == 1);
  REQUIRE(nine.values.count("Sub") == 0);
}

TEST_CASE("An extended id is matched only by an extended frame") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(0x18FEF1FE, {0, 0, 0, 0xE0, 0x2E, 0, 0, 0}, true));
  REQUIRE(r.values.at("EngineSpeed") == 1500.0);  // 0x2EE0 * 0.125
  REQUIRE(Run(d, Frame(0x200, {0x2A, 0xF8, 0x0E, 0x70, 0x2B, 0xC0, 0, 0}, true))
              .values.count("SteerAngle") == 0);
  REQUIRE(d.unknown_ids() == 0);
  REQUIRE(Run(d, Frame(0x7FF, {0})).message == -1);
  REQUIRE(Run(d, Frame(0x18FEF1FF, {0}, true)).message == -1);
  REQUIRE(d.unknown_ids() == 2);
}

TEST_CASE("CAN FD payloads decode up to byte 63 and signals spanning nine bytes") {
  Decoder d(KindsDbc());
  CanFrame f = Frame(0x200, {}, true);
  f.fd = true;
  f.len = 64;
  f.data[62] = 0x30;  // FarEnd: bits 500..511 = 0x123
  f.data[63] = 0x12;
  f.data[32] = 0xEF;  // Middle: 0xDEADBEEF
  f.data[33] = 0xBE;
  f.data[34] = 0xAD;
  f.data[35] = 0xDE;
  const uint8_t nine[] = {0x50, 0xF0, 0xDE, 0xBC, 0x0A, 0x00, 0x00, 0x00, 0x02};  // << 4
  for (size_t i = 0; i < 9; ++i) f.data[i] = nine[i];
  const Decoded r = Run(d, f);
  REQUIRE(r.values.at("FarEnd") == 142.5);  // 291 * 0.5 - 3
  REQUIRE(r.values.at("Middle") == 3735928559.0);
  REQUIRE(r.values.at("NineBytes") == static_cast<double>((uint64_t{1} << 61) | 0xABCDEF05u));
}

TEST_CASE("A value outside the DBC range is counted and skipped, the others kept") {
  auto dbc = ParseDbc(R"(BO_ 16 M: 2 X
 SG_ Pct : 0|8@1+ (1,0) [0|100] "%" X
 SG_ Any : 8|8@1+ (1,0) [0|255] "" X
)",
                      "range.dbc");
  REQUIRE(dbc.ok());
  Decoder d(std::make_shared<const Dbc>(std::move(*dbc)));
  const Decoded r = Run(d, Frame(16, {101, 7}));
  REQUIRE(r.values.count("Pct") == 0);
  REQUIRE(r.values.at("Any") == 7.0);
  REQUIRE(d.stats(0).out_of_range == 1);
  REQUIRE(Run(d, Frame(16, {100, 7})).values.at("Pct") == 100.0);
  REQUIRE(d.stats(0).out_of_range == 1);
}

TEST_CASE("A frame shorter than the DBC size decodes only the signals it carries") {
  Decoder d(KindsDbc());
  const Decoded r = Run(d, Frame(256, {0x10, 0x27}));
  REQUIRE(r.values.size() == 1);
  REQUIRE(r.values.count("VehSpeed") == 1);
  REQUIRE(d.stats(0).short_frames == 1);
  REQUIRE(d.stats(0).frames == 1);
}

}  // namespace fleetclip::can

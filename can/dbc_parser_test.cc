// The DBC parser: what it keeps of each statement, what it reads past, and errors that name the
// file, line and column.
#include <catch2/catch.hpp>
#include <string>

#include "can/dbc.h"
#include "can/test_dbc.h"

namespace fleetclip::can {
namespace {

std::string ErrorOf(std::string_view text) {
  auto r = ParseDbc(text, "bad.dbc");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().code() == ErrorCode::kInvalidArgument);
  return r.error().message();
}

}  // namespace

TEST_CASE("Messages keep id, extended flag, size and transmitter") {
  auto dbc = ParseDbc(testing::kKindsDbc, "kinds.dbc");
  REQUIRE(dbc.ok());
  REQUIRE(dbc->messages.size() == 9);
  const DbcMessage* j = dbc->FindMessage("J1939Engine");
  REQUIRE(j != nullptr);
  REQUIRE(j->extended);
  REQUIRE(j->id == 0x18FEF1FE);
  REQUIRE(j->transmitter == "ECU");
  const DbcMessage* fd = dbc->FindMessage("FdBody");
  REQUIRE(fd->size_bytes == 64);
  REQUIRE(dbc->FindMessage(0x200, true) == fd);
  REQUIRE(dbc->FindMessage(0x200, false)->name == "Steering");
}

TEST_CASE("Signals keep layout, scaling, range, unit, type, labels and multiplexing") {
  auto dbc = ParseDbc(testing::kKindsDbc, "kinds.dbc");
  REQUIRE(dbc.ok());
  const DbcSignal* accel = dbc->FindMessage("Speed")->FindSignal("AccelLong");
  REQUIRE(accel->start_bit == 20);
  REQUIRE(accel->length == 12);
  REQUIRE(accel->order == ByteOrder::kIntel);
  REQUIRE(accel->is_signed);
  REQUIRE(accel->factor == 0.01);
  REQUIRE(accel->min == -20.48);
  REQUIRE(accel->unit == "m/s2");
  const DbcSignal* steer = dbc->FindMessage("Steering")->FindSignal("SteerAngle");
  REQUIRE(steer->order == ByteOrder::kMotorola);
  REQUIRE(steer->offset == -1000);
  REQUIRE(dbc->FindMessage("Floats")->FindSignal("Temp")->type == ValueType::kFloat32);
  REQUIRE(dbc->FindMessage("Doubles")->FindSignal("Lon")->type == ValueType::kFloat64);
  const DbcSignal* gear = dbc->FindMessage("Drive")->FindSignal("Gear");
  REQUIRE(gear->labels.size() == 5);
  REQUIRE(gear->labels[3].label == "D");
  const DbcMessage* mux = dbc->FindMessage("Muxed");
  REQUIRE(mux->signals[0].is_multiplexer);
  REQUIRE(mux->signals[2].mux_switch == 0);
  REQUIRE(mux->signals[2].mux_ranges.size() == 1);
  REQUIRE(mux->signals[2].mux_ranges[0].lo == 1);
  const DbcSignal* wide = dbc->FindMessage("ExtMux")->FindSignal("Wide");
  REQUIRE(wide->mux_ranges.size() == 2);
  REQUIRE(wide->mux_ranges[1].lo == 9);
  REQUIRE(dbc->FindMessage("ExtMux")->FindSignal("Sub")->is_multiplexer);
}

TEST_CASE("Vector's independent-signals pseudo message is read past") {
  auto dbc = ParseDbc(R"(BO_ 3221225472 VECTOR__INDEPENDENT_SIG_MSG: 0 Vector__XXX
 SG_ Orphan : 0|8@1+ (1,0) [0|0] "" Vector__XXX
BO_ 1 Real: 1 X
 SG_ S : 0|8@1+ (1,0) [0|0] "" X
VAL_ 3221225472 Orphan 1 "one" ;
)",
                      "p.dbc");
  REQUIRE(dbc.ok());
  REQUIRE(dbc->messages.size() == 1);
}

TEST_CASE("A bad byte order names file, line and column") {
  REQUIRE(ErrorOf("BO_ 1 M: 8 X\n SG_ S : 0|8@2+ (1,0) [0|0] \"\" X\n") ==
          "bad.dbc:2:14: SG_ S byte order (0 Motorola, 1 Intel) must be an integer 0..1, got '2'");
}

TEST_CASE("A signal beyond its message's size names the signal, its bits and the size") {
  REQUIRE(ErrorOf("BO_ 1 M: 2 X\n SG_ S : 12|8@1+ (1,0) [0|0] \"\" X\n") ==
          "bad.dbc:2:2: SG_ S: bits 12|8@1 reach byte 2, beyond the 2-byte message M");
}

TEST_CASE("A missing token says what was expected where") {
  REQUIRE(ErrorOf("BO_ 1 M: 8 X\n SG_ S : 0|8@1+ (1 0) [0|0] \"\" X\n") ==
          "bad.dbc:2:20: expected ',' after the factor of SG_ S, got '0'");
}

TEST_CASE("A signal before any message is an error") {
  REQUIRE(ErrorOf("VERSION \"\"\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\n") ==
          "bad.dbc:2:2: SG_ outside a message (no BO_ before it)");
}

TEST_CASE("A standard id above 2047 is an error that points at extended ids") {
  REQUIRE(ErrorOf("BO_ 4096 M: 8 X\n") ==
          "bad.dbc:1:1: BO_ M: standard id 4096 is above 2047 (extended ids have bit 31 set)");
}

TEST_CASE("A CAN FD size above 64 bytes is an error") {
  REQUIRE(ErrorOf("BO_ 1 M: 65 X\n") ==
          "bad.dbc:1:10: BO_ M size in bytes must be an integer 0..64, got '65'");
}

TEST_CASE("A float type on a signal that is not 32 bits is an error") {
  REQUIRE(ErrorOf("BO_ 1 M: 8 X\n SG_ S : 0|16@1+ (1,0) [0|0] \"\" X\nSIG_VALTYPE_ 1 S : 1;\n") ==
          "bad.dbc:3:20: SIG_VALTYPE_ S: type 1 (float) needs a 32-bit signal, it has 16 bits "
          "(line 2)");
}

TEST_CASE("A value table for an unknown signal names the message") {
  REQUIRE(ErrorOf("BO_ 1 M: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\nVAL_ 1 T 0 \"a\" ;\n") ==
          "bad.dbc:3:8: 'VAL_': message M has no signal 'T'");
}

TEST_CASE("A multiplexed signal without a multiplexer is an error") {
  const std::string e = ErrorOf("BO_ 1 M: 8 X\n SG_ S m1 : 0|8@1+ (1,0) [0|0] \"\" X\n");
  REQUIRE(e.rfind("bad.dbc:2:1: SG_ S: multiplexed (m1) but message M has 0 multiplexers", 0) == 0);
}

TEST_CASE("An extended-multiplexing switch that is not a multiplexer is an error") {
  REQUIRE(ErrorOf("BO_ 1 M: 8 X\n SG_ A : 0|8@1+ (1,0) [0|0] \"\" X\n"
                  " SG_ B m1 : 8|8@1+ (1,0) [0|0] \"\" X\nSG_MUL_VAL_ 1 B A 1-1;\n") ==
          "bad.dbc:4:17: SG_MUL_VAL_ B: 'A' is not a multiplexer (M or mNM) in message M");
}

TEST_CASE("An unterminated comment is an error at the comment") {
  const std::string e = ErrorOf("BO_ 1 M: 8 X\nCM_ BO_ 1 \"never closed;\n");
  REQUIRE(e == "bad.dbc:2:11: unterminated string");
}

TEST_CASE("A duplicate message id names the first message") {
  REQUIRE(ErrorOf("BO_ 1 A: 8 X\nBO_ 1 B: 8 X\n") ==
          "bad.dbc:2:1: BO_ B: id 1 is already message A (line 1)");
}

}  // namespace fleetclip::can

// The DBC of the counter and checksum tests (can/decoder_checks_test.cc,
// can/message_check_test.cc): a VW-style message whose counter and CRC the config names (ESP_21_BZ,
// ESP_21_CRC), a Toyota-style one with COUNTER and CHECKSUM by opendbc's naming convention, an
// 8-bit counter named <message>_COUNTER, and a message with no checks.
#pragma once

#include <string_view>

namespace fleetclip::can::testing {

inline constexpr std::string_view kCheckDbc = R"(BO_ 256 ESP_21: 8 ESP
 SG_ ESP_21_CRC : 0|8@1+ (1,0) [0|255] "" GW
 SG_ ESP_21_BZ : 8|4@1+ (1,0) [0|15] "" GW
 SG_ Speed : 16|16@1+ (0.01,0) [0|655.35] "km/h" GW
 SG_ Wide : 32|16@1+ (1,0) [0|0] "" GW

BO_ 740 STEER: 5 EPS
 SG_ Angle : 0|16@1- (0.1,0) [0|0] "deg" GW
 SG_ Counter : 16|6@1+ (1,0) [0|63] "" GW
 SG_ CHECKSUM : 39|8@0+ (1,0) [0|255] "" GW

BO_ 768 Wheel: 4 ABS
 SG_ Wheel_COUNTER : 0|8@1+ (1,0) [0|255] "" GW
 SG_ Pulses : 8|16@1+ (1,0) [0|0] "" GW

BO_ 1024 Plain: 2 ECU
 SG_ Value : 0|16@1+ (1,0) [0|0] "" GW
)";

}  // namespace fleetclip::can::testing

// The DBC the can/ unit tests and the candied cross-check decode: one message per signal kind
// (Intel and Motorola, signed and unsigned, float and double, value tables, simple and extended
// multiplexing, an extended id, a 64-byte CAN FD message). Written in the canonical layout that
// CANdb++ saves, which is also the layout the candied parser reads.
#pragma once

#include <string_view>

namespace fleetclip::can::testing {

inline constexpr std::string_view kKindsDbc = R"(VERSION ""

NS_ :
	NS_DESC_
	CM_
	BA_DEF_
	VAL_TABLE_
	SIG_VALTYPE_

BS_:

BU_: ECU GW

BO_ 256 Speed: 8 ECU
 SG_ VehSpeed : 0|16@1+ (0.01,0) [0|655.35] "km/h" GW
 SG_ AccelLong : 20|12@1- (0.01,0) [-20.48|20.47] "m/s2" GW
 SG_ Brake : 32|1@1+ (1,0) [0|1] "" GW

BO_ 512 Steering: 8 ECU
 SG_ SteerAngle : 7|16@0+ (0.1,-1000) [-1000|5553.5] "deg" GW
 SG_ YawRaw : 19|10@0- (1,0) [-512|511] "" GW
 SG_ SteerRate : 39|12@0+ (0.5,0) [0|2047.5] "deg/s" GW

BO_ 768 Floats: 8 ECU
 SG_ Temp : 0|32@1- (1,0) [0|0] "degC" GW
 SG_ Pressure : 39|32@0- (2,1) [0|0] "kPa" GW

BO_ 769 Doubles: 16 ECU
 SG_ Lat : 0|64@1- (1,0) [0|0] "deg" GW
 SG_ Lon : 71|64@0- (1,0) [0|0] "deg" GW

BO_ 1024 Drive: 2 ECU
 SG_ Gear : 0|3@1+ (1,0) [0|7] "" GW
 SG_ AutonomyState : 8|2@1+ (1,0) [0|3] "" GW

BO_ 1280 Muxed: 8 ECU
 SG_ MuxId M : 0|8@1+ (1,0) [0|255] "" GW
 SG_ CellVolt m0 : 8|16@1+ (0.001,0) [0|65.535] "V" GW
 SG_ CellTemp m1 : 8|8@1- (1,-40) [-168|87] "degC" GW

BO_ 1536 ExtMux: 8 ECU
 SG_ Sel M : 0|4@1+ (1,0) [0|15] "" GW
 SG_ Sub m1M : 4|4@1+ (1,0) [0|15] "" GW
 SG_ Deep m2 : 8|8@1+ (1,0) [0|255] "" GW
 SG_ Wide m5 : 16|8@1+ (2,0) [0|510] "" GW

BO_ 2566844926 J1939Engine: 8 ECU
 SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8191.875] "rpm" GW

BO_ 2147484160 FdBody: 64 ECU
 SG_ FarEnd : 500|12@1- (0.5,-3) [-1027|1020.5] "" GW
 SG_ Middle : 256|32@1+ (1,0) [0|4294967295] "" GW
 SG_ NineBytes : 4|62@1+ (1,0) [0|0] "" GW

CM_ SG_ 256 VehSpeed "Vehicle speed; from the wheel speeds";
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_ "GenMsgCycleTime" BO_ 256 10;
VAL_ 1024 Gear 0 "P" 1 "R" 2 "N" 3 "D" 4 "B" ;
VAL_ 1024 AutonomyState 0 "off" 1 "standby" 2 "engaged" 3 "fault" ;
SIG_VALTYPE_ 768 Temp : 1;
SIG_VALTYPE_ 768 Pressure : 1;
SIG_VALTYPE_ 769 Lat : 2;
SIG_VALTYPE_ 769 Lon : 2;
SG_MUL_VAL_ 1536 Sub Sel 1-1;
SG_MUL_VAL_ 1536 Deep Sub 2-3;
SG_MUL_VAL_ 1536 Wide Sel 4-6, 9-9;
)";

}  // namespace fleetclip::can::testing

// Which messages of a bus carry a rolling counter and a checksum, and how to check them
// (docs/can.md "Counter and checksum checks"). Two sources: the config names them per message
// (signals.can[].check: message, counter signal, checksum signal, algorithm, data id), and a DBC
// declares them by opendbc's convention, a signal named COUNTER / CHECKSUM or
// <message>_COUNTER / <message>_CHECKSUM (case-insensitive) in the message; DBC checksums are
// checked with the interface's checksum_algorithm (without one, only their counters are). A config
// entry replaces the DBC's declaration for its message. ResolveChecks turns both into signal
// indices the decoder uses, with errors naming the config field or the DBC file and line.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "can/checksum.h"
#include "can/dbc.h"
#include "common/result.h"

namespace fleetclip::can {

// One message's checks as the config writes them.
struct CheckSpec {
  std::string message;    // DBC message name
  std::string counter;    // counter signal in that message; empty: none
  std::string checksum;   // checksum signal; empty: none
  std::string algorithm;  // ChecksumAlgorithmList(); required with a checksum, else empty
  int64_t data_id = 0;    // 0..MaxDataId(algorithm)
  std::string where;      // "signals.can[0].check[1]", for messages
};

// A resolved check, by index into the Dbc.
struct MessageCheck {
  uint32_t message = 0;
  int32_t counter = -1;   // signal index; -1: no counter
  int32_t checksum = -1;  // signal index; -1: no checksum
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::kXor;
  uint32_t data_id = 0;
};

// What can be checked without the DBC: a message and at least one of counter/checksum named, an
// algorithm given exactly when a checksum is, known, and a data id within its bounds. Errors name
// spec.where and the field.
Status CheckSpecShape(const CheckSpec& spec);
// The interface's algorithm for DBC-declared checksums (see ResolveChecks): empty, xor or
// sum_toyota. Errors name `where`.
Status CheckDbcAlgorithm(std::string_view algorithm, std::string_view where);

// The checks of `dbc`: every `specs` entry, then the DBC's own declarations for the messages no
// entry names. `dbc_algorithm` (the interface's checksum_algorithm, named `algorithm_where` in
// errors) checks the DBC-declared checksums; empty: they are not checked. It must be one without
// a data id (xor, sum_toyota): E2E data ids differ per message, so such messages need a config
// entry. A counter must be an unsigned integer of 1..32 bits; a checksum an unsigned 8-bit
// signal on a byte boundary; neither multiplexed.
Result<std::vector<MessageCheck>> ResolveChecks(const Dbc& dbc, std::span<const CheckSpec> specs,
                                                std::string_view dbc_algorithm,
                                                std::string_view algorithm_where);

}  // namespace fleetclip::can

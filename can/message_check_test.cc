// Resolving counter and checksum declarations (can/message_check.h): the config's entries and
// the DBC's naming convention, and every error naming the config field or the DBC line.
#include "can/message_check.h"

#include <catch2/catch.hpp>
#include <vector>

#include "can/test_check_dbc.h"

namespace fleetclip::can {
namespace {

Dbc ParsedCheckDbc() {
  auto dbc = ParseDbc(testing::kCheckDbc, "check.dbc");
  REQUIRE(dbc.ok());
  return std::move(*dbc);
}

CheckSpec Esp() {
  return {.message = "ESP_21",
          .counter = "ESP_21_BZ",
          .checksum = "ESP_21_CRC",
          .algorithm = "crc8_e2e_p2",
          .data_id = 0x5A,
          .where = "signals.can[0].check[0]"};
}

std::string ErrorOf(const std::vector<CheckSpec>& specs, std::string_view algorithm = "") {
  const Dbc dbc = ParsedCheckDbc();
  auto r = ResolveChecks(dbc, specs, algorithm, "signals.can[0].checksum_algorithm");
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("A config entry resolves its message, counter and checksum signals") {
  const Dbc dbc = ParsedCheckDbc();
  auto r = ResolveChecks(dbc, std::vector<CheckSpec>{Esp()}, "", "x");
  REQUIRE(r.ok());
  // ESP_21 from the config, plus the DBC's convention: STEER's Counter (no algorithm, so not its
  // CHECKSUM) and Wheel_COUNTER.
  REQUIRE(r->size() == 3);
  CHECK(r->at(0).message == 0);
  CHECK(r->at(0).counter == 1);
  CHECK(r->at(0).checksum == 0);
  CHECK(r->at(0).algorithm == ChecksumAlgorithm::kCrc8E2eP2);
  CHECK(r->at(0).data_id == 0x5A);
  CHECK(r->at(1).message == 1);
  CHECK(r->at(1).counter == 1);
  CHECK(r->at(1).checksum == -1);
  CHECK(r->at(2).message == 2);
  CHECK(r->at(2).counter == 0);
}

TEST_CASE("DBC checksums are checked only with the interface's algorithm") {
  const Dbc dbc = ParsedCheckDbc();
  auto r = ResolveChecks(dbc, {}, "sum_toyota", "x");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);  // ESP_21's names follow no convention: not checked
  CHECK(r->at(0).message == 1);
  CHECK(r->at(0).checksum == 2);
  CHECK(r->at(0).algorithm == ChecksumAlgorithm::kToyotaSum);
}

TEST_CASE("A check of an unknown message names the field and the DBC") {
  CheckSpec s = Esp();
  s.message = "ESP_22";
  CHECK(ErrorOf({s}) == "signals.can[0].check[0].message: check.dbc has no message ESP_22");
}

TEST_CASE("A check of an unknown signal names the field, the message and the signal") {
  CheckSpec s = Esp();
  s.counter = "ESP_21_ZB";
  CHECK(ErrorOf({s}) ==
        "signals.can[0].check[0].counter: message ESP_21 of check.dbc has no signal ESP_21_ZB");
}

TEST_CASE("An unknown algorithm is named with the ones there are") {
  CheckSpec s = Esp();
  s.algorithm = "crc16";
  CHECK(ErrorOf({s}) ==
        "signals.can[0].check[0].algorithm: 'crc16' is not one of crc8_e2e_p1, "
        "crc8_e2e_p2, xor, sum_toyota");
}

TEST_CASE("A data id beyond the algorithm's range is named with the limit") {
  CheckSpec s = Esp();
  s.data_id = 256;
  CHECK(ErrorOf({s}) == "signals.can[0].check[0].data_id: 256 is outside 0..255 for crc8_e2e_p2");
  s.algorithm = "crc8_e2e_p1";
  s.data_id = 65536;
  CHECK(ErrorOf({s}) ==
        "signals.can[0].check[0].data_id: 65536 is outside 0..65535 for crc8_e2e_p1");
  s.algorithm = "xor";
  s.data_id = 1;
  CHECK(ErrorOf({s}) == "signals.can[0].check[0].data_id: 1 is outside 0..0 for xor");
}

TEST_CASE("A checksum that is not one whole byte is refused") {
  CheckSpec s = Esp();
  s.checksum = "Speed";
  CHECK(ErrorOf({s}) ==
        "signals.can[0].check[0].checksum: ESP_21.Speed is not one whole byte (16|16); the "
        "checksums here are 8 bits on a byte boundary");
}

TEST_CASE("A check with neither a counter nor a checksum is refused") {
  CheckSpec s = Esp();
  s.counter.clear();
  s.checksum.clear();
  s.algorithm.clear();
  s.data_id = 0;
  CHECK(ErrorOf({s}) == "signals.can[0].check[0]: names neither a counter nor a checksum signal");
}

TEST_CASE("A checksum without an algorithm is refused") {
  CheckSpec s = Esp();
  s.algorithm.clear();
  CHECK(ErrorOf({s}).starts_with("signals.can[0].check[0].algorithm: '' is not one of"));
}

TEST_CASE("A message checked twice is refused") {
  CHECK(ErrorOf({Esp(), Esp()}) ==
        "signals.can[0].check[0].message: ESP_21 has a check entry already");
}

TEST_CASE("An E2E algorithm for the DBC's checksums is refused: it needs a data id per message") {
  CHECK(ErrorOf({}, "crc8_e2e_p1") ==
        "signals.can[0].checksum_algorithm: crc8_e2e_p1 needs a data id per message; declare "
        "those messages in check entries");
  CHECK(ErrorOf({}, "crc32").starts_with("signals.can[0].checksum_algorithm: 'crc32' is not"));
}

TEST_CASE("A DBC counter that cannot be one names the DBC line") {
  auto dbc = ParseDbc("BO_ 1 M: 8 E\n SG_ COUNTER : 0|4@1- (1,0) [0|0] \"\" G\n", "bad.dbc");
  REQUIRE(dbc.ok());
  auto r = ResolveChecks(*dbc, {}, "", "x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "bad.dbc:2: message M: counter COUNTER is not an unsigned integer");
}

}  // namespace fleetclip::can

// libFuzzer harness for the signed fleet config (daemon/config/fleet_config.h), three checks
// chosen by the first byte:
//  - raw envelope: any downloaded bytes are rejected, and only for a reason that comes before the
//    signature is known good (too large, malformed, unsigned, unknown key, bad signature): no
//    input the fuzzer can make carries a valid signature, so anything else is a forgery let in;
//  - signed payload: the rest of the input is signed by a trusted key, as the backend would; the
//    verdict is never a signature or envelope failure, an accepted config's effective config is
//    exactly ApplyFleetConfig's and validates as a base config, the same bytes again are "not
//    modified", and the payload with one byte changed under the old signature is a bad
//    signature;
//  - FleetConfig alone, as `fleetclip config validate --fleet` applies it: what applies validates.
#include <cstdint>
#include <string>

#include "daemon/config/config_test_support.h"
#include "daemon/config/fleet_config.h"
#include "fuzz/check.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::config;

struct Setup {
  Ed25519PrivateKey key = testing::NewKey();
  proto::BaseConfig base = testing::TestBase({{"k1", &key}});
};

const Setup& TheSetup() {
  static const Setup* setup = new Setup();  // leaked on purpose: lives for the process
  return *setup;
}

bool SignatureStageReason(FleetRejectReason r) {
  return r == FleetRejectReason::kTooLarge || r == FleetRejectReason::kMalformed ||
         r == FleetRejectReason::kUnsigned || r == FleetRejectReason::kUnknownKey ||
         r == FleetRejectReason::kBadSignature;
}

void RawEnvelope(std::string_view bytes) {
  const FleetVerification v = VerifyFleetConfig(bytes, TheSetup().base, {}, testing::TestNow());
  FUZZ_CHECK(v.verdict == FleetVerdict::kRejected, "unsigned bytes got " + v.message);
  FUZZ_CHECK(SignatureStageReason(v.reason), std::string(FleetRejectReasonName(v.reason)));
  FUZZ_CHECK(!v.message.empty(), "rejection without a message");
}

void SignedPayload(std::string_view bytes) {
  const Setup& s = TheSetup();
  const std::string payload(bytes);
  const std::string envelope = testing::SignPayload(payload, {{"k1", &s.key}});
  const FleetVerification v = VerifyFleetConfig(envelope, s.base, {}, testing::TestNow());
  FUZZ_CHECK(!SignatureStageReason(v.reason), v.message);
  FUZZ_CHECK(v.verdict != FleetVerdict::kNotModified, "not modified against no active config");
  if (v.accepted()) {
    FUZZ_CHECK(v.key_id == "k1" && v.payload == payload, "key or payload");
    FUZZ_CHECK(v.effective.fleet_version == v.fleet.version() && v.fleet.version() > 0, "version");
    Result<EffectiveConfig> applied = ApplyFleetConfig(s.base, v.fleet);
    FUZZ_CHECK(applied.ok(), applied.error().ToString());
    FUZZ_CHECK(applied->config.SerializeAsString() == v.effective.config.SerializeAsString(),
               "ApplyFleetConfig differs from the verifier's effective config");
    const Status valid = ValidateBaseConfig(v.effective.config, "fuzz");
    FUZZ_CHECK(valid.ok(), valid.error().ToString());
    const FleetVerification same = VerifyFleetConfig(
        envelope, s.base, ActiveFleetState{v.fleet.version(), payload}, testing::TestNow());
    FUZZ_CHECK(same.verdict == FleetVerdict::kNotModified, same.message);
  }
  if (payload.empty()) return;
  proto::SignedFleetConfig tampered;
  FUZZ_CHECK(tampered.ParseFromString(envelope), "our own envelope does not parse");
  std::string changed = payload;
  changed[payload.size() / 2] = static_cast<char>(changed[payload.size() / 2] ^ 0x01);
  tampered.set_payload(changed);
  const FleetVerification t =
      VerifyFleetConfig(tampered.SerializeAsString(), s.base, {}, testing::TestNow());
  FUZZ_CHECK(t.reason == FleetRejectReason::kBadSignature, t.message);
}

void FleetAlone(std::string_view bytes) {
  proto::FleetConfig fleet;
  if (!fleet.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  Result<EffectiveConfig> applied = ApplyFleetConfig(TheSetup().base, fleet);
  if (!applied.ok()) {
    FUZZ_CHECK(applied.error().code() == ErrorCode::kInvalidArgument, applied.error().ToString());
    return;
  }
  const Status valid = ValidateBaseConfig(applied->config, "fuzz");
  FUZZ_CHECK(valid.ok(), valid.error().ToString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      RawEnvelope(rest);
      break;
    case 1:
      SignedPayload(rest);
      break;
    default:
      FleetAlone(rest);
      break;
  }
  return 0;
}

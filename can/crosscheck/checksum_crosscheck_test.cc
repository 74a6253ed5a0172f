// The checksum algorithms (can/checksum.h) against an independent implementation: a thousand
// deterministic frames (every algorithm, payloads of 1..64 bytes, the checksum at any byte,
// standard and extended ids, data ids across their range) computed here and by
// checksum_crosscheck.py, whose CRCs come from crcmod (Debian's python3-crcmod); every checksum
// must be the same.
#include <stdio.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "can/checksum.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip::can {
namespace {

uint64_t NextRandom(uint64_t& state) {  // xorshift64*: deterministic frames
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

std::string Hex2(unsigned v) {
  static const char* kDigits = "0123456789ABCDEF";
  return {kDigits[(v >> 4) & 15], kDigits[v & 15]};
}

}  // namespace

TEST_CASE("Every checksum algorithm agrees with crcmod and a plain Python fold on 1000 frames") {
  constexpr int kFrames = 1000;
  const ChecksumAlgorithm kAll[] = {ChecksumAlgorithm::kCrc8E2eP1, ChecksumAlgorithm::kCrc8E2eP2,
                                    ChecksumAlgorithm::kXor, ChecksumAlgorithm::kToyotaSum};
  TempDir dir;
  const auto input = dir.path() / "frames.txt";
  std::vector<std::string> ours;
  {
    std::ofstream out(input);
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < kFrames; ++i) {
      const ChecksumAlgorithm alg = kAll[i % 4];
      const uint32_t len = 1 + static_cast<uint32_t>(NextRandom(state) % 64);
      const uint32_t at = static_cast<uint32_t>(NextRandom(state) % len);
      const uint32_t id = i % 3 == 0 ? static_cast<uint32_t>(NextRandom(state) & 0x1FFFFFFF)
                                     : static_cast<uint32_t>(NextRandom(state) & 0x7FF);
      const uint32_t data_id = static_cast<uint32_t>(NextRandom(state) % (MaxDataId(alg) + 1));
      std::vector<uint8_t> payload(len);
      std::string hex;
      for (uint8_t& b : payload) {
        b = static_cast<uint8_t>(NextRandom(state));
        hex += Hex2(b);
      }
      out << ChecksumAlgorithmName(alg) << ' ' << id << ' ' << at << ' ' << data_id << ' ' << hex
          << '\n';
      ours.push_back(Hex2(ComputeChecksum(alg, id, payload, at, data_id)));
    }
  }
  // Appended piece by piece: GCC 12 warns (-Warray-bounds, GCC bug 105329) on a chain of
  // string + literal here.
  std::string cmd = "'";
  cmd += FLEETCLIP_DEBIAN_PYTHON;
  cmd += "' '";
  cmd += testing::InSourceTree(FLEETCLIP_CHECKSUM_PY);
  cmd += "' '";
  cmd += input.native();
  cmd += "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string text;
  char buf[4096];
  for (size_t n; (n = ::fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  REQUIRE(::pclose(p) == 0);
  std::istringstream lines(text);
  std::vector<std::string> theirs;
  for (std::string line; std::getline(lines, line) && theirs.size() <= kFrames;) {
    theirs.push_back(line);
  }
  REQUIRE(theirs.size() == ours.size());
  int differ = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i] != theirs[i]) {
      if (++differ <= 5)
        UNSCOPED_INFO("frame " << i << ": ours " << ours[i] << " crcmod " << theirs[i]);
    }
  }
  CHECK(differ == 0);
}

}  // namespace fleetclip::can

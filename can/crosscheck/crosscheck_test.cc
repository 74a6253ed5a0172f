// The decoder against an independent implementation: the same DBC (can/test_dbc.h, every signal
// kind) and the same few thousand frames decoded by candied (npm, pinned in package-lock.json,
// installed by the can_candied CTest fixture) through decode.js; every value we decode must be
// the identical double candied computes, every label the same text. candied decodes every signal
// of a message whatever the multiplexer says, so what it has beyond ours must be multiplexed
// signals that the frame's switch did not select.
#include <stdio.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "can/decoder.h"
#include "can/test_dbc.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip::can {
namespace {

constexpr int kFramesPerMessage = 400;

struct Expected {
  double value = 0;
  std::string label;
};

uint64_t NextRandom(uint64_t& state) {  // xorshift64*: deterministic frames
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

std::string Hex(const CanFrame& f) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string s;
  for (uint32_t i = 0; i < f.len; ++i) {
    s += kDigits[f.data[i] >> 4];
    s += kDigits[f.data[i] & 15];
  }
  return s;
}

bool Identical(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::string RunCandied(const std::filesystem::path& dbc, const std::filesystem::path& frames) {
  // Built with a stream: GCC 12 warns (-Warray-bounds) on a chain of string + literal here.
  std::ostringstream cmd;
  cmd << "NODE_PATH='" << fleetclip::testing::InBuildTree(FLEETCLIP_CANDIED_DIR)
      << "/node_modules' '" << FLEETCLIP_NODE << "' '"
      << fleetclip::testing::InSourceTree(FLEETCLIP_DECODE_JS) << "' '" << dbc.native() << "' '"
      << frames.native() << "'";
  FILE* p = ::popen(cmd.str().c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  REQUIRE(::pclose(p) == 0);
  return out;
}

}  // namespace

TEST_CASE("candied decodes every signal kind to the values and labels we decode") {
  TempDir dir;
  const auto dbc_path = dir.path() / "kinds.dbc";
  std::ofstream(dbc_path) << testing::kKindsDbc;
  auto parsed = ParseDbc(testing::kKindsDbc, "kinds.dbc");
  REQUIRE(parsed.ok());
  Decoder decoder(std::make_shared<const Dbc>(std::move(*parsed)));
  const Dbc& dbc = decoder.dbc();

  // Random payloads per message; multiplexer bytes biased towards the values that select.
  std::vector<CanFrame> frames;
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (const DbcMessage& m : dbc.messages) {
    for (int i = 0; i < kFramesPerMessage; ++i) {
      CanFrame f;
      f.id = m.id;
      f.extended = m.extended;
      f.len = static_cast<uint8_t>(m.size_bytes);
      f.fd = m.size_bytes > 8;
      for (uint32_t b = 0; b < f.len; ++b) f.data[b] = static_cast<uint8_t>(NextRandom(state));
      if (m.name == "Muxed") f.data[0] = static_cast<uint8_t>(NextRandom(state) % 3);
      if (m.name == "ExtMux") {  // Sel 1 (selects Sub), 5 or 9 (Wide), or another value
        static constexpr uint8_t kSel[] = {1, 1, 1, 5, 9, 0};
        f.data[0] = static_cast<uint8_t>((f.data[0] & 0xF0) | kSel[NextRandom(state) % 6]);
      }
      frames.push_back(f);
    }
  }
  const auto frames_path = dir.path() / "frames.txt";
  {
    std::ofstream out(frames_path);
    for (const CanFrame& f : frames) {
      out << (f.id | (f.extended ? 0x80000000u : 0)) << ' ' << Hex(f) << '\n';
    }
  }

  std::map<std::pair<size_t, std::string>, Expected> theirs;
  std::istringstream lines(RunCandied(dbc_path, frames_path));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string index, name, value, label;
    std::getline(fields, index, '\t');
    std::getline(fields, name, '\t');
    std::getline(fields, value, '\t');
    std::getline(fields, label);
    REQUIRE(value != "unknown");
    theirs[{std::stoul(index), name}] = {std::strtod(value.c_str(), nullptr), label};
  }

  std::map<std::string, int> compared;
  size_t matched = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const DecodeResult r = decoder.Decode(frames[i]);
    REQUIRE(r.message >= 0);
    const DbcMessage& m = dbc.messages[static_cast<size_t>(r.message)];
    for (const DecodedSignal& s : r.signals) {
      const std::string& name = m.signals[s.signal].name;
      auto it = theirs.find({i, name});
      INFO("frame " << i << " " << m.name << "#" << Hex(frames[i]) << " signal " << name);
      REQUIRE(it != theirs.end());
      INFO("ours " << s.value << " candied " << it->second.value);
      REQUIRE(Identical(s.value, it->second.value));
      REQUIRE((s.label != nullptr ? *s.label : std::string()) == it->second.label);
      ++compared[name];
      ++matched;
      theirs.erase(it);
    }
  }
  // What candied decoded beyond ours: multiplexed signals their switch did not select.
  for (const auto& [key, value] : theirs) {
    const DbcMessage* m = nullptr;
    for (const DbcMessage& candidate : dbc.messages) {
      if (candidate.FindSignal(key.second) != nullptr) m = &candidate;
    }
    REQUIRE(m != nullptr);
    INFO("frame " << key.first << " signal " << key.second << " decoded by candied only");
    REQUIRE(m->FindSignal(key.second)->mux_switch >= 0);
  }
  // Every signal of every message took part, many times.
  for (const DbcMessage& m : dbc.messages) {
    for (const DbcSignal& s : m.signals) {
      INFO("signal " << s.name);
      REQUIRE(compared[s.name] >= 20);
    }
    REQUIRE(decoder.stats(static_cast<uint32_t>(&m - dbc.messages.data())).out_of_range == 0);
  }
  REQUIRE(matched > 5000);
}

}  // namespace fleetclip::can

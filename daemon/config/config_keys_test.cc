// The config table (daemon/config/config_keys.h): it covers every field of BaseConfig, its bounds
// are the validator's, packaging/fleetclip.conf documents each row as the table states it, and a
// reload plan applies exactly the reloadable keys and names the others.
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "daemon/config/base_config.h"
#include "daemon/config/config_keys.h"
#include "daemon/config/config_test_support.h"
#include "tests/support/test_paths.h"
#include "uploader/upload_policy.h"

namespace fleetclip::config {
namespace {

bool InTable(std::string_view name) {
  const auto keys = BaseConfigKeys();
  return std::any_of(keys.begin(), keys.end(), [&](const ConfigKey& k) { return k.name == name; });
}

bool HasElementRows(const std::string& list) {
  const auto keys = BaseConfigKeys();
  return std::any_of(keys.begin(), keys.end(),
                     [&](const ConfigKey& k) { return k.name.starts_with(list + "[]."); });
}

// Every field path of `d` as the table spells it: singular messages are descended into, lists of
// messages are one key and descended into ("cameras[].…") only when the table has element rows.
void FieldPaths(const google::protobuf::Descriptor& d, const std::string& prefix,
                std::vector<std::string>& out) {
  for (int i = 0; i < d.field_count(); ++i) {
    const google::protobuf::FieldDescriptor& f = *d.field(i);
    const std::string path = prefix + f.name();
    const bool message = f.cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    if (message && !f.is_repeated()) {
      FieldPaths(*f.message_type(), path + ".", out);
      continue;
    }
    out.push_back(path);
    if (message && !f.is_map() && HasElementRows(path)) {
      FieldPaths(*f.message_type(), path + "[].", out);
    }
  }
}

TEST_CASE("Every field of the base config has exactly one row in the config table") {
  std::vector<std::string> fields;
  FieldPaths(*proto::BaseConfig::descriptor(), "", fields);
  for (const std::string& f : fields) {
    INFO(f);
    CHECK(InTable(f));
  }
  std::set<std::string_view> seen;
  for (const ConfigKey& k : BaseConfigKeys()) {
    INFO(k.name);
    CHECK(std::find(fields.begin(), fields.end(), std::string(k.name)) != fields.end());
    CHECK(seen.insert(k.name).second);
    if (k.default_value) {
      REQUIRE(k.range);
      CHECK(*k.default_value >= k.range->min);
      CHECK(*k.default_value <= k.range->max);
    }
  }
}

TEST_CASE("A list's element rows reload the way the list does") {
  for (const ConfigKey& k : BaseConfigKeys()) {
    const size_t brackets = k.name.find("[]");
    if (brackets == std::string_view::npos) continue;
    INFO(k.name);
    CHECK(k.reload == Key(k.name.substr(0, brackets)).reload);
  }
}

TEST_CASE("The upload policy's own checks hold the bounds the table states") {
  for (const char* name : {"upload_policy.parked_after_ms", "upload_policy.urgent_priority"}) {
    const ConfigKey& k = Key(name);
    const std::string field = std::string(name).substr(std::string("upload_policy.").size());
    proto::UploadPolicyConfig policy;
    ApplyPolicyDefaults(policy);
    const auto set = [&](int64_t v) {
      const google::protobuf::FieldDescriptor* f = policy.GetDescriptor()->FindFieldByName(field);
      if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT32) {
        policy.GetReflection()->SetInt32(&policy, f, static_cast<int32_t>(v));
      } else {
        policy.GetReflection()->SetInt64(&policy, f, v);
      }
    };
    INFO(name);
    set(k.range->max);
    CHECK(uploader::PolicyFromProto(policy).ok());
    set(k.range->max + 1);
    Result<uploader::PolicyConfig> refused = uploader::PolicyFromProto(policy);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message(), Catch::Contains(name));
  }
}

// The comment paragraph above each key's first mention in the shipped config (the key's own
// `name:` / `name {` line, or a commented example `# name: …`), and the paragraph above the block
// that holds it.
struct KeyDoc {
  std::string own;
  std::string block;
};

std::map<std::string, KeyDoc> ParseShippedDocs(std::istream& in) {
  std::map<std::string, KeyDoc> docs;
  std::vector<std::string> stack;  // open blocks, as table prefixes ("storage.", "cameras[].")
  std::vector<std::string> block_docs;
  std::string paragraph;
  std::string shared;  // the last non-empty paragraph above a key
  const std::regex key_line(R"(^\s*(#\s*)?([a-z_]+)\s*(:|\{))");
  std::string line;
  for (int n = 0; n < 2000 && std::getline(in, line); ++n) {
    std::smatch m;
    const bool comment = line.find_first_not_of(" ") != std::string::npos &&
                         line[line.find_first_not_of(" ")] == '#';
    if (std::regex_search(line, m, key_line)) {
      const std::string prefix = stack.empty() ? "" : stack.back();
      const std::string key = prefix + m[2].str();
      // Keys documented together (window_start, window_end) share the paragraph above the first.
      if (!paragraph.empty()) shared = paragraph;
      if (InTable(key) && !docs.contains(key)) {
        docs[key] = {shared, block_docs.empty() ? "" : block_docs.back()};
      }
      const bool opens = !comment && m[3] == "{" && line.find('}') == std::string::npos;
      if (opens) {
        stack.push_back(HasElementRows(key) ? key + "[]." : key + ".");
        block_docs.push_back(paragraph);
      }
      if (!comment) paragraph.clear();
      if (comment) paragraph += line + "\n";
      continue;
    }
    if (!comment && line.find('}') != std::string::npos && !stack.empty()) {
      stack.pop_back();
      block_docs.pop_back();
    }
    if (comment) {
      paragraph += line + "\n";
    } else {
      paragraph.clear();
    }
  }
  return docs;
}

// "Reload: applied." / "Reload: at the next restart." in `text`, or "" when it says neither.
std::string ReloadPhrase(const std::string& text) {
  if (text.find("Reload: applied.") != std::string::npos) return "applied";
  if (text.find("Reload: at the next restart.") != std::string::npos) return "restart";
  return "";
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST_CASE("The shipped config documents every key's bounds, default and reload as the table") {
  std::ifstream in(fleetclip::testing::InSourceTree(FLEETCLIP_SHIPPED_CONFIG));
  REQUIRE(in.good());
  const std::map<std::string, KeyDoc> docs = ParseShippedDocs(in);
  for (const ConfigKey& k : BaseConfigKeys()) {
    INFO(k.name);
    const auto it = docs.find(std::string(k.name));
    REQUIRE(it != docs.end());
    const std::string& own = it->second.own;
    INFO(own);
    if (k.range) {
      const std::string lo = std::to_string(k.range->min), hi = std::to_string(k.range->max);
      CHECK((own.find(lo + " .. " + hi) != std::string::npos ||
             own.find(lo + ".." + hi) != std::string::npos));
    }
    if (k.default_value) {
      CHECK_THAT(Lower(own), Catch::Contains("default " + std::to_string(*k.default_value)));
    }
    // Element rows take the list's phrase; others their own, else their block's.
    const size_t brackets = k.name.find("[]");
    std::string phrase;
    if (brackets != std::string_view::npos) {
      phrase = ReloadPhrase(docs.at(std::string(k.name.substr(0, brackets))).own);
    } else {
      phrase = ReloadPhrase(own);
      if (phrase.empty()) phrase = ReloadPhrase(it->second.block);
    }
    CHECK(phrase == (k.reload == OnReload::kApplied ? "applied" : "restart"));
  }
}

proto::BaseConfig Running() {
  const Ed25519PrivateKey key = testing::NewKey();
  return testing::TestBase({{"k1", &key}});
}

TEST_CASE("A reload plan applies the reloadable keys and keeps the restart-only ones running") {
  const proto::BaseConfig running = Running();
  proto::BaseConfig loaded = running;
  loaded.set_vehicle_id("car-8");
  loaded.set_control_socket("/run/other/control.sock");
  loaded.mutable_cameras(0)->set_bitrate_bps(2'000'000);
  loaded.mutable_storage()->set_quota_bytes(int64_t{1} << 30);
  loaded.mutable_upload_policy()->set_window_start("20:00");
  (*loaded.mutable_upload_policy()->mutable_metered_interfaces())["wlan1"] = true;
  loaded.set_metrics_file("/run/fleetclip-metrics/m.prom");

  const ReloadPlan plan = PlanReload(running, loaded);
  CHECK(plan.awaiting_restart ==
        std::vector<std::string>{"vehicle_id", "control_socket", "cameras"});
  CHECK(plan.next.vehicle_id() == "car-7");
  CHECK(plan.next.control_socket() == running.control_socket());
  CHECK(plan.next.cameras(0).bitrate_bps() == running.cameras(0).bitrate_bps());
  CHECK(plan.next.storage().quota_bytes() == int64_t{1} << 30);
  CHECK(plan.next.storage().min_free_bytes() == running.storage().min_free_bytes());
  CHECK(plan.next.upload_policy().window_start() == "20:00");
  CHECK(plan.next.upload_policy().window_end() == running.upload_policy().window_end());
  CHECK(plan.next.upload_policy().metered_interfaces().at("wlan1"));
  CHECK(plan.next.metrics_file() == "/run/fleetclip-metrics/m.prom");
}

TEST_CASE("A reload of the same config changes nothing and waits for nothing") {
  const proto::BaseConfig running = Running();
  const ReloadPlan plan = PlanReload(running, running);
  CHECK(plan.awaiting_restart.empty());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(plan.next, running));
}

TEST_CASE("A reload that drops a list key or a map entry applies the removal") {
  proto::BaseConfig running = Running();
  proto::RuleConfig* r = running.add_rules();
  r->set_name("hb");
  r->set_expr("speed > 30");
  (*running.mutable_upload_policy()->mutable_metered_interfaces())["wlan1"] = true;
  proto::BaseConfig loaded = Running();
  const ReloadPlan plan = PlanReload(running, loaded);
  CHECK(plan.awaiting_restart.empty());
  CHECK(plan.next.rules_size() == 0);
  CHECK(plan.next.upload_policy().metered_interfaces().empty());
}

}  // namespace
}  // namespace fleetclip::config

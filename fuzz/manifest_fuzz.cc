// libFuzzer harness for manifest.pb as recovery reads it from a clip folder it did not write
// (queue/manifest.h): parse, CheckManifest, RecordFromManifest. Any bytes must go through without
// crashing or overflowing (UBSan); invariants on what comes out:
//  - the record lists every manifest file plus manifest.pb itself (its size and sha256 of these
//    bytes), with the priority clamped to 0..100;
//  - a manifest CheckManifest accepts names only plain, distinct files inside the clip folder,
//    and its record's size is the exact sum of its files (no wrap-around);
//  - serialize → parse → record gives the same record (the bytes decoded are the bytes meant).
#include <cstdint>
#include <string>

#include "fuzz/check.h"
#include "proto/clip_manifest.pb.h"
#include "queue/manifest.h"
#include "queue/sha256.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::queue;

// Ignores the bytes of manifest.pb itself (the reserialized manifest may be shorter: a field
// repeated in the input is written once).
bool SameRecord(const ClipRecord& a, const ClipRecord& b) {
  const int64_t a_own = a.files.back().bytes, b_own = b.files.back().bytes;
  if (a.id != b.id || a.priority != b.priority ||
      static_cast<uint64_t>(a.bytes) - static_cast<uint64_t>(a_own) !=
          static_cast<uint64_t>(b.bytes) - static_cast<uint64_t>(b_own) ||
      a.rules != b.rules || a.window_start_unix_ms != b.window_start_unix_ms ||
      a.duration_ms != b.duration_ms || a.events.size() != b.events.size() ||
      a.files.size() != b.files.size())
    return false;
  for (size_t i = 0; i + 1 < a.files.size(); ++i) {  // the last is manifest.pb: its own bytes
    if (a.files[i].name != b.files[i].name || a.files[i].bytes != b.files[i].bytes ||
        a.files[i].sha256_hex != b.files[i].sha256_hex)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  proto::ClipManifest m;
  if (!m.ParseFromString(bytes)) return 0;
  const Status checked = CheckManifest(m);
  const ClipRecord rec = RecordFromManifest(m, bytes);

  FUZZ_CHECK(rec.files.size() == static_cast<size_t>(m.files_size()) + 1, "file count");
  const FileRecord& self = rec.files.back();
  FUZZ_CHECK(self.name == kManifestName && self.bytes == static_cast<int64_t>(size) &&
                 self.sha256_hex == Sha256Hex(bytes),
             "manifest.pb row");
  FUZZ_CHECK(rec.priority >= 0 && rec.priority <= 100, std::to_string(rec.priority));
  FUZZ_CHECK(rec.id == m.clip_id() && rec.local_bytes == rec.bytes, "id or local bytes");

  if (checked.ok()) {
    __int128 sum = static_cast<__int128>(size);
    for (int i = 0; i < m.files_size(); ++i) {
      const std::string& n = m.files(i).name();
      FUZZ_CHECK(!n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos &&
                     n.find('\0') == std::string::npos && n != kManifestName,
                 "accepted name " + n);
      for (int j = 0; j < i; ++j) FUZZ_CHECK(m.files(j).name() != n, "duplicate " + n);
      FUZZ_CHECK(m.files(i).bytes() >= 0 && m.files(i).sha256().size() == 32, n);
      sum += m.files(i).bytes();
    }
    FUZZ_CHECK(sum == static_cast<__int128>(rec.bytes), "size sum wrapped");
  } else {
    FUZZ_CHECK(checked.error().code() == ErrorCode::kCorruption, checked.error().ToString());
    FUZZ_CHECK(checked.error().message().starts_with("manifest.pb: "), checked.error().message());
  }

  const std::string again = m.SerializeAsString();
  proto::ClipManifest m2;
  FUZZ_CHECK(m2.ParseFromString(again), "reserialized manifest does not parse");
  FUZZ_CHECK(CheckManifest(m2).ok() == checked.ok(), "check differs after a round trip");
  FUZZ_CHECK(SameRecord(RecordFromManifest(m2, again), rec), "record differs after a round trip");
  return 0;
}

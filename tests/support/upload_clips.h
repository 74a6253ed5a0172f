// Clips for the uploader's end-to-end tests: a folder in a real queue/ClipStore holding one
// pseudo-random camera file of a chosen size and a real manifest.pb (proto ClipManifest listing the
// file with its sha256), inserted as `ready`. Also downloads an object's sha256 for comparison.
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "proto/clip_manifest.pb.h"
#include "queue/clip_id.h"
#include "queue/clip_store.h"
#include "queue/sha256.h"
#include "uploader/digest.h"
#include "uploader/s3_client.h"

namespace fleetclip::uploader {

struct MadeClip {
  std::string id;
  std::string camera_sha256;
  std::string manifest_sha256;
  int64_t camera_bytes = 0;
};

inline std::string PseudoRandomBytes(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(static_cast<size_t>(n), '\0');
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  for (; i < n; ++i) s[static_cast<size_t>(i)] = static_cast<char>(rng());
  return s;
}

// Writes and inserts a clip with `front.mp4` of `bytes` and its manifest; `id_gen` names it.
// Odd seeds record front.mp4's part MD5s as the clip writer does (queue::FileDigestsOf, 8 MiB
// parts), even seeds do not (a clip from before schema v5), so the end-to-end tests cover both
// the transport's recorded-MD5 path and its hash-at-upload path.
inline MadeClip MakeUploadClip(queue::ClipStore& store, queue::ClipIdGenerator& id_gen,
                               WallTime now, int64_t bytes, int priority, uint64_t seed) {
  MadeClip made;
  made.id = id_gen.Next(now);
  made.camera_bytes = bytes;
  const std::filesystem::path dir = store.ClipDir(made.id);
  std::filesystem::create_directories(dir);
  const std::string camera = PseudoRandomBytes(bytes, seed);
  made.camera_sha256 = queue::Sha256Hex(camera);
  std::ofstream(dir / "front.mp4", std::ios::binary) << camera;
  proto::ClipManifest m;
  m.set_format_version(1);
  m.set_clip_id(made.id);
  m.set_vehicle_id("veh-1");
  m.set_priority(priority);
  proto::ClipFile* f = m.add_files();
  f->set_name("front.mp4");
  f->set_bytes(bytes);
  f->set_sha256(queue::HexToBytes(made.camera_sha256));
  const std::string manifest = m.SerializeAsString();
  made.manifest_sha256 = queue::Sha256Hex(manifest);
  std::ofstream(dir / "manifest.pb", std::ios::binary) << manifest;

  queue::ClipRecord c;
  c.id = made.id;
  c.priority = priority;
  c.bytes = c.local_bytes = bytes + static_cast<int64_t>(manifest.size());
  c.created_unix_ms = UnixMs(now);
  c.window_start_unix_ms = c.created_unix_ms;
  c.rules = "manual";
  queue::EventRecord e;
  e.rule = "manual";
  e.source = "manual";
  e.fired_unix_ms = c.created_unix_ms;
  e.priority = priority;
  c.events.push_back(e);
  c.files.push_back({"front.mp4", bytes, made.camera_sha256, false});
  if (seed % 2 == 1) {
    c.files.back().md5_part_size = queue::kPartDigestBytes;
    for (int64_t at = 0; at < bytes || at == 0; at += queue::kPartDigestBytes)
      c.files.back().part_md5_hex += Hex(Md5(std::string_view(camera).substr(
          static_cast<size_t>(at), static_cast<size_t>(queue::kPartDigestBytes))));
  }
  c.files.push_back(
      {"manifest.pb", static_cast<int64_t>(manifest.size()), made.manifest_sha256, false});
  Status s = store.InsertClip(c);
  if (!s.ok()) throw std::runtime_error(s.error().ToString());
  return made;
}

// sha256 of the object's bytes as the server returns them, or "" when the GET fails.
inline std::string DownloadedSha256(S3Client& client, const std::string& key) {
  std::string body;
  auto got = client.GetObject(key, [&](std::string_view c) { return body.append(c), true; }, {});
  return got.value.ok() ? queue::Sha256Hex(body) : "";
}

}  // namespace fleetclip::uploader

// A writer of MCAP files (https://mcap.dev/spec, major version 0), written from the published
// specification: the Foxglove viewer and ROS 2 tooling read these files, and a clip needs only a
// small part of a general library. What it writes: magic, Header; Schema and Channel records;
// messages in zstd-compressed Chunks (uncompressed CRC32), each followed by one Message Index per
// channel; Metadata and Attachment records (with their CRC32); DataEnd with the data section's
// CRC32; a Summary section (Schemas, Channels, Statistics, Chunk Indexes, Attachment Indexes,
// Metadata Indexes), a Summary Offset per group, the Footer with the summary CRC32, magic.
//
// Messages are buffered and written in log-time order (stable for equal times, so a channel's
// messages keep the order they were added in) at Finish(). Single-threaded; the whole file is
// built in memory (a clip is a few tens of MiB).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip::cli {

struct McapOptions {
  std::string profile;  // Header.profile ("" = none)
  std::string library = "fleetclip";
  int64_t chunk_bytes = 1 << 20;  // uncompressed records per chunk, at least
  int zstd_level = 3;
};

// Counts the summary reports, for the CLI's output and the tests.
struct McapStats {
  uint64_t messages = 0;
  uint32_t chunks = 0;
  std::map<uint16_t, uint64_t> per_channel;
};

class McapWriter {
 public:
  explicit McapWriter(McapOptions options) : options_(std::move(options)) {}

  // Ids start at 1 (0 means "no schema" for a channel).
  uint16_t AddSchema(std::string name, std::string encoding, std::string data);
  uint16_t AddChannel(uint16_t schema_id, std::string topic, std::string message_encoding,
                      std::map<std::string, std::string> metadata = {});
  void AddMessage(uint16_t channel_id, uint64_t log_time_ns, uint64_t publish_time_ns,
                  std::string data);
  void AddMetadata(std::string name, std::map<std::string, std::string> values);
  void AddAttachment(std::string name, std::string media_type, uint64_t log_time_ns,
                     uint64_t create_time_ns, std::string data);

  // The whole file. kInternal when zstd fails.
  Result<std::string> Finish();
  const McapStats& stats() const { return stats_; }

 private:
  struct Schema {
    uint16_t id;
    std::string name, encoding, data;
  };
  struct Channel {
    uint16_t id, schema_id;
    std::string topic, message_encoding;
    std::map<std::string, std::string> metadata;
  };
  struct Message {
    uint16_t channel_id;
    uint32_t sequence;
    uint64_t log_time, publish_time;
    std::string data;
  };
  struct Metadata {
    std::string name;
    std::map<std::string, std::string> values;
  };
  struct Attachment {
    std::string name, media_type;
    uint64_t log_time, create_time;
    std::string data;
  };

  McapOptions options_;
  std::vector<Schema> schemas_;
  std::vector<Channel> channels_;
  std::vector<Message> messages_;
  std::vector<Metadata> metadata_;
  std::vector<Attachment> attachments_;
  std::map<uint16_t, uint32_t> next_sequence_;
  McapStats stats_;
};

// CRC-32 (ISO-HDLC, the zlib polynomial) as MCAP uses it; `crc` continues a running value.
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

}  // namespace fleetclip::cli

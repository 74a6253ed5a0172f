// The MCAP record layouts, field by field as https://mcap.dev/spec lists them (little-endian
// integers; strings and byte arrays with a uint32 length, maps and arrays with a uint32 byte
// length; a record is opcode, uint64 content length, content). See cli/mcap_writer.h.
#include "cli/mcap_writer.h"

#include <zstd.h>

#include <algorithm>
#include <array>

namespace fleetclip::cli {
namespace {

constexpr std::string_view kMagic("\x89MCAP0\r\n", 8);

enum Op : uint8_t {
  kHeader = 0x01,
  kFooter = 0x02,
  kSchema = 0x03,
  kChannel = 0x04,
  kMessage = 0x05,
  kChunk = 0x06,
  kMessageIndex = 0x07,
  kChunkIndex = 0x08,
  kAttachment = 0x09,
  kAttachmentIndex = 0x0A,
  kStatistics = 0x0B,
  kMetadata = 0x0C,
  kMetadataIndex = 0x0D,
  kSummaryOffset = 0x0E,
  kDataEnd = 0x0F,
};

// Appends little-endian fields to a string.
struct Buf {
  std::string s;
  template <typename T>
  Buf& Int(T v) {
    for (size_t i = 0; i < sizeof(T); ++i)
      s += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    return *this;
  }
  Buf& U8(uint8_t v) { return Int(v); }
  Buf& U16(uint16_t v) { return Int(v); }
  Buf& U32(uint32_t v) { return Int(v); }
  Buf& U64(uint64_t v) { return Int(v); }
  Buf& Str(std::string_view v) {
    U32(static_cast<uint32_t>(v.size()));
    s += v;
    return *this;
  }
  Buf& Raw(std::string_view v) {
    s += v;
    return *this;
  }
  // A map or array: its byte length, then what `fill` appends.
  template <typename F>
  Buf& Sized(F fill) {
    Buf inner;
    fill(inner);
    U32(static_cast<uint32_t>(inner.s.size()));
    s += inner.s;
    return *this;
  }
};

void AppendRecord(std::string& out, uint8_t op, std::string_view content) {
  Buf b;
  b.U8(op).U64(content.size());
  out += b.s;
  out += content;
}

std::string StringMap(const std::map<std::string, std::string>& m) {
  Buf b;
  b.Sized([&](Buf& in) {
    for (const auto& [k, v] : m) in.Str(k).Str(v);
  });
  return b.s;
}

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

}  // namespace

uint32_t Crc32(std::string_view data, uint32_t crc) {
  crc = ~crc;
  for (unsigned char c : data) crc = kCrcTable[(crc ^ c) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint16_t McapWriter::AddSchema(std::string name, std::string encoding, std::string data) {
  const auto id = static_cast<uint16_t>(schemas_.size() + 1);
  schemas_.push_back({id, std::move(name), std::move(encoding), std::move(data)});
  return id;
}

uint16_t McapWriter::AddChannel(uint16_t schema_id, std::string topic, std::string message_encoding,
                                std::map<std::string, std::string> metadata) {
  const auto id = static_cast<uint16_t>(channels_.size() + 1);
  channels_.push_back(
      {id, schema_id, std::move(topic), std::move(message_encoding), std::move(metadata)});
  return id;
}

void McapWriter::AddMessage(uint16_t channel_id, uint64_t log_time_ns, uint64_t publish_time_ns,
                            std::string data) {
  messages_.push_back(
      {channel_id, next_sequence_[channel_id]++, log_time_ns, publish_time_ns, std::move(data)});
}

void McapWriter::AddMetadata(std::string name, std::map<std::string, std::string> values) {
  metadata_.push_back({std::move(name), std::move(values)});
}

void McapWriter::AddAttachment(std::string name, std::string media_type, uint64_t log_time_ns,
                               uint64_t create_time_ns, std::string data) {
  attachments_.push_back(
      {std::move(name), std::move(media_type), log_time_ns, create_time_ns, std::move(data)});
}

Result<std::string> McapWriter::Finish() {
  std::string out(kMagic);
  AppendRecord(out, kHeader, Buf().Str(options_.profile).Str(options_.library).s);

  std::vector<std::string> schema_records, channel_records;
  for (const Schema& s : schemas_) {
    schema_records.push_back(Buf().U16(s.id).Str(s.name).Str(s.encoding).Str(s.data).s);
    AppendRecord(out, kSchema, schema_records.back());
  }
  for (const Channel& c : channels_) {
    channel_records.push_back(Buf()
                                  .U16(c.id)
                                  .U16(c.schema_id)
                                  .Str(c.topic)
                                  .Str(c.message_encoding)
                                  .Raw(StringMap(c.metadata))
                                  .s);
    AppendRecord(out, kChannel, channel_records.back());
  }

  // Messages in chunks, each chunk followed by its message indexes.
  std::stable_sort(messages_.begin(), messages_.end(),
                   [](const Message& a, const Message& b) { return a.log_time < b.log_time; });
  stats_ = {};
  std::vector<std::string> chunk_indexes;
  std::string records;
  std::map<uint16_t, std::vector<std::pair<uint64_t, uint64_t>>>
      index;  // channel -> (time, offset)
  uint64_t chunk_start_time = 0, chunk_end_time = 0;
  auto flush = [&]() -> Status {
    if (records.empty()) return Ok();
    std::string compressed(ZSTD_compressBound(records.size()), '\0');
    const size_t n = ZSTD_compress(compressed.data(), compressed.size(), records.data(),
                                   records.size(), options_.zstd_level);
    if (ZSTD_isError(n)) {
      return Error(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
    }
    compressed.resize(n);
    const uint64_t chunk_start = out.size();
    AppendRecord(out, kChunk,
                 Buf()
                     .U64(chunk_start_time)
                     .U64(chunk_end_time)
                     .U64(records.size())
                     .U32(Crc32(records))
                     .Str("zstd")
                     .U64(compressed.size())
                     .Raw(compressed)
                     .s);
    const uint64_t chunk_length = out.size() - chunk_start;
    const uint64_t indexes_start = out.size();
    std::map<uint16_t, uint64_t> index_offsets;
    // Not a structured binding: Clang 14 cannot capture one in the lambda below.
    for (const auto& channel_entries : index) {
      const uint16_t channel = channel_entries.first;
      const auto& entries = channel_entries.second;
      index_offsets[channel] = out.size();
      AppendRecord(out, kMessageIndex,
                   Buf()
                       .U16(channel)
                       .Sized([&](Buf& in) {
                         for (auto [t, off] : entries) in.U64(t).U64(off);
                       })
                       .s);
    }
    chunk_indexes.push_back(Buf()
                                .U64(chunk_start_time)
                                .U64(chunk_end_time)
                                .U64(chunk_start)
                                .U64(chunk_length)
                                .Sized([&](Buf& in) {
                                  for (auto [ch, off] : index_offsets) in.U16(ch).U64(off);
                                })
                                .U64(out.size() - indexes_start)
                                .Str("zstd")
                                .U64(compressed.size())
                                .U64(records.size())
                                .s);
    ++stats_.chunks;
    records.clear();
    index.clear();
    return Ok();
  };
  for (const Message& m : messages_) {
    if (records.empty()) chunk_start_time = m.log_time;
    chunk_start_time = std::min(chunk_start_time, m.log_time);
    chunk_end_time = records.empty() ? m.log_time : std::max(chunk_end_time, m.log_time);
    index[m.channel_id].emplace_back(m.log_time, records.size());
    AppendRecord(
        records, kMessage,
        Buf().U16(m.channel_id).U32(m.sequence).U64(m.log_time).U64(m.publish_time).s + m.data);
    ++stats_.messages;
    ++stats_.per_channel[m.channel_id];
    if (static_cast<int64_t>(records.size()) >= options_.chunk_bytes) {
      if (Status s = flush(); !s.ok()) return s.error();
    }
  }
  if (Status s = flush(); !s.ok()) return s.error();

  std::vector<std::string> metadata_indexes, attachment_indexes;
  for (const Metadata& m : metadata_) {
    const uint64_t offset = out.size();
    AppendRecord(out, kMetadata, Buf().Str(m.name).Raw(StringMap(m.values)).s);
    metadata_indexes.push_back(Buf().U64(offset).U64(out.size() - offset).Str(m.name).s);
  }
  for (const Attachment& a : attachments_) {
    const uint64_t offset = out.size();
    Buf content;
    content.U64(a.log_time).U64(a.create_time).Str(a.name).Str(a.media_type).U64(a.data.size());
    content.Raw(a.data);
    content.U32(Crc32(content.s));
    AppendRecord(out, kAttachment, content.s);
    attachment_indexes.push_back(Buf()
                                     .U64(offset)
                                     .U64(out.size() - offset)
                                     .U64(a.log_time)
                                     .U64(a.create_time)
                                     .U64(a.data.size())
                                     .Str(a.name)
                                     .Str(a.media_type)
                                     .s);
  }
  AppendRecord(out, kDataEnd, Buf().U32(Crc32(out)).s);

  // Summary: every group once, then where each group starts.
  uint64_t start_time = 0, end_time = 0;
  if (!messages_.empty()) {
    start_time = messages_.front().log_time;
    end_time = messages_.back().log_time;
  }
  const std::string statistics =
      Buf()
          .U64(stats_.messages)
          .U16(static_cast<uint16_t>(schemas_.size()))
          .U32(static_cast<uint32_t>(channels_.size()))
          .U32(static_cast<uint32_t>(attachments_.size()))
          .U32(static_cast<uint32_t>(metadata_.size()))
          .U32(stats_.chunks)
          .U64(start_time)
          .U64(end_time)
          .Sized([&](Buf& in) {
            for (const Channel& c : channels_) {
              auto it = stats_.per_channel.find(c.id);
              in.U16(c.id).U64(it == stats_.per_channel.end() ? 0 : it->second);
            }
          })
          .s;
  const uint64_t summary_start = out.size();
  std::string offsets;
  auto group = [&](uint8_t op, const std::vector<std::string>& contents) {
    if (contents.empty()) return;
    const uint64_t start = out.size();
    for (const std::string& c : contents) AppendRecord(out, op, c);
    AppendRecord(offsets, kSummaryOffset, Buf().U8(op).U64(start).U64(out.size() - start).s);
  };
  group(kSchema, schema_records);
  group(kChannel, channel_records);
  group(kStatistics, {statistics});
  group(kChunkIndex, chunk_indexes);
  group(kAttachmentIndex, attachment_indexes);
  group(kMetadataIndex, metadata_indexes);
  const uint64_t summary_offset_start = out.size();
  out += offsets;
  Buf footer;
  footer.U8(kFooter).U64(8 + 8 + 4).U64(summary_start).U64(summary_offset_start);
  out += footer.s;
  out += Buf().U32(Crc32(std::string_view(out).substr(summary_start))).s;
  out += kMagic;
  return out;
}

}  // namespace fleetclip::cli

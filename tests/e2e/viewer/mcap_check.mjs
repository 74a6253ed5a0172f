// Reads a fleetclip MCAP file with the official TypeScript reader (@mcap/core) and checks it against
// the clip folder it was made from. Prints one line per check; exits 1 if any fails.
//   node mcap_check.mjs CLIP_DIR FILE.mcap FLEETCLIP_CLI
// Checks: every record parses and every CRC validates (stream reader: records, chunks,
// attachments; indexed reader: summary; here: the data section); the summary holds schemas,
// channels, statistics, chunk indexes, attachment and metadata indexes and summary offsets, and
// every chunk has message indexes; messages per channel (statistics, the stream and the indexed
// read) equal the MP4s' frames and, summed over the per-producer signal channels, the signal
// log's frames; each camera's CompressedVideo data, decoded with the embedded schema and
// concatenated, decodes with ffmpeg to as many frames as the MP4; each keyframe carries SPS and PPS; the manifest attachment is the clip's manifest.pb.
import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { crc32 } from "@foxglove/crc";
import { decompress } from "fzstd";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const [clipDir, mcapPath, cli] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(mcapPath));
const decompressHandlers = { zstd: (buf, size) => decompress(buf, new Uint8Array(Number(size))) };
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

// 1. The stream reader over every byte: records, chunk CRCs, attachment CRCs.
const types = new Map();
const streamCounts = new Map();
const streamReader = new McapStreamReader({ includeChunks: true, validateCrcs: true, decompressHandlers });
streamReader.append(bytes);
for (let r; (r = streamReader.nextRecord()); ) {
  types.set(r.type, (types.get(r.type) ?? 0) + 1);
  if (r.type === "Message") streamCounts.set(r.channelId, (streamCounts.get(r.channelId) ?? 0) + 1);
}
check(streamReader.done(), "the stream reader reads every record up to the closing magic, every CRC valid");
for (const t of ["Header", "Schema", "Channel", "Chunk", "MessageIndex", "Metadata", "Attachment",
                 "DataEnd", "Statistics", "ChunkIndex", "AttachmentIndex", "MetadataIndex",
                 "SummaryOffset", "Footer"]) {
  check((types.get(t) ?? 0) > 0, `has ${t} records (${types.get(t) ?? 0})`);
}

// 2. The indexed reader: footer, summary CRC, indexes.
const readable = {
  size: async () => BigInt(bytes.byteLength),
  read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
};
const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers });
check(reader.footer.summaryCrc !== 0, "the footer carries a summary CRC (validated on open)");
check(reader.dataSectionCrc !== undefined &&
      crc32(bytes.subarray(0, Number(reader.dataEndOffset))) === reader.dataSectionCrc,
      "the data section CRC matches");
check(reader.statistics !== undefined, "the summary has statistics");
check(reader.chunkIndexes.length > 0 &&
      reader.chunkIndexes.every((c) => c.messageIndexOffsets.size > 0 && c.compression === "zstd"),
      `${reader.chunkIndexes.length} zstd chunk indexes, each pointing at message indexes`);
check(reader.summaryOffsetsByOpcode.size >= 6, `summary offsets for ${reader.summaryOffsetsByOpcode.size} groups`);
check(reader.metadataIndexes.some((m) => m.name === "clip"), "a metadata index for \"clip\"");
check(reader.attachmentIndexes.some((a) => a.name === "manifest.pb"), "an attachment index for manifest.pb");

// 3. Messages per channel, read through the indexes, against the clip.
const topics = new Map([...reader.channelsById.values()].map((c) => [c.id, c.topic]));
const roots = new Map();
function typeOf(channelId) {
  const ch = reader.channelsById.get(channelId);
  const schema = reader.schemasById.get(ch.schemaId);
  if (!roots.has(schema.id)) {
    const set = descriptor.FileDescriptorSet.decode(schema.data);
    roots.set(schema.id, protobuf.Root.fromDescriptor(set).lookupType(schema.name));
  }
  return roots.get(schema.id);
}
const videos = new Map();
const indexedCounts = new Map();
let lastTime = -1n;
let ordered = true;
for await (const m of reader.readMessages()) {
  indexedCounts.set(m.channelId, (indexedCounts.get(m.channelId) ?? 0) + 1);
  if (m.logTime < lastTime) ordered = false;
  lastTime = m.logTime;
  const topic = topics.get(m.channelId);
  if (topic.startsWith("/camera/")) {
    const v = typeOf(m.channelId).decode(m.data);
    if (!videos.has(topic)) videos.set(topic, { chunks: [], format: v.format, idrWithoutParams: 0, idr: 0 });
    const entry = videos.get(topic);
    entry.chunks.push(Buffer.from(v.data));
    const nals = nalTypes(v.data);
    if (nals.includes(5)) {
      entry.idr++;
      if (!(nals.includes(7) && nals.includes(8))) entry.idrWithoutParams++;
    }
  }
}
check(ordered, "the indexed read returns messages in log-time order");
const manifestList = JSON.parse(execFileSync(cli, ["signals", clipDir, "--json"]).toString());
const expectedSignals = manifestList.frames.length;
let signalMessages = 0;  // over the /signals[/<producer>] channels, one per producer
const tmp = mkdtempSync(join(tmpdir(), "mcap-check-"));
try {
  for (const [id, topic] of topics) {
    const counted = reader.statistics.channelMessageCounts.get(id);
    check(counted === BigInt(streamCounts.get(id) ?? 0) && counted === BigInt(indexedCounts.get(id) ?? 0),
          `${topic}: statistics, stream and indexed read agree on ${counted} messages`);
    if (topic === "/signals" || topic.startsWith("/signals/")) {
      signalMessages += Number(counted);
      const first = typeOf(id).decode((await firstMessage(id)).data);
      check(first.values.length > 0, "a SignalFrame decodes with the embedded schema");
    }
    if (topic.startsWith("/camera/")) {
      const name = topic.slice("/camera/".length);
      const mp4 = join(clipDir, `${name}.mp4`);
      const mp4Frames = countFrames(mp4, []);
      check(Number(counted) === mp4Frames, `${topic}: ${counted} messages for the MP4's ${mp4Frames} frames`);
      const v = videos.get(topic);
      const raw = join(tmp, `${name}.${v.format}`);
      writeFileSync(raw, Buffer.concat(v.chunks));
      const decoded = countFrames(raw, ["-f", v.format === "h265" ? "hevc" : "h264"]);
      check(decoded === mp4Frames, `${topic}: ffmpeg decodes ${decoded} frames from the messages, the MP4 has ${mp4Frames}`);
      check(v.idr > 0 && v.idrWithoutParams === 0, `${topic}: all ${v.idr} keyframes carry SPS and PPS`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
check(signalMessages === expectedSignals,
      `the signal channels hold the signal log's ${expectedSignals} frames (${signalMessages})`);
const events = [...topics].find(([, t]) => t === "/events");
check(events !== undefined && Number(reader.statistics.channelMessageCounts.get(events[0])) > 0, "/events has a message per firing");
for await (const a of reader.readAttachments({ name: "manifest.pb" })) {
  check(Buffer.from(a.data).equals(readFileSync(join(clipDir, "manifest.pb"))), "the attached manifest.pb is the clip's");
}
for await (const m of reader.readMetadata({ name: "clip" })) {
  check(m.metadata.get("clip_id") === manifestList.clip, `metadata "clip" names clip ${manifestList.clip}`);
  console.log(`     b_frames: ${m.metadata.get("b_frames")}`);
}
process.exit(failures === 0 ? 0 : 1);

async function firstMessage(channelId) {
  for await (const m of reader.readMessages({ topics: [topics.get(channelId)] })) return m;
  return undefined;
}

// NAL unit types of an H.264 Annex B access unit.
function nalTypes(data) {
  const out = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      out.push(data[i + 3] & 0x1f);
      i += 3;
    }
  }
  return out;
}

// Frames ffmpeg decodes from a file (ffprobe -count_frames).
function countFrames(file, inputArgs) {
  const out = execFileSync("ffprobe", ["-v", "error", ...inputArgs, "-count_frames", "-select_streams", "v:0",
    "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file]).toString().trim();
  return Number(out);
}

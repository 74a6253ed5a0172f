// Drive files as a RecordedSource, for triggers/recorded_source.h.
#include "triggers/recorded_source.h"

#include "triggers/wire_format.h"

namespace fleetclip::triggers {

int64_t PeekMonoNs(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  int64_t mono_ns = 0;
  while (p < end) {
    uint32_t field = 0, type = 0;
    if (!wire::ReadTag(p, end, field, type)) break;
    if (field == 1 && type == wire::kVarint) {
      uint64_t v = 0;
      if (!wire::ReadVarint(p, end, v)) break;
      mono_ns = static_cast<int64_t>(v);
    } else if (!wire::Skip(p, end, type)) {
      break;
    }
  }
  return mono_ns;
}

Result<DriveSource> DriveSource::Open(const std::filesystem::path& path) {
  Result<DriveReader> reader = DriveReader::Open(path);
  if (!reader.ok()) return reader.error();
  return DriveSource(path.native(), std::move(*reader));
}

Result<bool> DriveSource::Advance() {
  Result<bool> more = reader_.NextBytesInto(bytes_);
  if (!more.ok() || !*more) return more;
  mono_ns_ = PeekMonoNs(bytes_);
  return true;
}

void DriveSource::Offer(SignalIngest& ingest) { ingest.Offer(bytes_, /*truncated=*/false); }

}  // namespace fleetclip::triggers

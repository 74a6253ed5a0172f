// A recorded signal input for the offline run (triggers/offline_run.h, `fleetclip rules test`):
// something that yields frames in the order they were recorded, each with its recorded time, and
// hands each one to SignalIngest the way the live path would. A drive file (length-delimited
// SignalFrame datagrams) is one kind; a CAN log decoded with a DBC file is meant to be another,
// which hands already decoded frames to ingest instead of datagrams.
// Not thread-safe: one offline run reads each source.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"
#include "triggers/decoded_frame.h"
#include "triggers/drive_file.h"
#include "triggers/signal_ingest.h"

namespace fleetclip::triggers {

class RecordedSource {
 public:
  virtual ~RecordedSource() = default;
  // Reads the next frame. false at a clean end; an error (kCorruption) names the file and the
  // byte offset or line of what could not be read. Nothing read before the error is lost.
  virtual Result<bool> Advance() = 0;
  // The recorded time of the frame Advance read, 0 when it carries none (stamped on receipt).
  virtual int64_t mono_ns() const = 0;
  // Hands the frame Advance read to `ingest` (SignalIngest::Offer or OfferDecoded).
  virtual void Offer(SignalIngest& ingest) = 0;
  // The file, for messages.
  virtual const std::string& name() const = 0;
};

// A drive file (triggers/drive_file.h): each frame is offered as the datagram it was recorded as.
class DriveSource final : public RecordedSource {
 public:
  static Result<DriveSource> Open(const std::filesystem::path& path);

  Result<bool> Advance() override;
  int64_t mono_ns() const override { return mono_ns_; }
  void Offer(SignalIngest& ingest) override;
  const std::string& name() const override { return name_; }

 private:
  DriveSource(std::string name, DriveReader reader)
      : name_(std::move(name)), reader_(std::move(reader)) {}

  std::string name_;
  DriveReader reader_;
  std::string bytes_;
  int64_t mono_ns_ = 0;
};

// SignalFrame.mono_ns of a serialized frame without decoding its values (the last one wins, as in
// proto3); 0 when absent or when the bytes do not parse that far.
int64_t PeekMonoNs(std::string_view bytes);

}  // namespace fleetclip::triggers

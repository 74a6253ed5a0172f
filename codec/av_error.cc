// See codec/av_error.h.
#include "codec/av_error.h"

extern "C" {
#include <libavutil/error.h>
}

#include <cerrno>

namespace fleetclip {

std::string AvErrorText(int averror) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(averror, buf, sizeof buf);
  return buf;
}

Error AvError(std::string_view what, int averror) {
  ErrorCode code;
  switch (averror) {
    case AVERROR_INVALIDDATA:
      code = ErrorCode::kCorruption;
      break;
    case AVERROR_EOF:
    case AVERROR(EAGAIN):
    case AVERROR(ECONNREFUSED):
    case AVERROR(ECONNRESET):
    case AVERROR(EPIPE):
    case AVERROR(EIO):
    case AVERROR(ENETUNREACH):
    case AVERROR(EHOSTUNREACH):
      code = ErrorCode::kUnavailable;
      break;
    case AVERROR(ETIMEDOUT):
      code = ErrorCode::kTimeout;
      break;
    case AVERROR_EXIT:
      code = ErrorCode::kCancelled;
      break;
    case AVERROR(ENOENT):
      code = ErrorCode::kNotFound;
      break;
    case AVERROR(EACCES):
    case AVERROR(EPERM):
      code = ErrorCode::kPermissionDenied;
      break;
    case AVERROR(ENOSPC):
    case AVERROR(EDQUOT):
      code = ErrorCode::kNoSpace;
      break;
    case AVERROR(EINVAL):
      code = ErrorCode::kInvalidArgument;
      break;
    case AVERROR_DECODER_NOT_FOUND:
    case AVERROR_ENCODER_NOT_FOUND:
    case AVERROR_DEMUXER_NOT_FOUND:
    case AVERROR_MUXER_NOT_FOUND:
    case AVERROR_PROTOCOL_NOT_FOUND:
    case AVERROR_PATCHWELCOME:
      code = ErrorCode::kUnsupported;
      break;
    default:
      code = ErrorCode::kIo;
  }
  std::string m(what);
  m += ": ";
  m += AvErrorText(averror);
  return Error(code, std::move(m));
}

}  // namespace fleetclip

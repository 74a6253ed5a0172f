// FFmpeg error numbers as fleetclip Errors: the av_strerror text, prefixed with what was being
// done, and a code that tells the caller whether retrying can help.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace fleetclip {

Error AvError(std::string_view what, int averror);
std::string AvErrorText(int averror);

}  // namespace fleetclip

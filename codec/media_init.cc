// See codec/media_init.h.
#include "codec/media_init.h"

#include <mutex>

extern "C" {
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}

namespace fleetclip {

void InitMediaLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    avdevice_register_all();
    avformat_network_init();
    av_log_set_level(
        AV_LOG_ERROR);  // our own logs report what matters; FFmpeg's warnings are noise
  });
}

}  // namespace fleetclip

// See codec/media_init.h.
#include "codec/media_init.h"

#include <dlfcn.h>

#include <mutex>

extern "C" {
#include <libavdevice/version.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/macros.h>
}

namespace fleetclip {

void InitMediaLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    avformat_network_init();
    av_log_set_level(
        AV_LOG_ERROR);  // our own logs report what matters; FFmpeg's warnings are noise
  });
}

std::string LoadCaptureDevices() {
  // The soname of the libavdevice whose headers we were built against (Debian 12: .so.59).
  static constexpr const char* kLibrary = "libavdevice.so." AV_STRINGIFY(LIBAVDEVICE_VERSION_MAJOR);
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    // Never closed: the devices it registers stay in libavformat's lists for the process's life.
    void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_GLOBAL);
    if (library == nullptr) {
      const char* why = ::dlerror();
      error =
          std::string("cannot load ") + kLibrary + ": " + (why != nullptr ? why : "dlopen failed");
      return;
    }
    using RegisterAll = void (*)();
    auto* register_all = reinterpret_cast<RegisterAll>(::dlsym(library, "avdevice_register_all"));
    if (register_all == nullptr) {
      error = std::string(kLibrary) + " has no avdevice_register_all";
      return;
    }
    register_all();
  });
  return error;
}

}  // namespace fleetclip

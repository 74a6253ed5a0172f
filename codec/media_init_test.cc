// libavdevice is loaded on demand (codec/media_init.h): not a link dependency of our programs,
// and its capture devices are known to libavformat once it is loaded.
#include "codec/media_init.h"

#include <elf.h>
#include <link.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

extern "C" {
#include <libavformat/avformat.h>
}

namespace fleetclip {
namespace {

// The DT_NEEDED entries of the running program (the first object dl_iterate_phdr reports).
std::vector<std::string> NeededByProgram() {
  std::vector<std::string> needed;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        auto* names = static_cast<std::vector<std::string>*>(out);
        const ElfW(Dyn)* dynamic = nullptr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) {
            dynamic =
                reinterpret_cast<const ElfW(Dyn)*>(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
          }
        }
        if (dynamic == nullptr) return 1;
        const char* strings = nullptr;
        for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
          if (d->d_tag == DT_STRTAB) strings = reinterpret_cast<const char*>(d->d_un.d_ptr);
        }
        if (strings == nullptr) return 1;
        for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
          if (d->d_tag == DT_NEEDED) names->emplace_back(strings + d->d_un.d_val);
        }
        return 1;  // the program only
      },
      &needed);
  return needed;
}

TEST_CASE("libavdevice is not linked but loaded on demand and then lavfi and v4l2 are known") {
  InitMediaLibraries();
  const std::vector<std::string> needed = NeededByProgram();
  REQUIRE_FALSE(needed.empty());  // the walk found the program's dynamic section
  bool links_avformat = false;
  for (const std::string& name : needed) {
    INFO(name);
    CHECK(name.find("libavdevice") == std::string::npos);
    links_avformat = links_avformat || name.find("libavformat") != std::string::npos;
  }
  CHECK(links_avformat);

  CHECK(LoadCaptureDevices().empty());
  CHECK(av_find_input_format("lavfi") != nullptr);
  CHECK(av_find_input_format("v4l2") != nullptr);
  CHECK(LoadCaptureDevices().empty());  // a second call does nothing and succeeds
}

}  // namespace
}  // namespace fleetclip

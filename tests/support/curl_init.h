// libcurl's process-wide init for test binaries, as main does it for the daemon: exactly once,
// before the first handle (thread-safe through the function-local static). Call it from every test
// fixture that makes HTTP requests.
#pragma once

#include <curl/curl.h>

namespace fleetclip {

inline void InitCurlForTests() {
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)kInit;
}

}  // namespace fleetclip

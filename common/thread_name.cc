// pthread_setname_np for common/thread_name.h.
#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace fleetclip {

void SetThreadName(std::string_view name) {
  constexpr size_t kMaxBytes = 15;  // TASK_COMM_LEN - 1: the kernel refuses longer names (ERANGE)
  const std::string cut(name.substr(0, kMaxBytes));
  (void)pthread_setname_np(pthread_self(), cut.c_str());  // cannot fail for the calling thread
}

}  // namespace fleetclip

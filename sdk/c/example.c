/* Publishes speed and autonomy state at 100 Hz: example SOCKET [FRAMES] (default 1000). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fleetclip_signals.h"

int main(int argc, char** argv) {
  fleetclip_publisher p;
  const long frames = argc > 2 ? atol(argv[2]) : 1000;
  int64_t next = fleetclip_now_ns();
  long i;
  if (argc < 2 || fleetclip_open(&p, argv[1], "autonomy") != 0) return perror("open"), 1;
  for (i = 0; i < frames; ++i, next += 10000000) { /* every 10 ms */
    struct timespec at = {(time_t)(next / 1000000000), (long)(next % 1000000000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
    fleetclip_begin(&p, 0);
    fleetclip_number(&p, "speed", 0.1 * (double)i);                   /* m/s */
    fleetclip_flag(&p, "autonomy_engaged", (i / 50) % 2 == 0);
    if (fleetclip_send(&p) != 0) return perror("send"), 1;
  }
  fleetclip_close(&p);
  return 0;
}

/* fleetclip_signals: publish vehicle signals to fleetclipd from C (C99, no dependencies).
 *
 * A producer (a CAN gateway, the autonomy stack, a model) sends one SignalFrame per datagram to
 * the daemon's Unix datagram socket (signals.socket_path, default /run/fleetclip/signals.sock).
 * This library encodes SignalFrame (proto/signal_frame.proto) on the protobuf wire itself, byte
 * for byte as libprotobuf would, so a producer needs neither protobuf nor C++. The contract, the
 * signal catalogue and the units are in docs/signals.md.
 *
 *   fleetclip_publisher p;
 *   if (fleetclip_open(&p, "/run/fleetclip/signals.sock", "autonomy") != 0) perror("open");
 *   fleetclip_begin(&p, 0);                     0: stamp with CLOCK_MONOTONIC now
 *   fleetclip_number(&p, "speed", 12.5);        m/s
 *   fleetclip_flag(&p, "autonomy_engaged", 1);
 *   if (fleetclip_send(&p) != 0) perror("send");
 *   fleetclip_close(&p);
 *
 * Every function returns 0 on success or -1 with errno set: EINVAL for a bad name (not
 * [a-z0-9_.]{1,64}), a non-finite number or a text longer than 64 bytes; EMSGSIZE when the frame
 * would exceed FLEETCLIP_MAX_FRAME_BYTES; a socket errno from open and send. A value that fails
 * leaves the frame as it was, so the rest can still be sent. Sequence numbers count up from 1 per
 * publisher, so the daemon counts lost frames. A publisher is not thread-safe: one per thread.
 */
#ifndef FLEETCLIP_SIGNALS_H
#define FLEETCLIP_SIGNALS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The daemon's default signals.max_datagram_bytes. */
#define FLEETCLIP_MAX_FRAME_BYTES 8192
#define FLEETCLIP_MAX_NAME_BYTES 64
#define FLEETCLIP_MAX_TEXT_BYTES 64

typedef struct fleetclip_publisher {
  int fd; /* the connected socket; -1 when closed */
  char path[108];
  char producer[FLEETCLIP_MAX_NAME_BYTES + 1];
  uint64_t seq;                                    /* of the last frame begun */
  unsigned char values[FLEETCLIP_MAX_FRAME_BYTES]; /* the SignalValues of the frame being built */
  size_t values_len;
  unsigned char frame[FLEETCLIP_MAX_FRAME_BYTES]; /* the encoded frame, after fleetclip_encode */
  size_t frame_len;
  int64_t mono_ns;
} fleetclip_publisher;

/* CLOCK_MONOTONIC now, in ns: the clock the daemon's frame times are on. */
int64_t fleetclip_now_ns(void);

/* Connects to the signal socket at `socket_path` as `producer` ([a-z0-9_.]{1,64}, or "" for an
 * unnamed producer). */
int fleetclip_open(fleetclip_publisher* p, const char* socket_path, const char* producer);
void fleetclip_close(fleetclip_publisher* p);

/* Starts a frame sampled at `mono_ns` (CLOCK_MONOTONIC ns; 0 = now). */
void fleetclip_begin(fleetclip_publisher* p, int64_t mono_ns);
int fleetclip_number(fleetclip_publisher* p, const char* name, double value);
int fleetclip_flag(fleetclip_publisher* p, const char* name, int value);
int fleetclip_text(fleetclip_publisher* p, const char* name, const char* text);

/* Encodes the frame into p->frame / p->frame_len (fleetclip_send does this first). */
int fleetclip_encode(fleetclip_publisher* p);
/* Encodes and sends the frame as one datagram. A full socket queue blocks (the daemon is behind);
 * when the daemon has restarted, the socket is reconnected once and the frame sent again. */
int fleetclip_send(fleetclip_publisher* p);

#ifdef __cplusplus
}
#endif

#endif /* FLEETCLIP_SIGNALS_H */

/* fleetclip_signals: SignalFrame on the protobuf wire and the Unix datagram socket; see
 * fleetclip_signals.h. Field numbers and wire types follow proto/signal_frame.proto:
 *   SignalFrame: 1 mono_ns (varint), 2 seq (varint), 3 values (length-delimited), 4 producer
 *   SignalValue: 1 name (length-delimited), 2 number (fixed64), 3 flag (varint), 4 text
 * Fields are written in field-number order, as libprotobuf serializes them. */
#define _POSIX_C_SOURCE 200809L
#include "fleetclip_signals.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int64_t fleetclip_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fail(int error) {
  errno = error;
  return -1;
}

static int valid_name(const char* name, int allow_empty) {
  size_t n = 0;
  for (; name[n] != '\0'; ++n) {
    const char c = name[n];
    if (n == FLEETCLIP_MAX_NAME_BYTES) return 0;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return 0;
  }
  return n > 0 || allow_empty;
}

/* Appends to out[*len] within `cap`; 0 when it does not fit. */
static int put_bytes(unsigned char* out, size_t* len, size_t cap, const void* bytes, size_t n) {
  if (cap - *len < n) return 0;
  memcpy(out + *len, bytes, n);
  *len += n;
  return 1;
}

static int put_varint(unsigned char* out, size_t* len, size_t cap, uint64_t v) {
  unsigned char b[10];
  size_t n = 0;
  do {
    b[n] = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v != 0) b[n] |= 0x80;
    ++n;
  } while (v != 0);
  return put_bytes(out, len, cap, b, n);
}

static int put_len(unsigned char* out, size_t* len, size_t cap, unsigned char tag,
                   const void* bytes, size_t n) {
  return put_bytes(out, len, cap, &tag, 1) && put_varint(out, len, cap, n) &&
         put_bytes(out, len, cap, bytes, n);
}

static int connect_socket(fleetclip_publisher* p) {
  struct sockaddr_un addr;
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, p->path, strlen(p->path) + 1);
  if (connect(fd, (const struct sockaddr*)&addr, sizeof addr) != 0) {
    const int error = errno;
    close(fd);
    return fail(error);
  }
  p->fd = fd;
  return 0;
}

int fleetclip_open(fleetclip_publisher* p, const char* socket_path, const char* producer) {
  memset(p, 0, sizeof *p);
  p->fd = -1;
  if (strlen(socket_path) >= sizeof p->path || !valid_name(producer, 1)) return fail(EINVAL);
  memcpy(p->path, socket_path, strlen(socket_path) + 1);
  memcpy(p->producer, producer, strlen(producer) + 1);
  return connect_socket(p);
}

void fleetclip_close(fleetclip_publisher* p) {
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
}

void fleetclip_begin(fleetclip_publisher* p, int64_t mono_ns) {
  p->mono_ns = mono_ns != 0 ? mono_ns : fleetclip_now_ns();
  p->values_len = 0;
  ++p->seq;
}

/* Appends one SignalValue: its name, then `tag` followed by `payload` (already encoded). */
static int put_value(fleetclip_publisher* p, const char* name, unsigned char tag,
                     const unsigned char* payload, size_t payload_len) {
  unsigned char value[2 + FLEETCLIP_MAX_NAME_BYTES + 1 + 1 + FLEETCLIP_MAX_TEXT_BYTES];
  size_t n = 0;
  if (!valid_name(name, 0)) return fail(EINVAL);
  put_len(value, &n, sizeof value, 0x0a, name, strlen(name));
  put_bytes(value, &n, sizeof value, &tag, 1);
  put_bytes(value, &n, sizeof value, payload, payload_len);
  {
    const size_t before = p->values_len;
    if (!put_len(p->values, &p->values_len, sizeof p->values, 0x1a, value, n)) {
      p->values_len = before;
      return fail(EMSGSIZE);
    }
  }
  return 0;
}

int fleetclip_number(fleetclip_publisher* p, const char* name, double value) {
  unsigned char le[8];
  uint64_t bits;
  int i;
  if (!isfinite(value)) return fail(EINVAL);
  memcpy(&bits, &value, 8);
  for (i = 0; i < 8; ++i) le[i] = (unsigned char)(bits >> (8 * i));
  return put_value(p, name, 0x11, le, 8);
}

int fleetclip_flag(fleetclip_publisher* p, const char* name, int value) {
  const unsigned char b = value ? 1 : 0;
  return put_value(p, name, 0x18, &b, 1);
}

int fleetclip_text(fleetclip_publisher* p, const char* name, const char* text) {
  unsigned char payload[1 + FLEETCLIP_MAX_TEXT_BYTES];
  size_t n = 0;
  const size_t len = strlen(text);
  if (len > FLEETCLIP_MAX_TEXT_BYTES) return fail(EINVAL);
  put_varint(payload, &n, sizeof payload, len);
  put_bytes(payload, &n, sizeof payload, text, len);
  return put_value(p, name, 0x22, payload, n);
}

int fleetclip_encode(fleetclip_publisher* p) {
  const size_t cap = sizeof p->frame;
  const unsigned char mono_tag = 0x08, seq_tag = 0x10;
  size_t n = 0;
  int ok = 1;
  if (p->mono_ns != 0) {
    ok = ok && put_bytes(p->frame, &n, cap, &mono_tag, 1) &&
         put_varint(p->frame, &n, cap, (uint64_t)p->mono_ns);
  }
  if (p->seq != 0) {
    ok = ok && put_bytes(p->frame, &n, cap, &seq_tag, 1) && put_varint(p->frame, &n, cap, p->seq);
  }
  ok = ok && put_bytes(p->frame, &n, cap, p->values, p->values_len);
  if (p->producer[0] != '\0') {
    ok = ok && put_len(p->frame, &n, cap, 0x22, p->producer, strlen(p->producer));
  }
  if (!ok) return fail(EMSGSIZE);
  p->frame_len = n;
  return 0;
}

int fleetclip_send(fleetclip_publisher* p) {
  int attempt;
  if (fleetclip_encode(p) != 0) return -1;
  for (attempt = 0; attempt < 2; ++attempt) {
    if (p->fd >= 0 && send(p->fd, p->frame, p->frame_len, 0) == (ssize_t)p->frame_len) return 0;
    if (p->fd >= 0 && errno == EINTR) {
      --attempt;
      continue;
    }
    if (p->fd >= 0 && errno != ECONNREFUSED && errno != ENOTCONN) return -1;
    /* The daemon restarted (a new socket at the same path): reconnect once. */
    fleetclip_close(p);
    if (connect_socket(p) != 0) return -1;
  }
  return -1;
}

"""Publish vehicle signals to fleetclipd from Python, with no protobuf package.

A producer (a CAN gateway, the autonomy stack, a model) sends one SignalFrame per datagram to the
daemon's Unix datagram socket (signals.socket_path, default /run/fleetclip/signals.sock). This
module encodes SignalFrame (proto/signal_frame.proto) on the protobuf wire itself, byte for byte
as libprotobuf would. The contract, the signal catalogue and the units are in docs/signals.md.

    pub = Publisher("/run/fleetclip/signals.sock", producer="autonomy")
    pub.send({"speed": 12.5, "autonomy_engaged": True, "disengage_reason": "driver_steer"})

Values: bool -> flag, int or float -> number (SI units, finite), str -> text (at most 64 bytes
of UTF-8). Names are [a-z0-9_.]{1,64}. A bad name or value raises ValueError before anything is
sent. Times are CLOCK_MONOTONIC ns (time.monotonic_ns() on Linux), the daemon's clock; by default
the time of the send call. Sequence numbers count up from 1 per publisher, so the daemon counts
lost frames. Not thread-safe: one Publisher per thread.
"""

import math
import re
import socket
import struct
import time

MAX_FRAME_BYTES = 8192  # the daemon's default signals.max_datagram_bytes
MAX_TEXT_BYTES = 64
_NAME = re.compile(r"[a-z0-9_.]{1,64}\Z")


def _varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _len_field(tag, payload):
    return bytes([tag]) + _varint(len(payload)) + payload


def _check_name(name, what="signal name"):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("%s %r is not [a-z0-9_.]{1,64}" % (what, name))


def encode_value(name, value):
    """One SignalValue: field 1 name, then 2 number (fixed64), 3 flag (varint) or 4 text."""
    _check_name(name)
    out = _len_field(0x0A, name.encode())
    if isinstance(value, bool):
        return out + b"\x18" + (b"\x01" if value else b"\x00")
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("signal %r: %r is not a finite number" % (name, value))
        return out + b"\x11" + struct.pack("<d", number)
    if isinstance(value, str):
        text = value.encode()
        if len(text) > MAX_TEXT_BYTES:
            raise ValueError("signal %r: text is %d bytes; at most %d" % (name, len(text), MAX_TEXT_BYTES))
        return out + _len_field(0x22, text)
    raise ValueError("signal %r: %r is not a bool, number or str" % (name, value))


def encode_frame(values, mono_ns, seq, producer=""):
    """A SignalFrame: 1 mono_ns, 2 seq, 3 values, 4 producer, in field order (zeros left out)."""
    out = bytearray()
    if mono_ns:
        out += b"\x08" + _varint(mono_ns)
    if seq:
        out += b"\x10" + _varint(seq)
    for name, value in values.items():
        out += _len_field(0x1A, encode_value(name, value))
    if producer:
        out += _len_field(0x22, producer.encode())
    if len(out) > MAX_FRAME_BYTES:
        raise ValueError("frame is %d bytes; at most %d" % (len(out), MAX_FRAME_BYTES))
    return bytes(out)


class Publisher:
    """Sends frames to the signal socket at `path` as `producer` ("" for an unnamed producer)."""

    def __init__(self, path, producer=""):
        if producer:
            _check_name(producer, "producer")
        self.path = path
        self.producer = producer
        self.seq = 0
        self._sock = None
        self._connect()

    def _connect(self):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.connect(self.path)

    def send(self, values, mono_ns=None):
        """Sends one frame of `values` ({name: value}) sampled at mono_ns (default: now).

        A full socket queue blocks (the daemon is behind); after a daemon restart the socket is
        reconnected once."""
        frame = encode_frame(values, mono_ns or time.monotonic_ns(), self.seq + 1, self.producer)
        self.seq += 1
        try:
            self._sock.send(frame)
        except (ConnectionRefusedError, FileNotFoundError, OSError):
            self._sock.close()
            self._connect()
            self._sock.send(frame)

    def close(self):
        self._sock.close()

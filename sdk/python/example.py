"""Publishes speed and autonomy state at 100 Hz: example.py SOCKET [FRAMES] (default 1000)."""
import sys
import time

from fleetclip_signals import Publisher

pub = Publisher(sys.argv[1], producer="model")
frames = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
next_ns = time.monotonic_ns()
for i in range(frames):
    time.sleep(max(0, next_ns - time.monotonic_ns()) / 1e9)
    pub.send({"speed": 0.1 * i, "autonomy_engaged": (i // 50) % 2 == 0})  # m/s
    next_ns += 10_000_000  # every 10 ms

#!/usr/bin/env bash
# make test-arm64, last step: the cross-built fleetclipd and fleetclip doing their main job under
# qemu-user on this amd64 machine (DESIGN.md §13). Every binary run here is the arm64 one:
#   1. fleetclipd --check accepts a config with one lavfi camera (and refuses the shipped
#      placeholder config with exit 78, as on amd64);
#   2. fleetclipd runs on that camera, a 20 s drive with one disengagement (made by the arm64
#      fleetclip_drive_gen) is replayed into its signal socket by the arm64 `fleetclip replay`,
#      and the disengagement becomes a clip that is committed and uploaded to a file:// target;
#   3. SIGTERM stops the daemon with exit 0.
# Each wait is bounded (qemu runs x264 about 5-10x slower than native; the camera is small).
# Usage: test-arm64-daemon.sh ARM64_BUILD_DIR [EMULATOR]   (EMULATOR default: qemu-aarch64-static)
set -euo pipefail

build=$(cd "$1" && pwd)
emu=${2:-qemu-aarch64-static}
src=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAIL: $*"; [ -f "${work:-}/fleetclipd.log" ] && tail -30 "$work/fleetclipd.log"; exit 1; }

command -v "$emu" >/dev/null || { echo "SKIP: $emu not installed (scripts/install-deps-arm64)"; exit 77; }
fleetclipd=$build/daemon/fleetclipd
fleetclip=$build/cli/fleetclip
drive_gen=$build/tests/support/fleetclip_drive_gen
for b in "$fleetclipd" "$fleetclip" "$drive_gen"; do
  file -L "$b" | grep -q 'ARM aarch64' || fail "$b is not an arm64 binary: $(file -L "$b")"
done
d() { "$emu" "$fleetclipd" "$@"; }
c() { "$emu" "$fleetclip" "$@"; }

work=$(mktemp -d /tmp/fleetclip-arm64.XXXXXX)
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then kill -KILL "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/fleetclip.conf" <<EOF
vehicle_id: "arm64-car"
fleet_id: "arm64-fleet"
state_dir: "$work/state"
runtime_dir: "$work/run"
metrics_file: "$work/metrics.prom"
cameras {
  name: "front"
  url: "testsrc2=size=320x240:rate=10"
  input_format: "lavfi"
  encoder_options { key: "preset" value: "ultrafast" }
  bitrate_bps: 500000
  ring_duration_ms: 30000
  ring_max_bytes: 16777216
}
signals { history_ms: 60000 }
storage { quota_bytes: 268435456 min_free_bytes: 16777216 min_free_percent: 1 }
upload { url: "file://$work/uploaded" }
upload_policy {
  allowed_links: [LINK_WIFI, LINK_ETHERNET, LINK_CELLULAR]
  allow_metered: true
  window_start: "00:00"
  window_end: "00:00"
  require_parked: false
}
rules { name: "disengagement" priority: 70 pre_roll_ms: 4000 post_roll_ms: 3000 }
EOF

# 1. --check.
out=$(timeout 60 "$emu" "$fleetclipd" --check --config "$work/fleetclip.conf" 2>&1) ||
  fail "fleetclipd --check refused the test config: $out"
echo "ok: arm64 fleetclipd --check accepts the test config"
rc=0; out=$(timeout 60 "$emu" "$fleetclipd" --check --config "$src/packaging/fleetclip.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] || fail "fleetclipd --check on the shipped placeholder config exited $rc, not 78: $out"
echo "ok: arm64 fleetclipd --check refuses the shipped placeholders (exit 78)"

# 2. A run: camera up, drive replayed, one clip committed and uploaded.
"$emu" "$drive_gen" --out "$work/drive.bin" --labels "$work/labels.txt" --seed 7 --seconds 20 \
  --no-faults --script disengagement@8 >/dev/null || fail "fleetclip_drive_gen failed"
"$emu" "$fleetclipd" --config "$work/fleetclip.conf" >"$work/fleetclipd.log" 2>&1 &
daemon=$!
ready=0
for _ in $(seq 1 120); do  # up to 60 s for recovery, the encoder and the signal socket
  kill -0 "$daemon" 2>/dev/null || fail "fleetclipd exited during start-up"
  if [ -S "$work/run/signals.sock" ] && c status --config "$work/fleetclip.conf" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.5
done
[ $ready -eq 1 ] || fail "fleetclipd not answering status after 60 s"
echo "ok: arm64 fleetclipd is running (status answers)"

start=$(date +%s)
timeout 120 "$emu" "$fleetclip" replay "$work/drive.bin" --socket "$work/run/signals.sock" >/dev/null ||
  fail "fleetclip replay failed"
echo "ok: the 20 s drive was replayed in $(($(date +%s) - start)) s"

uploaded=0
for _ in $(seq 1 60); do  # up to 60 s for the post-roll, the commit and the upload
  uploaded=$(c list --config "$work/fleetclip.conf" --state uploaded --json | grep -c '"id"' || true)
  [ "$uploaded" -ge 1 ] && break
  kill -0 "$daemon" 2>/dev/null || fail "fleetclipd exited while the clip was being cut"
  sleep 1
done
[ "$uploaded" -ge 1 ] || {
  c list --config "$work/fleetclip.conf" || true
  fail "no uploaded clip 60 s after the drive"
}
mp4=$(find "$work/uploaded" -name 'front.mp4' | head -1)
[ -n "$mp4" ] && [ -s "$mp4" ] || fail "no front.mp4 under the upload target"
if command -v ffprobe >/dev/null; then
  codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$mp4")
  [ "$codec" = h264 ] || fail "the uploaded front.mp4 is not H.264 (ffprobe: '$codec')"
fi
echo "ok: the disengagement became $uploaded uploaded clip(s) with an H.264 front.mp4"

# 3. Orderly stop.
kill -TERM "$daemon"
rc=0
for _ in $(seq 1 60); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.5; done
kill -0 "$daemon" 2>/dev/null && fail "fleetclipd still running 30 s after SIGTERM"
wait "$daemon" || rc=$?
daemon=""
[ $rc -eq 0 ] || fail "fleetclipd exited $rc after SIGTERM, not 0"
echo "ok: arm64 fleetclipd stopped on SIGTERM with exit 0"
echo "PASS: arm64 fleetclipd under $emu"

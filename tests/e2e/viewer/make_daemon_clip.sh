#!/usr/bin/env bash
# The viewer tests' clip, made the way a car makes one: fleetclipd with three synthetic cameras
# (lavfi -> libx264, 10 fps), a drive with one harsh brake at 13 s replayed into its signal socket,
# harsh_braking cutting 12 s before and 8 s after (a 20 s clip), committed to the queue. The car
# never parks, so the clip stays `ready` with its files (an upload would remove them). Leaves
# OUT/state (queue.db + clips/<id>/) and OUT/clip_id. Takes about 30 s.
#   make_daemon_clip.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

camera() {  # name, lavfi source
  cat <<CAM
cameras {
  name: "$1"
  url: "$2=size=320x240:rate=10"
  input_format: "lavfi"
  encoder_options { key: "preset" value: "ultrafast" }
  bitrate_bps: 400000
  ring_duration_ms: 30000
}
CAM
}
{
  cat <<CONF
vehicle_id: "viewer-car"
fleet_id: "viewer-fleet"
state_dir: "$out/state"
runtime_dir: "$out/run"
metrics_file: "$out/metrics.prom"
signals { history_ms: 60000 }
storage { quota_bytes: 1073741824 min_free_bytes: 1048576 min_free_percent: 0.1 }
upload { url: "file://$out/uploaded" }
upload_policy {
  allowed_links: [LINK_WIFI, LINK_ETHERNET, LINK_CELLULAR]
  allow_metered: true
  window_start: "00:00"
  window_end: "00:00"
  require_parked: true
}
rules { name: "harsh_braking" priority: 60 pre_roll_ms: 12000 post_roll_ms: 8000 cooldown_ms: 60000 }
CONF
  camera front testsrc2
  camera left smptebars
  camera right mandelbrot
} >"$out/fleetclip.conf"
config="$out/fleetclip.conf"

"$build/tests/support/fleetclip_drive_gen" --out "$out/drive.bin" --labels "$out/labels.txt" \
  --seed 5 --seconds 23 --script harsh_braking@13 --no-faults >/dev/null

"$build/daemon/fleetclipd" --config "$config" >"$out/fleetclipd.log" 2>&1 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do  # up to 10 s for the control socket
  "$build/cli/fleetclip" status --config "$config" >/dev/null 2>&1 && break
  kill -0 "$daemon" 2>/dev/null || { cat "$out/fleetclipd.log" >&2; exit 1; }
  sleep 0.1
done
"$build/cli/fleetclip" replay "$out/drive.bin" --socket "$out/run/signals.sock" >/dev/null
for _ in $(seq 1 30); do  # at most 30 s for the commit
  id=$("$build/cli/fleetclip" list --config "$config" --state ready --json |
    sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -1)
  [ -n "$id" ] && break
  sleep 1
done
kill -TERM "$daemon"
wait "$daemon" || true
trap - EXIT
if [ -z "${id:-}" ]; then
  echo "make_daemon_clip: no clip was committed; log: $out/fleetclipd.log" >&2
  tail -20 "$out/fleetclipd.log" >&2
  exit 1
fi
echo "$id" >"$out/clip_id"
echo "$id"

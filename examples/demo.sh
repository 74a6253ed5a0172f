#!/usr/bin/env bash
# make demo: fleetclipd's main job on an embedded default. Three synthetic cameras (lavfi), the
# bundled drive (one disengagement, one harsh brake, one steering jerk, plus a brake spike, brisk
# steering and engagement chatter that must not fire) replayed into the signal socket, clips
# written to the SQLite queue and uploaded to a local file:// target once the car parks at the end
# of the drive. Takes about a minute and a half; prints `fleetclip list`, then writes the HTML report
# of each uploaded clip (from its uploaded copy) and prints the path to open.
#   examples/demo.sh BUILD_DIR OUT_DIR
set -euo pipefail

build=${1:-build}
out=${2:-out/demo}
fleetclipd="$build/daemon/fleetclipd"
fleetclip="$build/cli/fleetclip"
drive_gen="$build/tests/support/fleetclip_drive_gen"

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
sed "s#@DEMO@#$out#g" "$(dirname "$0")/demo.conf.in" >"$out/fleetclip.conf"
config="$out/fleetclip.conf"

# The bundled drive: 62 s at 100 Hz, generated the same way every time (fixed seed and script).
"$drive_gen" --out "$out/drive.bin" --labels "$out/drive-labels.txt" --seed 7 --seconds 62 \
  --script disengagement@10,brake_spike@17,harsh_braking@24,brisk_steering@31,steering_jerk@38 \
  --park-at 40 >/dev/null

echo "== starting fleetclipd (log: $out/fleetclipd.log)"
"$fleetclipd" --config "$config" >"$out/fleetclipd.log" 2>&1 &
daemon=$!
cleanup() { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 100); do  # up to 10 s for recovery and the first camera packets
  "$fleetclip" status --config "$config" >/dev/null 2>&1 && break
  kill -0 "$daemon" 2>/dev/null || { cat "$out/fleetclipd.log"; exit 1; }
  sleep 0.1
done
"$fleetclip" status --config "$config"

echo
echo "== replaying the bundled drive into $out/run/signals.sock (62 s, real time)"
"$fleetclip" replay "$out/drive.bin" --socket "$out/run/signals.sock"

echo
echo "== waiting for the car to park and the three clips to upload"
uploaded=0
for _ in $(seq 1 60); do  # at most 60 s
  uploaded=$("$fleetclip" list --config "$config" --state uploaded --json | grep -c '"id"' || true)
  [ "$uploaded" -ge 3 ] && break
  sleep 1
done
"$fleetclip" status --config "$config"
kill -TERM "$daemon"
wait "$daemon" || true
trap - EXIT

echo
echo "== fleetclip list"
"$fleetclip" list --config "$config"
echo
if [ "$uploaded" -lt 3 ]; then
  echo "demo: only $uploaded of 3 clips were uploaded; see $out/fleetclipd.log" >&2
  exit 1
fi
echo "== uploaded objects (file:// target $out/uploaded)"
(cd "$out/uploaded" && find . -type f | sort | sed 's#^\./#  #')
echo
echo "== reports (fleetclip report on each uploaded clip's folder)"
reports=()
while IFS= read -r manifest; do
  clip_dir=$(dirname "$manifest")
  "$fleetclip" report "$clip_dir" >/dev/null
  reports+=("$(dirname "$clip_dir")/$(basename "$clip_dir").html")
  echo "  ${reports[-1]}"
done < <(find "$out/uploaded" -name manifest.pb | sort)
echo
echo "Open a report: file://${reports[0]}   (any browser; videos, signal plots, events, manifest)"
echo "Details:       $fleetclip show <clip-id> --config $config   (rows stay in the queue after upload)"
echo "Metrics:       $out/metrics.prom"

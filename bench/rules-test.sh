#!/usr/bin/env bash
# rules-test: frames/s of `fleetclip rules test` (the whole signal path offline: ingest with the
# reorder window, history, the 3 built-in rules, scheduler) over a synthetic 20-minute 100 Hz drive
# file with faults (120 000 frames), against bench/drive_read_bench, which only reads the same file
# and parses each frame with libprotobuf. Both are separate processes, alternating, RUNS times;
# medians. Two figures each: frames/s as timed inside the process (rules test: its JSON
# frames_per_s; the peer: its own loop), and frames/s over the whole process (start-up, config,
# output included). The ratio compares the inside figures.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$BENCH_DATA"
drive="$BENCH_DATA/drive-1200s.bin"
if [ ! -s "$drive" ]; then
  "$BUILD_DIR/tests/support/fleetclip_drive_gen" --out "$drive" --labels "$BENCH_DATA/drive-1200s.labels" \
    --seconds 1200 --seed 7 >&2
fi
cat "$drive" >/dev/null  # page cache, for both sides alike
ours=() peer=() ours_proc=() peer_proc=()
for run in $(seq "$RUNS"); do
  t0=$(now)
  json=$("$BUILD_DIR/cli/fleetclip" rules test --drive "$drive" --json)
  s=$(since "$t0")
  frames=$(sed 's/.*"frames":\([0-9]*\).*/\1/' <<<"$json")
  ours+=("$(sed 's/.*"frames_per_s":\([0-9.]*\).*/\1/' <<<"$json")")
  ours_proc+=("$(awk -v n="$frames" -v s="$s" 'BEGIN {printf "%.0f", n / s}')")
  t0=$(now)
  line=$("$BUILD_DIR/bench/drive_read_bench" "$drive")
  s=$(since "$t0")
  peer+=("$(field fps "$line")")
  peer_proc+=("$(awk -v n="$(field frames "$line")" -v s="$s" 'BEGIN {printf "%.0f", n / s}')")
  echo "run $run: rules-test=${ours[-1]} frames/s (process ${ours_proc[-1]})" \
    "read-only=${peer[-1]} frames/s (process ${peer_proc[-1]}); $frames frames" >&2
done
o=$(median "${ours[@]}") p=$(median "${peer[@]}")
echo "median: rules-test=$o read-only=$p frames/s; whole process: rules-test=$(median "${ours_proc[@]}")" \
  "read-only=$(median "${peer_proc[@]}") frames/s" >&2
echo "RESULT rules-test frames_per_s=$o peer=$p ratio=$(ratio "$o" "$p")"

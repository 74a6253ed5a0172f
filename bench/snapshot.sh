#!/usr/bin/env bash
# snapshot: 8 cameras x 40 s window cut from full 60 s rings into durable MP4s (mux, fsync, rename,
# fsync dir), against `dd conv=fsync` writing the same number of bytes to the same file system.
# Metric: seconds. Goal: ratio <= 1.5.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mapfile -t files < <(camera_files 64)
out="$BENCH_DATA/snapshot-out"
ours=() peer=()
for run in $(seq "$RUNS"); do
  rm -rf "$out" && mkdir -p "$out" && sync
  line=$("$BUILD_DIR/bench/video_bench" snapshot "$out" "${files[@]}")
  bytes=$(field clip_bytes "$line")
  ours+=("$(field seconds "$line")")
  rm -rf "$out" && mkdir -p "$out" && sync
  t0=$(now)
  dd if=/dev/zero of="$out/dd.bin" bs=1M count=$((bytes / 1048576)) conv=fsync status=none
  peer+=("$(since "$t0")")
  echo "run $run: ours=${ours[-1]} s dd=${peer[-1]} s bytes=$bytes" >&2
done
rm -rf "$out"
o=$(median "${ours[@]}") p=$(median "${peer[@]}")
echo "RESULT snapshot seconds=$o peer=$p ratio=$(ratio "$o" "$p")"

#!/usr/bin/env bash
# ingest: packets from 8 H.264 1080p30 ~8 Mbps files through CameraSource and PacketRing, as fast as
# possible, against `ffmpeg -i FILE -c copy -f null -` on the same files; both sides read all eight
# files concurrently. Metric: MB/s of file bytes. Goal: ratio >= 0.9.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mapfile -t files < <(camera_files 64)
total=$(stat -c %s "${files[@]}" | awk '{s+=$1} END {print s}')
ours=() peer=()
for run in $(seq "$RUNS"); do
  line=$("$BUILD_DIR/bench/video_bench" ingest "${files[@]}")
  ours+=("$(awk -v b="$total" -v s="$(field seconds "$line")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  t0=$(now)
  for f in "${files[@]}"; do ffmpeg -nostdin -v error -i "$f" -c copy -f null - & done
  wait
  peer+=("$(awk -v b="$total" -v s="$(since "$t0")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  echo "run $run: ours=${ours[-1]} MB/s ffmpeg=${peer[-1]} MB/s" >&2
done
o=$(median "${ours[@]}") p=$(median "${peer[@]}")
echo "RESULT ingest mb_per_s=$o peer=$p ratio=$(ratio "$o" "$p")"

#!/usr/bin/env bash
# ring-memory: peak RSS of a process holding 8 x 60 s rings of 1080p30 ~8 Mbps H.264, against the
# payload bytes it holds. Metric: MiB. Goal: RSS <= 1.1 x payload + 48 MiB (reported as budget_ok).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mapfile -t files < <(camera_files 64)
rss=() payload=()
for run in $(seq "$RUNS"); do
  line=$("$BUILD_DIR/bench/video_bench" ring-memory "${files[@]}")
  rss+=("$(awk -v b="$(field peak_rss_bytes "$line")" 'BEGIN {printf "%.1f", b / 1048576}')")
  payload+=("$(awk -v b="$(field payload_bytes "$line")" 'BEGIN {printf "%.1f", b / 1048576}')")
  echo "run $run: rss=${rss[-1]} MiB payload=${payload[-1]} MiB held>=$(field min_ring_seconds "$line") s" >&2
done
r=$(median "${rss[@]}") p=$(median "${payload[@]}")
budget=$(awk -v p="$p" 'BEGIN {printf "%.1f", 1.1 * p + 48}')
echo "budget: 1.1 x payload + 48 MiB = $budget MiB; ours $r MiB; budget_ok=$(awk -v r="$r" -v b="$budget" 'BEGIN {print (r <= b) ? "yes" : "no"}')" >&2
echo "RESULT ring-memory rss_mib=$r peer=$p ratio=$(ratio "$r" "$p")"

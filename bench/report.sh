#!/usr/bin/env bash
# report: `fleetclip report` on a 60 s clip of eight 1080p30 8 Mbit/s cameras (about 480 MB of MP4)
# with a 100 Hz signal log, against `sha256sum` of the same files — the floor of any report that
# verifies every file, which ours does. Metric: wall seconds per report (ratio = ours/sha256sum),
# and the HTML's size without --embed. Goals (issue 15): under 1 s and under 2 MiB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mapfile -t cams < <(camera_files 60)
clip="$BENCH_DATA/report-clip"
"$BUILD_DIR/bench/report_clip_gen" "$clip" 60 "${cams[@]}" >&2
cat "$clip"/* >/dev/null  # warm the page cache for both sides alike
ours=() peer=()
for run in $(seq "$RUNS"); do
  t0=$(now)
  "$BUILD_DIR/cli/fleetclip" report "$clip" --out "$BENCH_DATA/report.html" >/dev/null
  ours+=("$(since "$t0")")
  t0=$(now)
  sha256sum "$clip"/*.mp4 "$clip/signals.pb.zst" >/dev/null
  peer+=("$(since "$t0")")
  echo "run $run: report ${ours[-1]} s, sha256sum ${peer[-1]} s" >&2
done
html=$(stat -c %s "$BENCH_DATA/report.html")
o=$(median "${ours[@]}") p=$(median "${peer[@]}")
echo "median: report $o s (goal < 1 s), sha256sum $p s; HTML $html bytes (goal < 2097152)" >&2
echo "RESULT report seconds=$o peer=$p ratio=$(ratio "$o" "$p") html_bytes=$html"

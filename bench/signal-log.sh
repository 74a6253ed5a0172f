#!/usr/bin/env bash
# signal-log: a clip's signal log (columnar, quantised to 6 decimals, zstd -3 with checksum) against
# the same frames stored row-wise (length-delimited SignalFrames) compressed by `zstd -3`, on a
# 10-minute 100 Hz drive with 40 signals per frame. Metric: compressed bytes (ratio = ours/zstd);
# speed: input MB/s of our encoder (row-wise bytes / encode time) beside `zstd -3`'s.
# Goals: size ratio <= 0.6 at >= 100 MB/s of input.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rows="$BENCH_DATA/signal-rows.pb"
ours=() peer=() our_speed=() peer_speed=()
for run in $(seq "$RUNS"); do
  line=$("$BUILD_DIR/bench/signal_log_bench" "$rows" --repeat 3)
  input=$(field input_bytes "$line")
  ours+=("$(field encoded_bytes "$line")")
  our_speed+=("$(awk -v b="$input" -v s="$(field encode_seconds "$line")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  t0=$(now)
  zstd -3 -q -f -o "$rows.zst" "$rows"
  peer_speed+=("$(awk -v b="$input" -v s="$(since "$t0")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  peer+=("$(stat -c %s "$rows.zst")")
  echo "run $run: ours=${ours[-1]} B at ${our_speed[-1]} MB/s zstd-3=${peer[-1]} B at ${peer_speed[-1]} MB/s (input $input B)" >&2
done
rm -f "$rows" "$rows.zst"
o=$(median "${ours[@]}") p=$(median "${peer[@]}") os=$(median "${our_speed[@]}") ps=$(median "${peer_speed[@]}")
echo "median encode speed: ours $os MB/s of input, zstd -3 $ps MB/s (goal >= 100 MB/s)" >&2
echo "RESULT signal-log bytes=$o peer=$p ratio=$(ratio "$o" "$p")"

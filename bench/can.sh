#!/usr/bin/env bash
# can: frames/s reading a candump log of a 500-message DBC bus (2 000 000 frames: classic and CAN
# FD, standard and extended ids, Intel/Motorola, signed, float, value-table and multiplexed
# signals) and decoding every frame, against the peer: the same loop that only reads the log
# (candump lines parsed into frames, nothing decoded). Alternating, RUNS times, medians.
# Goals: decoding >= 2 000 000 frames/s, and its time per frame <= 3x the read-only loop's
# (ratio = ours/peer >= 0.333).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bin="$BUILD_DIR/bench/can_bench"
data="$BENCH_DATA/can"
if [ ! -s "$data/bus.log" ]; then
  echo "bench: making $data/bus.log (once)" >&2
  "$bin" gen "$data"
fi
cat "$data/bus.log" >/dev/null  # page cache warm for both sides alike
ours=() peer=()
for run in $(seq "$RUNS"); do
  o=$("$bin" decode "$data")
  p=$("$bin" read "$data")
  ours+=("$(field fps "$o")")
  peer+=("$(field fps "$p")")
  echo "run $run: decode=${ours[-1]} frames/s read-only=${peer[-1]} frames/s ($(field signals "$o") signals)" >&2
done
o=$(median "${ours[@]}") p=$(median "${peer[@]}")
echo "median: decode=$o read-only=$p frames/s; time per frame = $(ratio "$p" "$o")x the read-only loop (goal <= 3)" >&2
echo "RESULT can frames_per_s=$o peer=$p ratio=$(ratio "$o" "$p")"

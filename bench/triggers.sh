#!/usr/bin/env bash
# triggers: frames/s through the signal path (decode + validate + SignalHistory + RuleEngine +
# TriggerScheduler) with the 3 presets + 50 custom rules over 40 signals, single thread, against
# a baseline loop that only decodes the same datagrams. Both run on the same 20-minute 100 Hz drive
# (120 000 frames), alternating, RUNS times; medians reported. Goals: >= 500 000 frames/s, and the
# engine's time per frame <= 3x the decode-only baseline's (ratio = ours/peer >= 0.333).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bin="$BUILD_DIR/bench/triggers_bench"
# The peer is libprotobuf's parse into a reused SignalFrame: the canonical way to decode the frames.
# Also shown, not compared: our own decode + validation alone (triggers/wire_decoder.h), so the
# cost of history + rules + scheduler on top of our decoder is visible too.
ours=() peer=() own=()
for run in $(seq "$RUNS"); do
  o=$("$bin" engine 2>/dev/null)
  p=$("$bin" baseline 2>/dev/null)
  i=$("$bin" ingest 2>/dev/null)
  ours+=("$(field fps "$o")")
  peer+=("$(field fps "$p")")
  own+=("$(field fps "$i")")
  echo "run $run: engine=${ours[-1]} frames/s decode-only(libprotobuf)=${peer[-1]} frames/s decode-only(ours)=${own[-1]} frames/s" >&2
done
o=$(median "${ours[@]}") p=$(median "${peer[@]}") i=$(median "${own[@]}")
echo "median: engine=$o decode-only(libprotobuf)=$p decode-only(ours)=$i frames/s" >&2
echo "time per frame: engine = $(ratio "$p" "$o")x libprotobuf decode-only (goal <= 3)," \
  "$(ratio "$i" "$o")x our own decode-only" >&2
echo "RESULT triggers frames_per_s=$o peer=$p ratio=$(ratio "$o" "$p")"

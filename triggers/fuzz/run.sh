#!/usr/bin/env bash
# Builds the libFuzzer harnesses in their own clang build and runs each for SECONDS (default 60).
# Seeds come from the presets and a few frames; findings land in BUILD/crashes/. Skips (exit 0)
# when clang++ is not installed, so `make test` works on machines without it.
#   triggers/fuzz/run.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
build=${2:-build-fuzz}
jobs=${JOBS:-$(nproc)}
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; skipping the libFuzzer harnesses" >&2
  exit 0
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DFLEETCLIP_FUZZ=ON -DFLEETCLIP_SANITIZE=fuzzer-no-link,address,undefined \
  -DFLEETCLIP_BUILD_BENCH=OFF -DFLEETCLIP_WERROR=ON -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$build" -j "$jobs" --target triggers_expr_fuzz triggers_datagram_fuzz
mkdir -p "$build/corpus/expr" "$build/corpus/datagram" "$build/crashes"
printf '%s' 'max(accel_long, 300ms) <= -3.5 and speed > 2.8' >"$build/corpus/expr/harsh_braking"
printf '%s' 'fell(autonomy_engaged for 2s)' >"$build/corpus/expr/disengagement"
printf '%s' '(min(abs(rate(steering_angle)), 100ms) >= 300 or abs(rate(mean(accel_lat, 500ms))) >= 5 for 100ms) and speed > 8' \
  >"$build/corpus/expr/steering_jerk"
# A SignalFrame: mono_ns=1000, seq=1, speed=12.5 (number), autonomy_engaged=true (flag).
printf '\x08\xe8\x07\x10\x01\x1a\x10\x0a\x05speed\x11\x00\x00\x00\x00\x00\x00\x29\x40\x1a\x14\x0a\x10autonomy_engaged\x18\x01' \
  >"$build/corpus/datagram/frame"
for name in expr datagram; do
  echo "fuzz: triggers_${name}_fuzz for ${seconds}s" >&2
  "$build/triggers/fuzz/triggers_${name}_fuzz" -max_total_time="$seconds" -max_len=1024 \
    -artifact_prefix="$build/crashes/${name}-" "$build/corpus/$name" 2>"$build/fuzz-$name.log" || {
    tail -30 "$build/fuzz-$name.log" >&2
    echo "fuzz: triggers_${name}_fuzz found a failure; input saved under $build/crashes/" >&2
    exit 1
  }
  grep -E '^Done [0-9]+ runs' "$build/fuzz-$name.log" >&2 || true
done

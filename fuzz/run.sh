#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ in their own clang build (ASan+UBSan, through ccache)
# and runs each for SECONDS (default 60), FUZZ_JOBS of them at a time (default 2). Seeds are made
# here (fuzz_seeds and a few literals); the corpus grows under BUILD/corpus/<name> from run to
# run, findings land in BUILD/crashes/. Prints one line per harness: runs, coverage, corpus size.
# Skips (exit 0) when clang++ is not installed, so `make test` works on machines without it.
#   fuzz/run.sh [SECONDS] [BUILD_DIR] [NAME...]      (NAME: expr datagram s3_xml manifest …)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${2:-build-fuzz}
shift $(($# < 2 ? $# : 2))
all=(expr datagram s3_xml manifest signal_log control_frame fleet_config dbc candump)
if [ $# -gt 0 ]; then names=("$@"); else names=("${all[@]}"); fi
parallel=${FUZZ_JOBS:-2}
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; skipping the libFuzzer harnesses" >&2
  exit 0
fi
# A build the Makefile configured for the fuzzers (its clang ASan build, `make test`/`make fuzz`)
# is used as it is; any other directory is configured here.
if ! grep -qs '^FLEETCLIP_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DFLEETCLIP_FUZZ=ON -DFLEETCLIP_SANITIZE=fuzzer-no-link,address,undefined \
    -DFLEETCLIP_BUILD_BENCH=OFF -DFLEETCLIP_WERROR=ON -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
targets=(fuzz_seeds)
for name in "${names[@]}"; do targets+=("fuzz_$name"); done
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${targets[@]}"

corpus="$build/corpus"
mkdir -p "$corpus/expr" "$corpus/datagram" "$build/crashes"
"$build/fuzz/fuzz_seeds" "$corpus"
printf '%s' 'max(accel_long, 300ms) <= -3.5 and speed > 2.8' >"$corpus/expr/harsh_braking"
printf '%s' 'fell(autonomy_engaged for 2s)' >"$corpus/expr/disengagement"
printf '%s' '(min(abs(rate(steering_angle)), 100ms) >= 300 or abs(rate(mean(accel_lat, 500ms))) >= 5 for 100ms) and speed > 8' \
  >"$corpus/expr/steering_jerk"
# A SignalFrame: mono_ns=1000, seq=1, speed=12.5 (number), autonomy_engaged=true (flag).
printf '\x08\xe8\x07\x10\x01\x1a\x10\x0a\x05speed\x11\x00\x00\x00\x00\x00\x00\x29\x40\x1a\x14\x0a\x10autonomy_engaged\x18\x01' \
  >"$corpus/datagram/frame"

max_len() {
  case $1 in
    expr | datagram) echo 1024 ;;
    *) echo 8192 ;;
  esac
}

# Runs one harness; its log is BUILD/fuzz-NAME.log, its status BUILD/fuzz-NAME.status.
run_one() {
  local name=$1 log="$build/fuzz-$1.log"
  local status=0
  "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" \
    "$corpus/$name" >"$log" 2>&1 || status=$?
  echo "$status" >"$build/fuzz-$name.status"
}

for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  echo "fuzz: fuzz_$name for ${seconds}s" >&2
  run_one "$name" &
done
wait

failed=0
for name in "${names[@]}"; do
  log="$build/fuzz-$name.log"
  if [ "$(cat "$build/fuzz-$name.status")" != 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: fuzz_$name found a failure; input saved under $build/crashes/" >&2
    failed=1
    continue
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  files=$(find "$corpus/$name" -type f | wc -l)
  bytes=$(du -sb "$corpus/$name" | cut -f1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  echo "fuzz: fuzz_$name: $runs runs in ${seconds}s, $cov, corpus $files inputs ($bytes bytes), peak rss ${rss} MB" >&2
done
exit "$failed"

#!/usr/bin/env bash
# realtime: what a car pays while it drives, not a burst. fleetclipd runs for SECONDS (default 120)
# with 8 cameras of 1080p30 H.264 at ~8 Mbit/s each, read at their frame rate (the daemon paces file
# inputs: CameraConfig.realtime), signals at 100 Hz from `fleetclip replay` of a generated drive, the
# three presets plus 50 custom rules, and one trigger a minute. Measured for the whole fleetclipd
# process: CPU (user+sys, % of one core), peak RSS (VmHWM) against its ring payload, and bytes written
# (the files it leaves in its state dir; /proc/PID/io write_bytes shown beside).
# Peer, same run, same files: the record-everything design of openpilot and Frigate,
# `ffmpeg -re -i FILE -c copy -f segment -segment_time 60` per camera into 60 s files.
# Goals: CPU <= 0.5x the peer's; bytes written <= 5% of the peer's; RSS <= 1.1 x ring + 48 MiB.
# Floor, same run, same files: `ffmpeg -re -i FILE -c copy -f null -` per camera, the peer with its
# muxing and writing taken away: what reading the inputs at their frame rate costs by itself.
# Second part: raw input encoded with libx264 ultrafast (2 cameras, lavfi 720p30) against
# `ffmpeg -re -f lavfi … -c:v libx264 -preset ultrafast -f segment`: CPU per encoded camera.
# Medians of REALTIME_RUNS runs (default 3; each run takes about 3 x SECONDS + 2 x ENC_SECONDS).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${REALTIME_RUNS:-3}
seconds=${SECONDS_PER_RUN:-120}
enc_seconds=${ENC_SECONDS:-60}
fleetclipd="$BUILD_DIR/daemon/fleetclipd"
fleetclip="$BUILD_DIR/cli/fleetclip"
drive_gen="$BUILD_DIR/tests/support/fleetclip_drive_gen"
hz=$(getconf CLK_TCK)
mapfile -t files < <(camera_files $((seconds + 15)))
work="$BENCH_DATA/realtime"

# The drive: 100 Hz, one planted event a minute (harsh braking, then a disengagement, …).
script=""
for ((t = 30, i = 0; t < seconds; t += 60, i++)); do
  kinds=(harsh_braking disengagement steering_jerk)
  script+="${script:+,}${kinds[i % 3]}@$t"
done
"$drive_gen" --out "$BENCH_DATA/realtime-drive.bin" --labels "$BENCH_DATA/realtime-drive.txt" \
  --seed 11 --seconds $((seconds + 10)) --no-faults --script "$script" >/dev/null

# cpu_ticks PID: utime+stime of a live process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# thread_ticks PID: "cam=T signals=T clip-writer=T uploader=T fleetclipd=T": utime+stime of the
# live threads by name (the daemon names them, docs/daemon.md; cam:NAME summed as cam).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "$(cut -d: -f1 <"$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{s[$1] += $2} END {for (k in s) printf "%s=%d ", k, s[k]}'
}
dir_bytes() { du -sb --apparent-size "$1" | cut -f1; }

write_config() {  # write_config DIR MODE (passthrough|encode)
  local dir=$1 mode=$2
  {
    echo "vehicle_id: \"bench-car\" fleet_id: \"bench-fleet\""
    echo "state_dir: \"$dir/state\" runtime_dir: \"$dir/run\""
    if [ "$mode" = passthrough ]; then
      for i in "${!files[@]}"; do
        echo "cameras { name: \"cam$i\" url: \"${files[$i]}\" ring_duration_ms: 35000 ring_max_bytes: 67108864 }"
      done
    else
      for i in 0 1; do
        echo "cameras { name: \"enc$i\" url: \"testsrc2=size=1280x720:rate=30\" input_format: \"lavfi\""
        echo "  encoder: \"libx264\" encoder_options { key: \"preset\" value: \"ultrafast\" }"
        echo "  bitrate_bps: 4000000 ring_duration_ms: 35000 ring_max_bytes: 67108864 }"
      done
    fi
    echo "signals { history_ms: 60000 }"
    echo "storage { quota_bytes: 21474836480 min_free_bytes: 104857600 min_free_percent: 1 }"
    # No upload during the run: the car is driving (never parked), so the policy holds every clip.
    echo "upload { url: \"file://$dir/uploaded\" }"
    echo "upload_policy { require_parked: true parked_after_ms: 600000 }"
    echo "rules { name: \"disengagement\" } rules { name: \"harsh_braking\" } rules { name: \"steering_jerk\" }"
    # 50 custom rules of the shapes fleets write (windows, rates, held conditions) that stay quiet
    # on this drive, so the trigger rate stays one a minute while every rule is evaluated each frame.
    for ((r = 0; r < 50; r++)); do
      case $((r % 5)) in
        0) e="accel_long < -9.$r for 300ms and speed > 2.8" ;;
        1) e="abs(rate(steering_angle)) > 90$r for 100ms and speed > 8" ;;
        2) e="max(abs(accel_lat), 500ms) > 9.$r" ;;
        3) e="mean(speed, 1s) > 6$r and throttle > 0.99" ;;
        4) e="speed > 7$r or abs(accel_long) > 2$r" ;;
      esac
      echo "rules { name: \"custom_$r\" expr: \"$e\" priority: 20 pre_roll_ms: 10000 post_roll_ms: 5000 }"
    done
  } >"$dir/fleetclip.conf"
}

# run_ours MODE SECS: prints "cpu_pct=… rss_mib=… ring_mib=… bytes=… io_write_bytes=… clips=…"
run_ours() {
  local mode=$1 secs=$2 dir="$work/ours-$1"
  rm -rf "$dir" && mkdir -p "$dir"
  write_config "$dir" "$mode"
  "$fleetclipd" --config "$dir/fleetclip.conf" 2>"$dir/fleetclipd.log" &
  local pid=$! t0
  t0=$(now)
  for _ in $(seq 100); do
    "$fleetclip" status --config "$dir/fleetclip.conf" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$fleetclip" replay "$BENCH_DATA/realtime-drive.bin" --socket "$dir/run/signals.sock" \
    >/dev/null 2>&1 &
  local replay=$!
  sleep "$(awk -v s="$secs" -v e="$(since "$t0")" 'BEGIN {print s - e}')"
  local ticks elapsed rss io ring
  local by_thread
  ticks=$(cpu_ticks "$pid") by_thread=$(thread_ticks "$pid") elapsed=$(since "$t0")
  rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  io=$(awk '/^write_bytes:/ {print $2}' "/proc/$pid/io")
  ring=$("$fleetclip" status --config "$dir/fleetclip.conf" --json |
    grep -o '"ring_bytes":"*[0-9]*' | grep -o '[0-9]*$' | awk '{s+=$1} END {print s}')
  kill "$replay" 2>/dev/null || true
  kill -TERM "$pid" && wait "$pid" || true
  wait "$replay" 2>/dev/null || true
  local clips
  clips=$(find "$dir/state/clips" -mindepth 1 -maxdepth 1 -not -name .tmp | wc -l)
  # CPU by thread: cameras, signal thread, clip writer, and the rest (main, uploader, threads
  # that ended before the sample: the clip writer's parallel muxers).
  awk -v t="$ticks" -v hz="$hz" -v e="$elapsed" -v rss="$rss" -v ring="$ring" \
    -v b="$(dir_bytes "$dir/state")" -v io="$io" -v c="$clips" -v th="$by_thread" 'BEGIN {
      n = split(th, kv, /[ =]+/)
      for (i = 1; i + 1 <= n; i += 2) part[kv[i]] = kv[i + 1]
      rest = t - part["cam"] - part["signals"] - part["clip-writer"]
      pct = 100 / hz / e
      printf "cpu_pct=%.1f rss_mib=%.1f ring_mib=%.1f bytes=%d io_write_bytes=%d clips=%d", \
        t * pct, rss / 1024, ring / 1048576, b, io, c
      printf " cpu_cameras=%.2f cpu_signals=%.2f cpu_clip_writer=%.2f cpu_rest=%.2f\n", \
        part["cam"] * pct, part["signals"] * pct, part["clip-writer"] * pct, rest * pct }'
}

# run_peer MODE SECS: prints "cpu_pct=… bytes=…"; CPU is the sum over its ffmpeg processes.
# MODE: passthrough (the peer), floor (the peer writing nothing) or encode.
run_peer() {
  local mode=$1 secs=$2 dir="$work/peer-$1" pids=() i
  rm -rf "$dir" && mkdir -p "$dir"
  if [ "$mode" = passthrough ] || [ "$mode" = floor ]; then
    for i in "${!files[@]}"; do
      local out=(-f segment -segment_time 60 -reset_timestamps 1 "$dir/cam$i-%03d.mp4")
      [ "$mode" = floor ] && out=(-f null -)
      /usr/bin/time -f "%U %S" -o "$dir/time$i" ffmpeg -nostdin -v error -re -i "${files[$i]}" \
        -t "$secs" -c copy "${out[@]}" &
      pids+=($!)
    done
  else
    for i in 0 1; do
      /usr/bin/time -f "%U %S" -o "$dir/time$i" ffmpeg -nostdin -v error -re -f lavfi \
        -i testsrc2=size=1280x720:rate=30 -t "$secs" -c:v libx264 -preset ultrafast -b:v 4M \
        -g 30 -f segment -segment_time 60 -reset_timestamps 1 "$dir/enc$i-%03d.mp4" &
      pids+=($!)
    done
  fi
  local t0
  t0=$(now)
  wait "${pids[@]}"
  local elapsed
  elapsed=$(since "$t0")
  cat "$dir"/time* | awk -v e="$elapsed" -v b="$(dir_bytes "$dir")" \
    '{c += $1 + $2} END {printf "cpu_pct=%.1f bytes=%d\n", 100 * c / e, b}'
}

cpu=() cams=() sigs=() writer=() rest=() pcpu=() fcpu=() rss=() ring=() bytes=() pbytes=() ecpu=() epcpu=()
for run in $(seq "$runs"); do
  o=$(run_ours passthrough "$seconds") p=$(run_peer passthrough "$seconds")
  f=$(run_peer floor "$seconds")
  eo=$(run_ours encode "$enc_seconds") ep=$(run_peer encode "$enc_seconds")
  echo "run $run: ours $o | peer $p | floor $f | encode ours $eo | encode peer $ep" >&2
  cpu+=("$(field cpu_pct "$o")") pcpu+=("$(field cpu_pct "$p")") fcpu+=("$(field cpu_pct "$f")")
  cams+=("$(field cpu_cameras "$o")") sigs+=("$(field cpu_signals "$o")")
  writer+=("$(field cpu_clip_writer "$o")") rest+=("$(field cpu_rest "$o")")
  rss+=("$(field rss_mib "$o")") ring+=("$(field ring_mib "$o")")
  bytes+=("$(field bytes "$o")") pbytes+=("$(field bytes "$p")")
  ecpu+=("$(field cpu_pct "$eo")") epcpu+=("$(field cpu_pct "$ep")")
done
c=$(median "${cpu[@]}") pc=$(median "${pcpu[@]}") fc=$(median "${fcpu[@]}")
b=$(median "${bytes[@]}") pb=$(median "${pbytes[@]}")
r=$(median "${rss[@]}") g=$(median "${ring[@]}")
ec=$(median "${ecpu[@]}") epc=$(median "${epcpu[@]}")
budget=$(awk -v g="$g" 'BEGIN {printf "%.1f", 1.1 * g + 48}')
echo "cpu by thread (medians, % of a core): cameras $(median "${cams[@]}"), signals $(median "${sigs[@]}"), clip writer $(median "${writer[@]}"), rest $(median "${rest[@]}")" >&2
echo "cpu: ours ${c}%, peer ${pc}%, floor (the peer writing nothing) ${fc}%: ours/floor $(ratio "$c" "$fc"), peer/floor $(ratio "$pc" "$fc")" >&2
echo "rss: median peak ${r} MiB for ${g} MiB of ring payload; budget 1.1 x ring + 48 MiB = ${budget} MiB" >&2
echo "bytes written: ours ${b}, peer ${pb} (ratio $(ratio "$b" "$pb"); goal <= 0.05)" >&2
echo "encode (2 x 720p30 libx264 ultrafast): ours $(awk -v c="$ec" 'BEGIN {printf "%.1f", c / 2}')% of a core per camera, peer $(awk -v c="$epc" 'BEGIN {printf "%.1f", c / 2}')% (ratio $(ratio "$ec" "$epc"))" >&2
echo "RESULT realtime cpu_pct=$c peer=$pc ratio=$(ratio "$c" "$pc") floor=$fc floor_ratio=$(ratio "$c" "$fc") bytes_ratio=$(ratio "$b" "$pb") rss_mib=$r rss_budget_mib=$budget encode_cpu_per_camera_pct=$(awk -v c="$ec" 'BEGIN {printf "%.1f", c / 2}') encode_ratio=$(ratio "$ec" "$epc")"

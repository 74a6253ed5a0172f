# Shared helpers for bench/*.sh (sourced). BUILD_DIR and BENCH_DATA come from bench/run.

RUNS=${RUNS:-5}

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# value of key in a "k=v k=v" line
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# ratio a/b with 3 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# now in seconds with ns precision; since T0: seconds elapsed since T0
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN {printf "%.4f", a - b}'; }

# Eight H.264 1080p30 files of about 8 Mbps, each SECONDS long, made once and kept in BENCH_DATA.
# The source is noisy test video so the encoder really spends its bit rate, as a camera would.
camera_files() {
  local seconds=$1
  local master="$BENCH_DATA/cam-1080p30-8mbps-${seconds}s.mp4" files=()
  if [ ! -s "$master" ]; then
    echo "bench: making $master (once)" >&2
    ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$seconds" \
      -vf "noise=alls=12:allf=t" -pix_fmt yuv420p -c:v libx264 -preset ultrafast -g 30 -bf 0 \
      -b:v 8M -maxrate 8M -bufsize 8M "$master.tmp.mp4" && mv "$master.tmp.mp4" "$master"
  fi
  for i in 0 1 2 3 4 5 6 7; do
    local f="$BENCH_DATA/cam$i-${seconds}s.mp4"
    [ -s "$f" ] || cp "$master" "$f"
    files+=("$f")
  done
  cat "${files[@]}" >/dev/null  # warm the page cache for both sides alike
  printf '%s\n' "${files[@]}"
}

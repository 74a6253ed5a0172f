#!/usr/bin/env bash
# CTest packaging_syscall_filter: fleetclipd.service allows only
# SystemCallFilter=@system-service minus @privileged and @resources, refusing the rest with EPERM.
# This shows what fleetclipd's libraries do under that, with no systemd needed: the groups are
# expanded with `systemd-analyze syscall-filter` (the same tables systemd uses), mapped to this
# architecture's numbers with the C preprocessor, and fleetclip_sandbox_exec --syscalls installs
# them as an allow list, together with the MemoryDenyWriteExecute and RestrictAddressFamilies
# filters: the three seccomp lines of the unit at once.
#   1. the filter is effective: chroot (in @privileged) is refused even for root;
#   2. libx264 encodes through the ffmpeg CLI;
#   3. fleetclip --help runs; if fleetclipd is wired (has --check), it runs for a few seconds
#      on a synthetic lavfi camera in a temporary directory, becomes ready, writes its metrics
#      and stops cleanly on SIGTERM.
# Usage: test-syscall-filter.sh FLEETCLIP_SANDBOX_EXEC FLEETCLIPD FLEETCLIP
set -euo pipefail
export LC_ALL=C  # sort, comm and join must agree on the order
sandbox=$1
fleetclipd=$2
fleetclip=$3
fail() { echo "FAIL: $*"; exit 1; }

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
command -v cpp >/dev/null || { echo "SKIP: cpp (the C preprocessor) not installed"; exit 77; }

# Names in a group, nested groups expanded.
expand() {
  local line
  while read -r line; do
    case $line in
      '#'* | '') ;;
      @*) expand "$line" ;;
      *) echo "$line" ;;
    esac
  done < <(timeout 30 systemd-analyze syscall-filter --no-pager "$1" | tail -n +2)
}
allowed=$(comm -23 <(expand @system-service | sort -u) <( { expand @privileged; expand @resources; } | sort -u))
# name -> number on this architecture; names of other architectures drop out.
numbers=$(echo '#include <sys/syscall.h>' | cpp -dM |
          sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$/\1 \2/p' | sort -k1,1 |
          join - <(echo "$allowed") | awk '{ print $2 }' | paste -sd,)
[ -n "$numbers" ] || fail "no system call numbers for @system-service"
# The allow list last: it refuses prctl and seccomp, which install the others.
filters=(--mdwe --families --syscalls "$numbers")
echo "allow list: $(tr ',' '\n' <<<"$numbers" | wc -l) system calls"

# 1. Effective.
rc=0; "$sandbox" "${filters[@]}" -- true || rc=$?
[ $rc -eq 3 ] && { echo "SKIP: seccomp filters cannot be installed here"; exit 77; }
[ $rc -eq 0 ] || fail "true under the filters exited $rc"
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null; then
  chroot / true || fail "chroot / true fails even without the filter"
  if "$sandbox" "${filters[@]}" -- chroot / true 2>/dev/null; then
    fail "chroot (@privileged) was not refused: the filter is not effective"
  fi
  echo "ok: chroot (@privileged) refused under the filter"
fi

# 2. libx264.
if command -v ffmpeg >/dev/null; then
  timeout 120 "$sandbox" "${filters[@]}" -- ffmpeg -hide_banner -loglevel error -nostdin -f lavfi \
    -i testsrc2=size=640x352:rate=30 -t 1 -vf format=yuyv422,scale=1280:704:flags=bilinear \
    -c:v libx264 -preset ultrafast -threads 2 -f mp4 -y /dev/null || fail "libx264 under the filters"
  echo "ok: libx264 encodes under the filters"
fi

# 3. Our binaries.
timeout 30 "$sandbox" "${filters[@]}" -- "$fleetclip" --help >/dev/null || fail "fleetclip --help under the filters"
echo "ok: fleetclip --help under the filters"
usage=$(timeout 30 "$fleetclipd" --help 2>&1 || true)
if ! grep -q -- '--check' <<<"$usage"; then
  echo "note: fleetclipd is not wired yet; not run"
  exit 0
fi
tmp=$(mktemp -d)
daemon_pid=
trap '[ -z "$daemon_pid" ] || kill -KILL "$daemon_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir "$tmp/state" "$tmp/run" "$tmp/up"
cat >"$tmp/fleetclip.conf" <<CONF
vehicle_id: "sandbox-test"
fleet_id: "test"
state_dir: "$tmp/state"
runtime_dir: "$tmp/run"
metrics_file: "$tmp/run/fleetclip.prom"
cameras {
  name: "front"
  url: "testsrc2=size=640x360:rate=30"
  input_format: "lavfi"
  encoder_options { key: "preset" value: "ultrafast" }
}
upload { url: "file://$tmp/up" }
CONF
"$sandbox" "${filters[@]}" -- "$fleetclipd" --config "$tmp/fleetclip.conf" >"$tmp/log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do
  [ -s "$tmp/run/fleetclip.prom" ] && grep -q 'event=camera_opened' "$tmp/log" && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done
sleep 2  # some seconds of capture and encoding under the filters
kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/log"; fail "fleetclipd died under the filters"; }
kill -TERM "$daemon_pid"
rc=0
for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon_pid" 2>/dev/null; then
  kill -KILL "$daemon_pid"
  cat "$tmp/log"; fail "fleetclipd did not stop within 30 s of SIGTERM under the filters"
fi
wait "$daemon_pid" || rc=$?
daemon_pid=
[ $rc -eq 0 ] || { cat "$tmp/log"; fail "fleetclipd exited $rc after SIGTERM under the filters"; }
grep -q 'event=ready' "$tmp/log" || { cat "$tmp/log"; fail "fleetclipd never became ready"; }
[ -s "$tmp/run/fleetclip.prom" ] || { cat "$tmp/log"; fail "no metrics file written"; }
if grep -q 'Operation not permitted' "$tmp/log"; then
  cat "$tmp/log"; fail "fleetclipd logged EPERM under the filters"
fi
echo "ok: fleetclipd ran a lavfi camera under the filters, became ready, wrote metrics, stopped with 0"

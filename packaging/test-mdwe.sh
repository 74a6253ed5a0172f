#!/usr/bin/env bash
# CTest packaging_mdwe_x264: fleetclipd.service sets MemoryDenyWriteExecute=yes; this shows that
# the libraries fleetclipd uses for video still work under it, with no systemd needed:
# fleetclip_sandbox_exec --mdwe installs the same seccomp filter systemd 252 does for that line.
#   1. the filter is real: W+X memory is refused in a child, and FFmpeg's one run-time code
#      generator (swscale's x86 "fast_bilinear" scaler) fails under it;
#   2. libx264 encodes (ultrafast and medium presets, 2 threads) and libswscale converts with
#      the bilinear scaler codec/transcoder.cc uses, through the ffmpeg CLI, which loads the same
#      libavcodec/libx264/libswscale as fleetclipd;
#   3. our own binaries start under it (every shared library they load maps fine);
#   4. no shared library of ffmpeg, fleetclipd or fleetclip needs text relocations (those would
#      need writable code pages at load time).
# Usage: test-mdwe.sh FLEETCLIP_SANDBOX_EXEC FLEETCLIPD FLEETCLIP
set -euo pipefail
sandbox=$1
fleetclipd=$2
fleetclip=$3

command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg not installed"; exit 77; }
encoders=$(timeout 30 ffmpeg -hide_banner -encoders 2>/dev/null || true)
grep -q libx264 <<<"$encoders" || { echo "SKIP: ffmpeg lacks libx264"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

# 1. The filter is installed and inherited across exec, and the check itself can fail.
if "$sandbox" --check 2>/dev/null; then fail "--check passes without the filter; it proves nothing"; fi
rc=0; "$sandbox" --mdwe -- "$sandbox" --check || rc=$?
[ $rc -eq 3 ] && { echo "SKIP: seccomp filters cannot be installed here"; exit 77; }
[ $rc -eq 0 ] || fail "W+X memory is not refused under the filter (exit $rc)"
src=(-hide_banner -loglevel error -nostdin -f lavfi -i testsrc2=size=640x352:rate=30 -t 1)
if timeout 60 "$sandbox" --mdwe -- ffmpeg "${src[@]}" -vf format=yuyv422,scale=1280:704:flags=fast_bilinear \
     -f null - 2>/dev/null; then
  fail "swscale's fast_bilinear code generator ran under the filter; the filter is not effective"
fi
echo "ok: filter active; swscale fast_bilinear (run-time generated code) is refused as expected"

# 2. libx264 and the bilinear scaler under the filter.
for preset in ultrafast medium; do
  timeout 120 "$sandbox" --mdwe -- ffmpeg "${src[@]}" -vf format=yuyv422,scale=1280:704:flags=bilinear,format=yuv420p \
    -c:v libx264 -preset "$preset" -threads 2 -g 30 -f mp4 -y /dev/null \
    || fail "libx264 preset $preset under MemoryDenyWriteExecute's filter"
  echo "ok: libx264 -preset $preset encodes under the filter"
done

# 3. Our binaries load and run under it.
timeout 30 "$sandbox" --mdwe -- "$fleetclip" --help >/dev/null || fail "fleetclip --help under the filter"
rc=0; timeout 30 "$sandbox" --mdwe -- "$fleetclipd" --help >/dev/null 2>&1 || rc=$?
# fleetclipd may not know --help yet; a crash (signal) or a failed load (127) is what counts.
[ $rc -lt 127 ] || fail "fleetclipd --help under the filter exited $rc"
echo "ok: fleetclip and fleetclipd start under the filter"

# 4. No text relocations anywhere in what they load.
libs=$(for b in "$(command -v ffmpeg)" "$fleetclipd" "$fleetclip"; do ldd "$b"; done |
       awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
for lib in $libs; do
  if readelf -d "$lib" 2>/dev/null | grep -q TEXTREL; then fail "$lib has text relocations"; fi
done
echo "ok: $(wc -w <<<"$libs") shared libraries, none with text relocations"

#!/usr/bin/env bash
# CTest packaging_lintian: the package this build makes passes Debian's own checks. Builds it with
# CPack into a private directory and runs lint-packages.sh on it: no lintian error, and no warning
# that packaging/README.md does not accept with a reason. (make lint-packages does the same for
# the amd64 and the arm64 package.) Skips (77) without lintian or cpack. No network.
# Usage: test-lintian.sh BUILD_DIR
set -euo pipefail
build_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
for tool in lintian cpack; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 300 cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$tmp" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; echo "FAIL: cpack -G DEB failed"; exit 1; }
deb=$(find "$tmp" -maxdepth 1 -name 'fleetclip_*.deb' | head -n1)
[ -n "$deb" ] || { cat "$tmp/cpack.log"; echo "FAIL: cpack wrote no fleetclip_*.deb"; exit 1; }
timeout 300 "$here/lint-packages.sh" "$deb"

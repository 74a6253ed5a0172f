#!/usr/bin/env bash
# CTest fixture of the viewer tests: the pinned npm packages (package-lock.json, `npm ci`) next to
# copies of the .mjs checks in OUT/node, and a clip written by fleetclipd (make_daemon_clip.sh) in
# OUT/clip.
#   setup.sh BUILD_DIR OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
out=$2
mkdir -p "$out/node"
cp "$here/package.json" "$here/package-lock.json" "$here"/*.mjs "$out/node/"
(cd "$out/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
"$here/make_daemon_clip.sh" "$build" "$out/clip"

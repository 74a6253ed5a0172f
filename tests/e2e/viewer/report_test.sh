#!/usr/bin/env bash
# `fleetclip report ID` on the fixture's daemon clip (the id in the queue, videos referenced beside
# the page), opened in headless Chromium by report_check.mjs. The screenshot stays in
# E2E_DIR/report/report.png as the test's artefact.
#   report_test.sh BUILD_DIR E2E_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
e2e=$2
id=$(cat "$e2e/clip/clip_id")
rm -rf "$e2e/report"
mkdir -p "$e2e/report"
"$build/cli/fleetclip" report "$id" --state-dir "$e2e/clip/state" --out "$e2e/report/$id.html"
node "$e2e/node/report_check.mjs" "$e2e/report/$id.html" "$e2e/clip/state/clips/$id" \
  "$here/../../../proto" "$e2e/report/report.png"

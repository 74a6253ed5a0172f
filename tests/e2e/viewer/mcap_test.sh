#!/usr/bin/env bash
# `fleetclip export ID DIR --format mcap` on the fixture's daemon clip, read back by the official
# MCAP reader (mcap_check.mjs: records, CRCs, summary, indexes, counts, ffmpeg decode).
#   mcap_test.sh BUILD_DIR E2E_DIR
set -euo pipefail
build=$1
e2e=$2
id=$(cat "$e2e/clip/clip_id")
rm -rf "$e2e/mcap"
"$build/cli/fleetclip" export "$id" "$e2e/mcap" --format mcap --state-dir "$e2e/clip/state"
node "$e2e/node/mcap_check.mjs" "$e2e/clip/state/clips/$id" "$e2e/mcap/$id.mcap" "$build/cli/fleetclip"

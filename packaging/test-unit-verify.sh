#!/usr/bin/env bash
# CTest packaging_unit_verify: `systemd-analyze verify` accepts fleetclipd.service with no
# warning at all. verify insists that ExecStart='s binary exists; the unit names /usr/bin/fleetclipd,
# which is only there once the package is installed, so this checks a copy (same file name, in a
# temporary directory) whose ExecStart points at the freshly built binary. Every other line is
# checked as shipped. verify prints unknown keys and unparsable values as warnings yet exits 0,
# so any output counts as a failure.
# Usage: test-unit-verify.sh UNIT_FILE FLEETCLIPD_BINARY
set -euo pipefail
unit=$1
binary=$2

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
[ -x "$binary" ] || { echo "FAIL: built daemon $binary is missing"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -q '^ExecStart=/usr/bin/fleetclipd ' "$unit" || { echo "FAIL: $unit: ExecStart is not /usr/bin/fleetclipd"; exit 1; }
sed "s|^ExecStart=/usr/bin/fleetclipd |ExecStart=$binary |" "$unit" > "$tmp/fleetclipd.service"

set +e
out=$(timeout 60 systemd-analyze verify --man=no "$tmp/fleetclipd.service" 2>&1)
rc=$?
set -e
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify $unit (ExecStart rewritten to $binary) exited $rc:"
  echo "$out"
  exit 1
fi
echo "OK: systemd-analyze verify: no errors, no warnings"

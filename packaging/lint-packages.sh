#!/usr/bin/env bash
# make lint-packages: Debian's own checks (lintian, Debian 12) on the fleetclip packages.
# Fails on any lintian error, and on any warning not accepted in packaging/README.md
# ("lintian" section: one `tag` per row of its table, each with the reason it stays).
# Usage: lint-packages.sh DEB...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: lint-packages.sh DEB..." >&2; exit 2; }
command -v lintian >/dev/null || { echo "lint-packages: lintian not installed (scripts/install-deps)" >&2; exit 1; }

# The accepted warnings: the first column of the table under "### Accepted lintian warnings".
accepted=$(sed -n '/^### Accepted lintian warnings/,/^#/p' "$here/README.md" |
           sed -n 's/^| `\([a-z0-9-]*\)` |.*/\1/p' | sort -u)

status=0
for deb in "$@"; do
  [ -f "$deb" ] || { echo "lint-packages: no such package: $deb" >&2; exit 1; }
  # E: error, W: warning; I: (info) and the rest are shown but never fail.
  out=$(lintian --tag-display-limit 0 --display-info "$deb" 2>&1 | grep -v "^running with root privileges") || true
  errors=$(grep -c '^E: ' <<<"$out" || true)
  unaccepted=$(grep '^W: ' <<<"$out" | awk '{ print $3 }' | sort -u | comm -23 - <(echo "$accepted") || true)
  echo "== $(basename "$deb"): $errors error(s), $(grep -c '^W: ' <<<"$out" || true) warning(s)"
  [ -n "$out" ] && sed 's/^/   /' <<<"$out"
  if [ "$errors" -ne 0 ]; then
    echo "FAIL: lintian reports errors on $deb"
    status=1
  fi
  if [ -n "$unaccepted" ]; then
    echo "FAIL: warnings not accepted in packaging/README.md: $(paste -sd' ' <<<"$unaccepted")"
    status=1
  fi
done
[ $status -eq 0 ] && echo "PASS: lintian: no errors, every warning accepted in packaging/README.md"
exit $status

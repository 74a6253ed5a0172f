#!/usr/bin/env bash
# CTest packaging_address_families: fleetclipd.service allows only AF_UNIX, AF_INET and AF_INET6
# sockets (RestrictAddressFamilies=), no AF_NETLINK. This shows what that costs, with no systemd
# needed: fleetclip_sandbox_exec --families installs the seccomp filter systemd 252 uses for that
# line (socket() of another family fails with EAFNOSUPPORT).
#   1. glibc's getaddrinfo does try a netlink socket (to sort several addresses; under
#      --families-kill that attempt kills it) and, refused, still returns the same addresses;
#   2. libcurl and OpenSSL (the uploader's transport) fetch from a local HTTP server under this
#      filter and the MemoryDenyWriteExecute one (via the curl CLI, which loads the same libcurl);
#   3. our binaries start under it.
# No network beyond 127.0.0.1. Usage: test-address-families.sh FLEETCLIP_SANDBOX_EXEC FLEETCLIP
set -euo pipefail
sandbox=$1
fleetclip=$2
fail() { echo "FAIL: $*"; exit 1; }

rc=0; "$sandbox" --families -- true || rc=$?
[ $rc -eq 3 ] && { echo "SKIP: seccomp filters cannot be installed here"; exit 77; }
[ $rc -eq 0 ] || fail "true under the filter exited $rc"

# 1. Name resolution without netlink.
want=$(timeout 30 getent ahosts localhost) || fail "getent ahosts localhost (no filter)"
rc=0; timeout 30 "$sandbox" --families-kill -- getent ahosts localhost >/dev/null 2>&1 || rc=$?
if [ $rc -eq $((128 + 31)) ]; then
  echo "ok: getaddrinfo tries a non-INET socket (netlink) for localhost: the fallback below is exercised"
else
  echo "note: getaddrinfo did not try another socket family here (exit $rc)"
fi
got=$(timeout 30 "$sandbox" --families -- getent ahosts localhost) || fail "getent ahosts localhost under the filter"
[ "$got" = "$want" ] || fail "getaddrinfo answers differently without netlink:"$'\n'"$got"$'\n'"vs"$'\n'"$want"
echo "ok: getaddrinfo gives the same answer without netlink"

# 2. libcurl to a local server.
if command -v python3 >/dev/null && command -v curl >/dev/null; then
  tmp=$(mktemp -d)
  server_pid=
  trap '[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
  head -c 100000 /dev/urandom >"$tmp/blob"
  (cd "$tmp" && exec timeout 120 python3 -u -m http.server --bind 127.0.0.1 0 >"$tmp/server.log" 2>&1) &
  server_pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$tmp/server.log" | head -n1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "local HTTP server did not start: $(cat "$tmp/server.log")"
  timeout 30 "$sandbox" --families --mdwe -- curl -fsS --max-time 20 -o "$tmp/got" "http://127.0.0.1:$port/blob" ||
    fail "curl under the filters"
  cmp -s "$tmp/blob" "$tmp/got" || fail "curl under the filters fetched different bytes"
  echo "ok: libcurl fetches over AF_INET under the address-family and W^X filters"
else
  echo "note: python3 or curl missing; libcurl not exercised"
fi

# 3. Our binaries.
timeout 30 "$sandbox" --families -- "$fleetclip" --help >/dev/null || fail "fleetclip --help under the filter"
echo "ok: fleetclip starts under the filter"

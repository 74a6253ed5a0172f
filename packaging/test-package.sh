#!/usr/bin/env bash
# CTest packaging_deb: builds the Debian package from BUILD_DIR with CPack, installs it with
# dpkg, checks what it put where (binaries run, user fleetclip in group video, unit, snippets,
# conffile, directories and modes, the installed unit verifies), then removes it (clip queue and
# conffile kept, unit masked) and purges it (nothing of ours left but the fleetclip user, which
# Debian practice keeps). It changes the machine, so it leaves it as it found it: a trap purges
# the package and deletes the user and group if this test created them, even on failure.
# It refuses to touch a machine that already has fleetclip installed or its directories present.
# Skips (77) when not root or without dpkg/cpack. No network. Bounded: every step has a timeout.
# Usage: test-package.sh BUILD_DIR
set -euo pipefail
build_dir=$1

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root to install a package (dpkg -i)"
for tool in dpkg dpkg-deb dpkg-query cpack systemd-sysusers flock; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
# One package round trip per machine at a time (several build trees may run this test at once).
exec 9>/run/lock/fleetclip-package-test.lock
flock -w 600 9 || fail "another packaging_deb run held /run/lock/fleetclip-package-test.lock for 10 min"
[ -f "$build_dir/CPackConfig.cmake" ] || fail "$build_dir/CPackConfig.cmake is missing; configure first"
# "installed", "config-files", ...; "not-installed" also when dpkg never heard of it.
pkg_status() { dpkg-query -W -f='${db:Status-Status}' fleetclip 2>/dev/null || echo not-installed; }
[ "$(pkg_status)" = not-installed ] ||
  skip "package fleetclip is already on this machine ($(pkg_status)); not touching it"
for d in /etc/fleetclip /var/lib/fleetclip /run/fleetclip /run/fleetclip-metrics; do
  [ ! -e "$d" ] || skip "$d exists although fleetclip is not installed; not risking its contents"
done

user_existed=no; getent passwd fleetclip >/dev/null && user_existed=yes
group_existed=no; getent group fleetclip >/dev/null && group_existed=yes
tmp=$(mktemp -d)
cleanup() {
  local rc=$?
  set +e
  if [ "$(pkg_status)" != not-installed ]; then
    echo "cleanup: purging fleetclip"
    timeout 120 dpkg --purge fleetclip >/dev/null 2>&1 ||
      timeout 120 dpkg --purge --force-remove-reinstreq fleetclip >/dev/null 2>&1
  fi
  [ $user_existed = yes ] || ! getent passwd fleetclip >/dev/null || userdel fleetclip
  [ $group_existed = yes ] || ! getent group fleetclip >/dev/null || groupdel fleetclip
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# dpkg waits for nobody: retry while another dpkg/apt (e.g. scripts/install-deps) holds its lock.
run_dpkg() {
  local out
  for _ in $(seq 60); do
    if out=$(timeout 120 dpkg "$@" 2>&1); then echo "$out"; return 0; fi
    grep -q 'lock' <<<"$out" || { echo "$out"; return 1; }
    sleep 2
  done
  echo "$out"; return 1
}

# 1. Build the package into a private directory.
echo "== cpack -G DEB"
timeout 300 cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(find "$tmp/pkg" -maxdepth 1 -name 'fleetclip_*.deb' | head -n1)
[ -n "$deb" ] || { cat "$tmp/cpack.log"; fail "cpack wrote no fleetclip_*.deb"; }
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
depends=$(dpkg-deb -f "$deb" Depends)
# libc6 and libavformat come from dpkg-shlibdeps; libavdevice, which fleetclipd loads with dlopen
# for capture devices (codec/media_init.h), is named by packaging/CMakeLists.txt.
for dep in libc6 libsqlite3 libavformat libavdevice systemd init-system-helpers; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep (dpkg-shlibdeps?): $depends"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/fleetclip/fleetclip.conf <<<"$conffiles" || fail "/etc/fleetclip/fleetclip.conf is not a conffile"
ours=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|' | grep -v '/$')
echo "$ours"

# 2. Install.
echo "== dpkg -i"
run_dpkg -i "$deb" || fail "dpkg -i $(basename "$deb")"
for f in /usr/bin/fleetclipd /usr/bin/fleetclip; do [ -x "$f" ] || fail "$f is not installed"; done
for f in /lib/systemd/system/fleetclipd.service /usr/lib/sysusers.d/fleetclip.conf \
         /usr/lib/tmpfiles.d/fleetclip.conf /usr/lib/modules-load.d/fleetclip.conf \
         /etc/fleetclip/fleetclip.conf /usr/share/doc/fleetclip/README.md \
         /usr/share/doc/fleetclip/copyright /usr/share/doc/fleetclip/changelog.gz \
         /usr/share/man/man8/fleetclipd.8.gz /usr/share/man/man1/fleetclip.1.gz; do
  [ -f "$f" ] || fail "$f is not installed"
done
timeout 30 /usr/bin/fleetclip --help >/dev/null || fail "fleetclip --help exited $?"
rc=0; timeout 30 /usr/bin/fleetclipd --help >/dev/null 2>&1 || rc=$?
# Until fleetclipd knows --help, any orderly exit shows it loads; 126/127 or a signal would not.
[ $rc -lt 126 ] || fail "fleetclipd --help exited $rc (does not load or crashed)"
echo "ok: binaries run (fleetclip --help: 0, fleetclipd --help: $rc)"

getent passwd fleetclip >/dev/null || fail "user fleetclip was not created"
[ "$(id -gn fleetclip)" = fleetclip ] || fail "fleetclip's primary group is $(id -gn fleetclip)"
groups=$(id -nG fleetclip)
grep -qw video <<<"$groups" || fail "fleetclip is not in group video: $(id -nG fleetclip)"
mode_owner() { stat -c '%a %U:%G' "$1"; }
[ "$(mode_owner /var/lib/fleetclip)" = "750 fleetclip:fleetclip" ] ||
  fail "/var/lib/fleetclip is $(mode_owner /var/lib/fleetclip), want 750 fleetclip:fleetclip"
[ "$(mode_owner /run/fleetclip-metrics)" = "755 fleetclip:fleetclip" ] ||
  fail "/run/fleetclip-metrics is $(mode_owner /run/fleetclip-metrics), want 755 fleetclip:fleetclip"
[ -L /etc/systemd/system/multi-user.target.wants/fleetclipd.service ] || fail "fleetclipd.service was not enabled"
if command -v systemd-analyze >/dev/null; then
  out=$(timeout 60 systemd-analyze verify --man=no /lib/systemd/system/fleetclipd.service 2>&1) ||
    fail "installed unit does not verify: $out"
  [ -z "$out" ] || fail "installed unit verifies with warnings: $out"
fi
echo "ok: user fleetclip (groups: $(id -nG fleetclip)), files, directories, enabled unit, verify"

# Reinstalling runs the maintainer scripts' upgrade path; an administrator's edit of the conffile
# must survive it (dpkg keeps a locally changed conffile the package did not change), and so must
# the user.
echo '# local edit by test-package.sh' >>/etc/fleetclip/fleetclip.conf
uid=$(id -u fleetclip)
echo "== dpkg -i (again: upgrade path)"
run_dpkg -i "$deb" </dev/null || fail "reinstalling $(basename "$deb")"
grep -q '^# local edit by test-package.sh$' /etc/fleetclip/fleetclip.conf || fail "reinstall lost the edited conffile"
[ "$(id -u fleetclip)" = "$uid" ] || fail "reinstall changed fleetclip's uid"
[ -L /etc/systemd/system/multi-user.target.wants/fleetclipd.service ] || fail "reinstall disabled the unit"
echo "ok: reinstall kept the edited conffile, the user and the enable link"

# What a running daemon would leave behind, to see what remove and purge do with it.
install -o fleetclip -g fleetclip -m 0640 /dev/null /var/lib/fleetclip/queue.db

# 3. Remove: programs go, the queue and the edited config stay, the unit is masked.
echo "== dpkg -r"
run_dpkg -r fleetclip || fail "dpkg -r fleetclip"
for f in /usr/bin/fleetclipd /usr/bin/fleetclip /lib/systemd/system/fleetclipd.service; do
  [ ! -e "$f" ] || fail "$f is still there after dpkg -r"
done
[ -f /etc/fleetclip/fleetclip.conf ] || fail "dpkg -r removed the conffile (only purge should)"
[ -f /var/lib/fleetclip/queue.db ] || fail "dpkg -r removed the clip queue (only purge should)"
echo "ok: removed; kept /etc/fleetclip/fleetclip.conf and /var/lib/fleetclip"

# 4. Purge: nothing of ours is left but the user.
echo "== dpkg -P"
run_dpkg -P fleetclip || fail "dpkg -P fleetclip"
[ "$(pkg_status)" = not-installed ] || fail "package state after purge: $(pkg_status)"
for f in $ours /etc/fleetclip /var/lib/fleetclip /run/fleetclip /run/fleetclip-metrics \
         /etc/systemd/system/fleetclipd.service /etc/systemd/system/multi-user.target.wants/fleetclipd.service; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is still there after dpkg -P"
done
if grep -rqs fleetclipd /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked; then
  fail "deb-systemd-helper still has state for fleetclipd.service"
fi
getent passwd fleetclip >/dev/null || fail "purge deleted user fleetclip (policy: keep it)"
echo "ok: purged; left only user fleetclip (kept by policy; this test deletes it if it made it)"
echo "PASS"

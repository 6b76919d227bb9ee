#!/usr/bin/env bash
# Check: the systemd units (deploy/systemd/) as make install puts them on a
# Debian 12 system are clean and keep their promises.
#   - systemd-analyze verify, on a root made of the cached Debian 12 chroot
#     (tests/tools/deb_root.sh: systemd, cage and the libraries are there)
#     with make install's files added: no message at all;
#   - the hub: its own user, ProtectSystem=strict, only its StateDirectory
#     writable, PrivateTmp, NoNewPrivileges, LimitCORE=0, and
#     `systemd-analyze security --offline` exposure at most 2.0;
#   - the kiosk: Type=notify with a WatchdogSec, accepted from cage's child
#     (NotifyAccess=all), its own user, LimitCORE=0, NoNewPrivileges;
#   - the fleet updater: a path unit on the kiosk's request starting a
#     oneshot (never enabled on its own) that runs the installed script;
#   - a unit with a typo is refused by the same verify (the check can fail).
# Needs root (the chroot's files) and, the first time, the Debian mirror.
# check-timeout: 1200
# Usage (from anywhere): tests/checks/systemd_units.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start systemd_units "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

base=$BUILD/deb/base-root
if [[ ! -f $base/.deps ]]; then
    # The chroot's dependencies come from the packages: build them first.
    make -s --no-print-directory BUILD="$BUILD" deb >"$tmp/make.log" 2>&1 || { tail -20 "$tmp/make.log"; exit 1; }
    base=$(tests/tools/deb_root.sh "$BUILD" "$BUILD"/deb/{xfl-kiosk,xfl-hub,kioskctl}_*.deb) || exit 1
fi
r=$tmp/root
# Hard links: instant, and make install only adds files the base lacks.
cp -al "$base" "$r"
if ! make -s --no-print-directory BUILD="$BUILD" DESTDIR="$r" PREFIX=/usr UNITDIR=/lib/systemd/system install \
        >"$tmp/make.log" 2>&1; then
    tail -20 "$tmp/make.log"
    echo "systemd_units: make install failed"
    exit 1
fi

units=(xfl-hub.service xfl-kiosk.service xfl-kiosk-update.path xfl-kiosk-update.service)
if ! systemd-analyze verify --man=no --root="$r" "${units[@]}" >"$tmp/verify.log" 2>&1 || [[ -s $tmp/verify.log ]]; then
    cat "$tmp/verify.log"
    fail "systemd-analyze verify"
fi

has() {   # UNIT KEY=VALUE...
    local u=$r/lib/systemd/system/$1 kv
    shift
    for kv in "$@"; do grep -qx "$kv" "$u" || fail "$(basename "$u"): no $kv"; done
}
has xfl-hub.service User=xfl-hub ProtectSystem=strict StateDirectory=xfl-hub PrivateTmp=yes NoNewPrivileges=yes \
    LimitCORE=0 ProtectHome=yes UMask=0077 'ExecStart=/usr/bin/xfl-hub --config /etc/xfl-hub/hub.ini'
grep -q '^ReadWritePaths=' "$r/lib/systemd/system/xfl-hub.service" && fail "xfl-hub.service: writable paths besides its state"
has xfl-kiosk.service Type=notify NotifyAccess=all User=xfl-kiosk LimitCORE=0 NoNewPrivileges=yes PrivateTmp=yes \
    StateDirectory=xfl-kiosk UMask=0077 Restart=always
grep -q '^WatchdogSec=[1-9]' "$r/lib/systemd/system/xfl-kiosk.service" || fail "xfl-kiosk.service: no watchdog"
# The fleet updater: started by its path unit when the kiosk asks, a oneshot.
has xfl-kiosk-update.path PathExists=/var/lib/xfl-kiosk/update/request Unit=xfl-kiosk-update.service
has xfl-kiosk-update.service Type=oneshot ExecStart=/usr/libexec/xfl-kiosk/update LimitCORE=0 PrivateTmp=yes
[[ -x $r/usr/libexec/xfl-kiosk/update ]] || fail "no /usr/libexec/xfl-kiosk/update"
grep -q '^\[Install\]' "$r/lib/systemd/system/xfl-kiosk-update.service" && fail "xfl-kiosk-update.service is enabled on its own"

if ! systemd-analyze security --offline=yes --root="$r" --threshold=20 xfl-hub.service >"$tmp/sec.log" 2>&1; then
    tail -5 "$tmp/sec.log"
    fail "xfl-hub.service: exposure above 2.0"
fi
grep -o 'Overall exposure level for xfl-hub.service: [0-9.]*' "$tmp/sec.log"

# The same verify refuses a broken unit.
sed 's/^WatchdogSec=.*/WatchdogSec=soon/; s|^ExecStart=/usr/bin/cage|ExecStart=/usr/bin/cagee|' \
    "$r/lib/systemd/system/xfl-kiosk.service" >"$r/etc/systemd/system/xfl-kiosk-broken.service"
systemd-analyze verify --man=no --root="$r" xfl-kiosk-broken.service >"$tmp/broken.log" 2>&1
grep -q 'cagee' "$tmp/broken.log" && grep -q 'soon' "$tmp/broken.log" || fail "verify did not catch a broken unit"

if ((failures)); then
    echo "systemd_units: $failures failure(s)"
    exit 1
fi
echo "systemd_units: ok (verify clean, sandbox and watchdog settings, hub exposure within 2.0)"

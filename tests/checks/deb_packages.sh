#!/usr/bin/env bash
# Check: make deb builds xfl-kiosk, xfl-hub and kioskctl right, and they
# install, upgrade, remove and purge cleanly on a plain Debian 12 system.
#   - contents (dpkg-deb -c): programs in /usr/bin, data in /usr/share, units
#     in /lib/systemd/system, configuration in /etc marked as conffiles;
#     dependencies from dpkg-shlibdeps plus the declared ones (cage, fonts,
#     adduser); the shipped programs pass hardening-check; no lintian error
#     or warning left (debian/*.lintian-overrides explain the rest);
#   - in a chroot of Debian 12 (tests/tools/deb_root.sh: debootstrap, made
#     once; never this machine's root): dpkg -i creates the users, the state
#     directories 0700, the configuration 0640 root:service, enables the
#     units, which systemd-analyze verify finds clean there; the installed
#     hub, run as xfl-hub, makes its database and key 0600; the installed
#     kiosk, run headless as xfl-kiosk, shows a first frame with its data
#     and font and makes its database and outbox key 0600; an upgrade to a
#     newer version keeps an edited conffile and the state; remove keeps
#     configuration and state, purge removes both and the overrides.
# Needs root (chroot) and, the first time, the Debian mirror (debootstrap).
# The first run builds the packages and the chroot (minutes); later runs
# rebuild only what changed.
# check-timeout: 1200
# Usage (from anywhere): tests/checks/deb_packages.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
# shellcheck source=tests/tools/deb_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/deb_lib.sh"
check_start deb_packages "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
if [[ $(id -u) -ne 0 ]]; then
    echo "deb_packages: needs root (dpkg in a chroot)"
    exit 1
fi

if ! make -s --no-print-directory BUILD="$BUILD" deb >"$tmp/make.log" 2>&1; then
    tail -40 "$tmp/make.log"
    echo "deb_packages: make deb failed"
    exit 1
fi
deb=$BUILD/deb
ver=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
# The version the kiosk reports in its heartbeat is the package's.
kv=$(sed -n 's/^#define KIOSK_VERSION "\(.*\)"/\1/p' kiosk/core/version.h)
[[ ${ver%%-*} == "$kv" ]] || fail "debian/changelog says $ver, kiosk/core/version.h $kv"
kiosk_deb=$deb/xfl-kiosk_${ver}_$arch.deb
hub_deb=$deb/xfl-hub_${ver}_$arch.deb
ctl_deb=$deb/kioskctl_${ver}_$arch.deb

# --- contents, dependencies, conffiles, lintian -------------------------------
has_file() { dpkg-deb -c "$1" | awk '{print $6}' | grep -x "./${2#/}" >/dev/null || fail "$(basename "$1"): no $2"; }
for f in /usr/bin/xfl-kiosk /usr/share/xfl-kiosk/assets/street/map.png /usr/share/xfl-kiosk/locale/zh_CN.mo \
         /etc/xfl-kiosk/kiosk.ini /etc/pam.d/xfl-kiosk /lib/systemd/system/xfl-kiosk.service; do
    has_file "$kiosk_deb" "$f"
done
for f in /usr/bin/xfl-hub /usr/share/xfl-hub/demo/bills.sql /etc/xfl-hub/hub.ini /lib/systemd/system/xfl-hub.service; do
    has_file "$hub_deb" "$f"
done
has_file "$ctl_deb" /usr/bin/kioskctl
for d in "$kiosk_deb" "$hub_deb" "$ctl_deb"; do dpkg-deb -c "$d"; done | awk '{print $6}' | grep -E '^\./(var|home|tmp|usr/local)/' &&
    fail "files outside the FHS places"
conf() { dpkg-deb --ctrl-tarfile "$1" | tar -xOf - ./conffiles 2>/dev/null; }
[[ $(conf "$kiosk_deb" | sort | tr '\n' ' ') == "/etc/pam.d/xfl-kiosk /etc/xfl-kiosk/kiosk.ini " ]] ||
    fail "xfl-kiosk conffiles: $(conf "$kiosk_deb" | tr '\n' ' ')"
[[ $(conf "$hub_deb" | tr '\n' ' ') == "/etc/xfl-hub/hub.ini " ]] || fail "xfl-hub conffiles: $(conf "$hub_deb" | tr '\n' ' ')"
dep() { dpkg-deb -f "$1" Depends | grep "$2" >/dev/null || fail "$(basename "$1"): does not depend on $2"; }
for d in 'libc6 (>=' libsdl2-2.0-0 libsdl2-ttf libsqlite3-0 libsodium23 libcurl4 libinih1 libqrencode4 \
         adduser cage fonts-noto-cjk libpam-systemd; do dep "$kiosk_deb" "$d"; done
for d in 'libc6 (>=' libmicrohttpd12 libsqlite3-0 libsodium23 libssl3 libcjson1 adduser; do dep "$hub_deb" "$d"; done
for d in 'libc6 (>=' libsqlite3-0; do dep "$ctl_deb" "$d"; done
dpkg-deb -f "$hub_deb" Depends | grep libsdl2 >/dev/null && fail "xfl-hub depends on SDL"
# The shipped programs themselves are hardened (hardening.sh says why
# control-flow integrity is left out on Debian 12).
for d in "$kiosk_deb" "$hub_deb" "$ctl_deb"; do dpkg-deb -x "$d" "$tmp/x-bin"; done
for b in xfl-kiosk xfl-hub kioskctl; do
    hardening-check --nocfprotection "$tmp/x-bin/usr/bin/$b" >"$tmp/hc.txt" 2>&1 || { cat "$tmp/hc.txt"; fail "$b in the package: hardening-check"; }
done
if grep -E '^[EW]:' "$deb/lintian.txt"; then fail "lintian errors or warnings (above; $deb/lintian.txt)"; fi

# --- a plain Debian 12 in a chroot ---------------------------------------------
if ! base=$(tests/tools/deb_root.sh "$BUILD" "$kiosk_deb" "$hub_deb" "$ctl_deb"); then
    echo "deb_packages: no Debian 12 chroot"
    exit 1
fi
r=$tmp/root
cp -a "$base" "$r"
mkdir -p "$r/tmp/debs"
cp "$kiosk_deb" "$hub_deb" "$ctl_deb" "$r/tmp/debs/"
in_root() { chroot "$r" "$@"; }
mode_of() { in_root stat -c '%a %U:%G' "$1" 2>/dev/null; }

if ! in_root dpkg -i "/tmp/debs/xfl-kiosk_${ver}_$arch.deb" "/tmp/debs/xfl-hub_${ver}_$arch.deb" \
        "/tmp/debs/kioskctl_${ver}_$arch.deb" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    fail "dpkg -i in the chroot"
fi
for u in xfl-hub xfl-kiosk; do in_root getent passwd "$u" >/dev/null || fail "no user $u"; done
[[ $(mode_of /var/lib/xfl-hub) == "700 xfl-hub:xfl-hub" ]] || fail "/var/lib/xfl-hub: $(mode_of /var/lib/xfl-hub)"
[[ $(mode_of /var/lib/xfl-kiosk) == "700 xfl-kiosk:xfl-kiosk" ]] || fail "/var/lib/xfl-kiosk: $(mode_of /var/lib/xfl-kiosk)"
[[ $(mode_of /etc/xfl-hub/hub.ini) == "640 root:xfl-hub" ]] || fail "hub.ini: $(mode_of /etc/xfl-hub/hub.ini)"
[[ $(mode_of /etc/xfl-kiosk/kiosk.ini) == "640 root:xfl-kiosk" ]] || fail "kiosk.ini: $(mode_of /etc/xfl-kiosk/kiosk.ini)"
in_root id -nG xfl-kiosk | grep -w video >/dev/null || fail "xfl-kiosk is not in the video group"
[[ -L $r/etc/systemd/system/multi-user.target.wants/xfl-hub.service ]] || fail "xfl-hub.service not enabled"
[[ -L $r/etc/systemd/system/graphical.target.wants/xfl-kiosk.service ]] || fail "xfl-kiosk.service not enabled"
if ! systemd-analyze verify --man=no --root="$r" xfl-hub.service xfl-kiosk.service >"$tmp/verify.log" 2>&1 ||
        [[ -s $tmp/verify.log ]]; then
    cat "$tmp/verify.log"
    fail "systemd-analyze verify of the installed units"
fi

# The installed hub as its service would run it: its own user, its config.
in_root setpriv --reuid=xfl-hub --regid=xfl-hub --init-groups sh -c \
    'umask 077; HUB_LOG=quiet timeout -s INT 3 /usr/bin/xfl-hub --config /etc/xfl-hub/hub.ini --port 0 \
     --port-file /var/lib/xfl-hub/port' >"$tmp/hub.log" 2>&1
[[ -s $r/var/lib/xfl-hub/port ]] || { cat "$tmp/hub.log"; fail "the installed hub did not start in the chroot"; }
[[ $(mode_of /var/lib/xfl-hub/hub.db) == "600 xfl-hub:xfl-hub" ]] || fail "hub.db: $(mode_of /var/lib/xfl-hub/hub.db)"
[[ $(mode_of /var/lib/xfl-hub/hub.db.key) == "600 xfl-hub:xfl-hub" ]] || fail "hub.db.key: $(mode_of /var/lib/xfl-hub/hub.db.key)"
# Enrolling a kiosk as README "Install the hub" says.
in_root runuser -u xfl-hub -- xfl-hub device add hall-01 --config /etc/xfl-hub/hub.ini >"$tmp/enrol.log" 2>&1 &&
    grep -qE '(^|[^a-z])hall-01\.[0-9a-f]{16,}' "$tmp/enrol.log" || { cat "$tmp/enrol.log"; fail "device add as README says"; }

# The installed kiosk as its user (headless here: the unit runs it in cage),
# on the libraries its package pulled in: a first frame, its files 0600,
# and kioskctl reading the same configuration and state.
if ! in_root setpriv --reuid=xfl-kiosk --regid=xfl-kiosk --init-groups env SDL_VIDEODRIVER=dummy \
        HOME=/var/lib/xfl-kiosk timeout 60 /usr/bin/xfl-kiosk --first-frame --set hub.url=http://127.0.0.1:9 \
        >"$tmp/kiosk.log" 2>&1; then
    tail -20 "$tmp/kiosk.log"
    fail "the installed kiosk did not show a first frame in the chroot"
fi
grep -q "no translations\|not found in\|cannot open font" "$tmp/kiosk.log" && fail "the installed kiosk misses its data or font"
[[ $(mode_of /var/lib/xfl-kiosk/kiosk.db) == "600 xfl-kiosk:xfl-kiosk" ]] || fail "kiosk.db: $(mode_of /var/lib/xfl-kiosk/kiosk.db)"
[[ $(mode_of /var/lib/xfl-kiosk/outbox.key) == "600 xfl-kiosk:xfl-kiosk" ]] || fail "outbox.key: $(mode_of /var/lib/xfl-kiosk/outbox.key)"
in_root setpriv --reuid=xfl-kiosk --regid=xfl-kiosk --init-groups kioskctl queue list >"$tmp/ctl.log" 2>&1 ||
    { cat "$tmp/ctl.log"; fail "kioskctl queue list as xfl-kiosk"; }

# --- upgrade: the same packages as a newer version -----------------------------
echo "; edited on site" >>"$r/etc/xfl-kiosk/kiosk.ini"
mkdir -p "$r/tmp/up1"
for p in xfl-kiosk xfl-hub kioskctl; do
    deb_repack "$r/tmp/debs/${p}_${ver}_$arch.deb" "${ver}+up1" "$r/tmp/up1" >/dev/null || fail "repacking $p"
done
if ! in_root sh -c 'dpkg -i /tmp/up1/*.deb' >"$tmp/upgrade.log" 2>&1; then
    cat "$tmp/upgrade.log"
    fail "upgrade in the chroot"
fi
[[ $(in_root dpkg-query -W -f '${Version}' xfl-hub) == "${ver}+up1" ]] || fail "xfl-hub not upgraded"
grep -q "edited on site" "$r/etc/xfl-kiosk/kiosk.ini" || fail "the upgrade lost an edited kiosk.ini"
[[ $(mode_of /etc/xfl-kiosk/kiosk.ini) == "640 root:xfl-kiosk" ]] || fail "kiosk.ini after upgrade: $(mode_of /etc/xfl-kiosk/kiosk.ini)"
[[ -f $r/var/lib/xfl-hub/hub.db ]] || fail "the upgrade lost the hub's database"
[[ -f $r/var/lib/xfl-kiosk/kiosk.db && -f $r/var/lib/xfl-kiosk/outbox.key ]] || fail "the upgrade lost the kiosk's database or key"

# --- remove keeps configuration and state; purge removes them -------------------
in_root dpkg -r xfl-kiosk xfl-hub kioskctl >"$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log"; fail "dpkg -r"; }
[[ -e $r/usr/bin/xfl-hub || -e $r/usr/bin/xfl-kiosk || -e $r/lib/systemd/system/xfl-hub.service ]] &&
    fail "remove left programs or units"
[[ -f $r/etc/xfl-hub/hub.ini && -f $r/var/lib/xfl-hub/hub.db ]] || fail "remove deleted configuration or state"
in_root dpkg -P xfl-kiosk xfl-hub kioskctl >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "dpkg -P"; }
[[ -e $r/etc/xfl-hub || -e $r/etc/xfl-kiosk || -e $r/var/lib/xfl-hub || -e $r/var/lib/xfl-kiosk ]] &&
    fail "purge left configuration or state: $(ls -d "$r"/etc/xfl-* "$r"/var/lib/xfl-* 2>/dev/null)"
in_root dpkg-statoverride --list | grep xfl- >/dev/null && fail "purge left a dpkg-statoverride"
[[ -e $r/etc/systemd/system/multi-user.target.wants/xfl-hub.service ]] && fail "purge left the hub enabled"

if ((failures)); then
    echo "deb_packages: $failures failure(s)"
    exit 1
fi
echo "deb_packages: ok (contents, dependencies, conffiles, lintian; install, upgrade, remove, purge in Debian 12)"

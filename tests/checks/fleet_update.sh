#!/usr/bin/env bash
# Check: a fleet update end to end with real packages (docs/fleet-updates.md).
#   - three versions of xfl-kiosk and kioskctl from one make deb: v1 as built;
#     v2 the same with its version (the string the heartbeat reports) changed
#     in the binary; v3 "broken": a kiosk that bumps its database's schema
#     version (as a release with a migration would) and exits at once;
#   - a signed repository (deploy/repo/publish.sh, throw-away key) reached by
#     apt in a copy of the Debian 12 chroot (tests/tools/deb_root.sh) through
#     a copy: source (apt then keeps the .debs it installs, as over https);
#   - a hub on the host (build/hub --demo), the installed kiosk in the chroot
#     as the demo kiosk, beating every 10 s (the shortest kiosk.ini allows);
#   - v1 installed with apt; the kiosk runs, has its database (a receipt in
#     the print queue and a setting added), outbox key and content;
#   - `kioskctl fleet update demo-01 --version v2`: the kiosk writes its
#     request; the updater (/usr/libexec/xfl-kiosk/update, as the path unit
#     would start it) installs v2, the kiosk comes back healthy, reports v2
#     and "updated" in its heartbeat;
#   - v3 published (v2 leaves the repository), `kioskctl fleet update --group
#     street --version v3`: v3 exits at once, the updater rolls back to v2
#     from the .debs it kept, restores the database whose schema v3 changed;
#     the heartbeat reports v2 and "rolled_back v3";
#   - the database rows, outbox key, content and edited kiosk.ini are the
#     same at every step; no request is left behind.
# Limits (no systemd in a chroot): tests/tools/chroot_systemctl.sh stands in
# for systemctl (start/stop, Restart=always and its NRestarts count); the
# health signal is the real one (the kiosk's health file after its first
# heartbeat the hub answered), systemd's READY=1 and watchdog are not
# exercised here, nor the path unit's trigger (systemd_units.sh verifies
# the units). Needs root (chroot); skipped with a message otherwise.
# check-timeout: 1500
# Usage (from anywhere): tests/checks/fleet_update.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start fleet_update "$@"
# shellcheck source=tests/tools/deb_lib.sh
source tests/tools/deb_lib.sh

if [[ $(id -u) -ne 0 ]]; then
    echo "fleet_update: skipped: needs root (packages installed in a Debian 12 chroot)"
    exit 0
fi
for c in reprepro gpg sqlite3; do
    command -v "$c" >/dev/null || { echo "fleet_update: $c missing (make deps)"; exit 1; }
done

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
export HUB_LOG=info
deb=$BUILD/deb
ver=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
if [[ ! -f $deb/xfl-kiosk_${ver}_$arch.deb ]] || [[ deploy/update/xfl-kiosk-update -nt $deb/xfl-kiosk_${ver}_$arch.deb ]]; then
    make -s --no-print-directory BUILD="$BUILD" deb >"$tmp/make.log" 2>&1 || { tail -20 "$tmp/make.log"; exit 1; }
fi
make -s --no-print-directory BUILD="$BUILD" "$BUILD/hub" "$BUILD/kioskctl" >"$tmp/make.log" 2>&1 ||
    { tail -20 "$tmp/make.log"; exit 1; }
base=$(tests/tools/deb_root.sh "$BUILD" "$deb"/{xfl-kiosk,xfl-hub,kioskctl}_"${ver}_$arch".deb) || exit 1

r=$tmp/root
hub_pid=""
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
cleanup() {
    [[ -x $r/usr/local/sbin/systemctl ]] && chroot "$r" /usr/local/sbin/systemctl stop xfl-kiosk.service
    [[ -n $hub_pid ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
    gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- three versions -----------------------------------------------------------------
kv=$(sed -n 's/^#define KIOSK_VERSION "\(.*\)"/\1/p' kiosk/core/version.h)
[[ $kv =~ ^(.*[^0-9])?([0-8])$ ]] || { echo "fleet_update: cannot derive versions from $kv"; exit 1; }
v1=$ver v2=${BASH_REMATCH[1]}$((BASH_REMATCH[2] + 1)) v3=${BASH_REMATCH[1]}$((BASH_REMATCH[2] + 2))
mkdir -p "$tmp/debs"
# v2: the same program saying v2 (the version string has the same length),
# and a release that closes a hole: nothing below v2 may come back.
say_v2() {
    V1=$kv V2=$v2 perl -0777 -pi -e '$n = s/\x00\Q$ENV{V1}\E\x00/\x00$ENV{V2}\x00/g; die "no version string\n" unless $n == 1' \
        "$1/usr/bin/xfl-kiosk"
    [[ -f $1/usr/share/xfl-kiosk/security-floor ]] || { echo "no security-floor in the package" >&2; return 1; }
    echo "$v2" >"$1/usr/share/xfl-kiosk/security-floor"
}
# v3: migrates the schema (user_version 999, the SQLite header) and dies.
broken_v3() {
    printf '#!/bin/sh\n# fleet_update.sh: a broken release\nprintf '"'"'\\000\\000\\003\\347'"'"' | dd of=/var/lib/xfl-kiosk/kiosk.db bs=1 seek=60 conv=notrunc 2>/dev/null\nexit 1\n' \
        >"$1/usr/bin/xfl-kiosk"
}
k1=$deb/xfl-kiosk_${ver}_$arch.deb c1=$deb/kioskctl_${ver}_$arch.deb
k2=$(deb_repack "$k1" "$v2" "$tmp/debs" say_v2) && c2=$(deb_repack "$c1" "$v2" "$tmp/debs") &&
    k3=$(deb_repack "$k1" "$v3" "$tmp/debs" broken_v3) && c3=$(deb_repack "$c1" "$v3" "$tmp/debs") ||
    { echo "fleet_update: repacking failed"; exit 1; }

key=$(deb_newkey "xfl fleet update test")
repo=$tmp/repo
publish() { deploy/repo/publish.sh "$repo" kiosk-stable "$key" "$@" >"$tmp/pub.log" 2>&1 || { cat "$tmp/pub.log"; fail "publishing $*"; }; }
publish "$k1" "$c1"

# --- a kiosk: the chroot, its apt trusting the fleet's key -----------------------------
cp -a "$base" "$r"
sync_repo() { rm -rf "$r/srv/repo" && mkdir -p "$r/srv" && cp -a "$repo" "$r/srv/repo"; }
sync_repo
cp "$repo/xfl-fleet.gpg" "$r/usr/share/keyrings/xfl-fleet.gpg"
echo "deb [signed-by=/usr/share/keyrings/xfl-fleet.gpg] copy:/srv/repo kiosk-stable main" >"$r/etc/apt/sources.list.d/xfl.list"
install -m 0755 tests/tools/chroot_systemctl.sh "$r/usr/local/sbin/systemctl"
in_root() { chroot "$r" "$@"; }
version_of() { in_root dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }
apt_fleet() {
    in_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dir::Etc::sourcelist=sources.list.d/xfl.list \
        -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 "$@"
}
apt_fleet update >"$tmp/apt.log" 2>&1 && apt_fleet install -y "xfl-kiosk=$v1" "kioskctl=$v1" >>"$tmp/apt.log" 2>&1 ||
    { tail -20 "$tmp/apt.log"; echo "fleet_update: installing v1 from the repository failed"; exit 1; }
[[ $(version_of xfl-kiosk) == "$v1" ]] || fail "v1 not installed: $(version_of xfl-kiosk)"

# --- the hub on the host, the kiosk its demo kiosk --------------------------------------
"$BUILD/hub" staff add alice --db "$tmp/hub.db" --out "$tmp/staff.token" >/dev/null || { echo "fleet_update: staff add"; exit 1; }
"$BUILD/hub" --db "$tmp/hub.db" --port 0 --port-file "$tmp/port" --demo >"$tmp/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || { cat "$tmp/hub.log"; echo "fleet_update: the hub did not start"; exit 1; }
hub="http://127.0.0.1:$(cat "$tmp/port")"
ini=$r/etc/xfl-kiosk/kiosk.ini
sed -i -e "s|^url = .*|url = $hub|" -e "s|^token =.*|token = $(cat "$tmp/hub.db.demo-token")|" \
    -e "s|^heartbeat = .*|heartbeat = 10|" "$ini"
echo "; edited on site (fleet_update.sh)" >>"$ini"
ctl() { "$BUILD/kioskctl" fleet "$@" --hub "$hub" --token-file "$tmp/staff.token"; }
# The fleet's view of the demo kiosk, once its heartbeat says WANT (a jq-less
# match on the kioskctl JSON): waits up to 30 s.
fleet_says() {
    local want=$1
    for _ in $(seq 60); do
        ctl status >"$tmp/status.json" 2>/dev/null && grep -q -- "$want" "$tmp/status.json" && return 0
        sleep 0.5
    done
    cat "$tmp/status.json"
    return 1
}

in_root systemctl start xfl-kiosk.service || fail "the kiosk (v1) did not start"
if ! fleet_says "\"id\":\"demo-01\",[^}]*\"version\":\"$kv\"" ||
        [[ ! -f $r/var/lib/xfl-kiosk/kiosk.db || ! -f $r/var/lib/xfl-kiosk/outbox.key ]]; then
    tail -20 "$r/run/chroot-systemd/kiosk.log"
    grep -n '^url\|^heartbeat' "$ini"
    tail -5 "$tmp/hub.log"
    echo "fleet_update: the installed v1 kiosk never reached the hub (above: its log, its [hub] url, the hub's log)"
    exit 1
fi

# --- the kiosk's data, to be found the same after every step -----------------------------
in_root systemctl stop xfl-kiosk.service
db=$r/var/lib/xfl-kiosk/kiosk.db
sqlite3 "$db" "INSERT INTO settings(key, value) VALUES('fleet_update.marker', 'kept');
               INSERT INTO print_jobs(created, receipt, summary, state) VALUES(1795915800, 'receipt kept', 'kept', 'queued');" ||
    fail "cannot add the marker rows"
mkdir -p "$r/var/lib/xfl-kiosk/content"
echo "content kept" >"$r/var/lib/xfl-kiosk/content/fleet_update.marker"
chown -R "$(in_root id -u xfl-kiosk):$(in_root id -g xfl-kiosk)" "$r/var/lib/xfl-kiosk"
# Read from a copy: sqlite3 on the live files would leave root-owned -shm.
db_query() {
    rm -rf "$tmp/q" && mkdir "$tmp/q" && cp "$db"* "$tmp/q/" && sqlite3 "$tmp/q/kiosk.db" "$1" 2>&1
}
schema=$(db_query 'PRAGMA user_version')
key_sum=$(md5sum <"$r/var/lib/xfl-kiosk/outbox.key")
data_intact() {   # STEP
    local rows
    rows=$(db_query "SELECT value FROM settings WHERE key = 'fleet_update.marker';
                     SELECT receipt FROM print_jobs WHERE summary = 'kept';
                     PRAGMA user_version" | tr '\n' ' ')
    [[ $rows == "kept receipt kept $schema " ]] || fail "$1: the database holds '$rows'"
    [[ $(md5sum <"$r/var/lib/xfl-kiosk/outbox.key") == "$key_sum" ]] || fail "$1: the outbox key changed"
    [[ $(cat "$r/var/lib/xfl-kiosk/content/fleet_update.marker" 2>/dev/null) == "content kept" ]] ||
        fail "$1: the content is gone"
    grep -q "edited on site (fleet_update.sh)" "$ini" || fail "$1: the edited kiosk.ini was replaced"
    [[ -e $r/var/lib/xfl-kiosk/update/request ]] && fail "$1: the request was left behind"
    return 0
}
in_root systemctl start xfl-kiosk.service || fail "the kiosk (v1) did not start again"

# Sends update VERSION (ARGS to kioskctl), waits for the kiosk's request and
# runs the updater as xfl-kiosk-update.path would start it.
update_to() {
    local version=$1
    shift
    ctl update "$@" --version "$version" >"$tmp/update.json" || { cat "$tmp/update.json"; fail "fleet update $version"; }
    for _ in $(seq 60); do [[ -f $r/var/lib/xfl-kiosk/update/request ]] && break; sleep 0.5; done
    grep -q "\"version\":\"$version\"" "$r/var/lib/xfl-kiosk/update/request" 2>/dev/null ||
        { fail "no update request for $version"; return 1; }
    in_root /usr/libexec/xfl-kiosk/update >"$tmp/updater-$version.log" 2>&1 ||
        { cat "$tmp/updater-$version.log"; fail "the updater failed for $version"; }
}

# --- v2 rolled out ----------------------------------------------------------------------
publish "$k2" "$c2"
sync_repo
update_to "$v2" demo-01
[[ $(version_of xfl-kiosk) == "$v2" && $(version_of kioskctl) == "$v2" ]] ||
    { cat "$tmp/updater-$v2.log"; fail "after the update to v2: xfl-kiosk $(version_of xfl-kiosk), kioskctl $(version_of kioskctl)"; }
grep -q '"outcome":"updated"' "$r/var/lib/xfl-kiosk/update/result" || fail "v2: result $(cat "$r/var/lib/xfl-kiosk/update/result")"
in_root systemctl is-active --quiet xfl-kiosk.service || fail "v2 is not running"
fleet_says "\"version\":\"$v2\"[^}]*\"update\":{\"outcome\":\"updated\",\"version\":\"$v2\"" ||
    fail "the fleet does not show v2 updated"
data_intact "v2"
ls "$r/var/lib/xfl-kiosk-update/debs/xfl-kiosk_${v2}_$arch.deb" >/dev/null 2>&1 || fail "v2's .deb not kept for the way back"

# --- a broken v3, rolled back to v2 -------------------------------------------------------
publish "$k3" "$c3"                      # reprepro drops v2 from the pool
sync_repo
sqlite3 "$tmp/hub.db" "UPDATE devices SET kiosk_group = 'street' WHERE id = 'demo-01'"
update_to "$v3" --group street
[[ $(version_of xfl-kiosk) == "$v2" && $(version_of kioskctl) == "$v2" ]] ||
    { cat "$tmp/updater-$v3.log"; fail "after the broken v3: xfl-kiosk $(version_of xfl-kiosk), kioskctl $(version_of kioskctl)"; }
grep -q '"outcome":"rolled_back","version":"'"$v3"'","from":"'"$v2"'"' "$r/var/lib/xfl-kiosk/update/result" ||
    fail "v3: result $(cat "$r/var/lib/xfl-kiosk/update/result")"
grep -q "restoring the database" "$tmp/updater-$v3.log" || fail "v3 changed the schema but the database was not restored"
fleet_says "\"version\":\"$v2\"[^}]*\"update\":{\"outcome\":\"rolled_back\",\"version\":\"$v3\"" ||
    fail "the fleet does not show v3 rolled back"
data_intact "v3 rolled back"

# --- the same version again: nothing to do ------------------------------------------------
update_to "$v2" demo-01
grep -q '"outcome":"current"' "$r/var/lib/xfl-kiosk/update/result" || fail "same version: result $(cat "$r/var/lib/xfl-kiosk/update/result")"

# --- below the security floor v2 declared: refused, nothing installed ------------------------
publish "$k1" "$c1"
sync_repo
update_to "$v1" demo-01
[[ $(version_of xfl-kiosk) == "$v2" ]] || fail "below the floor: xfl-kiosk $(version_of xfl-kiosk) installed"
grep -q '"outcome":"failed","version":"'"$v1"'".*security floor '"$v2"'' "$r/var/lib/xfl-kiosk/update/result" ||
    fail "below the floor: result $(cat "$r/var/lib/xfl-kiosk/update/result")"
in_root systemctl is-active --quiet xfl-kiosk.service || fail "the kiosk is not running after a refused downgrade"
data_intact "below the floor"

if ((failures)); then
    echo "--- updater logs"; cat "$tmp"/updater-*.log
    echo "--- kiosk log (last lines)"; tail -20 "$r/run/chroot-systemd/kiosk.log"
    echo "fleet_update: $failures failure(s)"
    exit 1
fi
echo "fleet_update: ok (v1 $v1 installed; v2 $v2 rolled out and healthy; broken v3 $v3 rolled back to v2 with its database restored; v1 refused below v2's security floor; data kept)"

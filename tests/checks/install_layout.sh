#!/usr/bin/env bash
# Check: `make install` gives programs that read nothing relative to their
# working directory.
#   - installed with PREFIX, SYSCONFDIR and LOCALSTATEDIR in a temp dir (no
#     DESTDIR, so the compiled-in paths point there and the programs run):
#     xfl-kiosk, xfl-hub, kioskctl in bin/, assets, translations and the demo
#     SQL under share/, kiosk.ini and hub.ini (0640) in etc/, the state
#     directories 0700 in var/lib;
#   - from an empty working directory, the installed hub (no --db, no
#     --demo-dir) seeds its demo from share/ into var/lib/xfl-hub/hub.db
#     (0600, its key 0600) and answers; the installed kiosk (no --config)
#     reads etc/xfl-kiosk/kiosk.ini, finds its translations and assets, shows
#     a first frame and keeps its database in var/lib/xfl-kiosk; kioskctl
#     (no --config) reads the same kiosk.ini and lists the queue;
#   - the working directory is still empty afterwards;
#   - a second install keeps an edited kiosk.ini; uninstall removes the
#     programs and share/ and keeps etc/ and var/.
# Usage (from anywhere): tests/checks/install_layout.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start install_layout "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
hub_pid=""
trap '[[ -n $hub_pid ]] && kill "$hub_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

root=$tmp/root
layout=(PREFIX="$root/usr" SYSCONFDIR="$root/etc" LOCALSTATEDIR="$root/var")
if ! make -s --no-print-directory BUILD="$BUILD" "${layout[@]}" install >"$tmp/make.log" 2>&1; then
    cat "$tmp/make.log"
    echo "install_layout: make install failed"
    exit 1
fi

mode() { stat -c %a "$1" 2>/dev/null; }
for f in usr/bin/xfl-kiosk usr/bin/xfl-hub usr/bin/kioskctl; do
    [[ -x $root/$f ]] || fail "$f not installed"
done
for f in usr/share/xfl-kiosk/assets/street/map.png usr/share/xfl-kiosk/assets/tour/bills.json \
         usr/share/xfl-kiosk/locale/zh_CN.mo usr/share/xfl-kiosk/locale/en.mo \
         usr/share/xfl-hub/demo/bills.sql usr/share/xfl-hub/console/index.html; do
    [[ -f $root/$f ]] || fail "$f not installed"
done
for f in etc/xfl-kiosk/kiosk.ini etc/xfl-hub/hub.ini; do
    [[ $(mode "$root/$f") == 640 ]] || fail "$f: mode $(mode "$root/$f"), expected 640"
done
for d in var/lib/xfl-kiosk var/lib/xfl-hub; do
    [[ $(mode "$root/$d") == 700 ]] || fail "$d: mode $(mode "$root/$d"), expected 700"
done
grep -q "^var_dir = $root/var/lib/xfl-kiosk\$" "$root/etc/xfl-kiosk/kiosk.ini" ||
    fail "kiosk.ini: var_dir is not the installed state directory"
grep -q "^db = $root/var/lib/xfl-hub/hub.db\$" "$root/etc/xfl-hub/hub.ini" ||
    fail "hub.ini: db is not the installed state directory"

# --- the programs, from an empty working directory ----------------------------
cwd=$tmp/cwd
mkdir -p "$cwd"
cd "$cwd" || exit 1
export HUB_LOG=quiet
"$root/usr/bin/xfl-hub" --demo --listen 127.0.0.1 --port 0 --port-file "$tmp/port" 2>"$tmp/hub.err" &
hub_pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
if [[ -s $tmp/port ]]; then
    port=$(cat "$tmp/port")
    # The demo token is random per demo database, beside it (hub/demo_token.h).
    token=$(cat "$root/var/lib/xfl-hub/hub.db.demo-token" 2>/dev/null)
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/console/")
    [[ $code == 200 ]] || fail "installed hub: GET /console/ answered $code (web files not found)"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/v1/content?kind=notice")
    [[ $code == 200 ]] || fail "installed hub: GET /v1/content answered $code"
    db=$root/var/lib/xfl-hub/hub.db
    [[ $(mode "$db") == 600 ]] || fail "hub.db: mode $(mode "$db"), expected 600"
    [[ $(mode "$db.key") == 600 ]] || fail "hub.db.key: mode $(mode "$db.key"), expected 600"
    [[ $(sqlite3 "$db" 'SELECT count(*) FROM accounts' 2>/dev/null || echo 0) -gt 0 ]] ||
        fail "installed hub: no demo accounts seeded from share/xfl-hub/demo"
else
    cat "$tmp/hub.err"
    fail "installed hub did not start from an empty directory"
    port=9
fi

if ! timeout -k 5 60 "$root/usr/bin/xfl-kiosk" --first-frame --set "hub.url=http://127.0.0.1:$port" \
        >"$tmp/kiosk.out" 2>"$tmp/kiosk.err"; then
    cat "$tmp/kiosk.err"
    fail "installed kiosk: --first-frame failed"
fi
grep -q "no translations\|not found in" "$tmp/kiosk.err" && fail "installed kiosk: translations not found"
[[ -f $root/var/lib/xfl-kiosk/kiosk.db ]] || fail "installed kiosk: no database in var/lib/xfl-kiosk"
if ! "$root/usr/bin/kioskctl" queue list >"$tmp/ctl.out" 2>&1; then
    cat "$tmp/ctl.out"
    fail "installed kioskctl: queue list failed"
fi
kill "$hub_pid" 2>/dev/null
wait "$hub_pid" 2>/dev/null
hub_pid=""
left=$(ls -A "$cwd")
[[ -z $left ]] || fail "files written to the working directory: $left"
cd - >/dev/null || exit 1

# --- reinstall keeps configuration; uninstall keeps etc/ and var/ ------------
echo "; edited by the contractor" >>"$root/etc/xfl-kiosk/kiosk.ini"
make -s --no-print-directory BUILD="$BUILD" "${layout[@]}" install >"$tmp/make.log" 2>&1 || fail "second install failed"
grep -q "edited by the contractor" "$root/etc/xfl-kiosk/kiosk.ini" || fail "a reinstall overwrote kiosk.ini"
make -s --no-print-directory BUILD="$BUILD" "${layout[@]}" uninstall >"$tmp/make.log" 2>&1 || fail "uninstall failed"
[[ -e $root/usr/bin/xfl-kiosk || -e $root/usr/share/xfl-kiosk ]] && fail "uninstall left programs or data"
[[ -f $root/etc/xfl-kiosk/kiosk.ini && -f $root/var/lib/xfl-hub/hub.db ]] || fail "uninstall removed configuration or state"

if ((failures)); then
    echo "install_layout: $failures failure(s)"
    exit 1
fi
echo "install_layout: ok"

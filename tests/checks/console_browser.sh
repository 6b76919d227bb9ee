#!/usr/bin/env bash
# Check: the staff console in a real browser. Starts `hub signer` and a demo
# hub (free port, temp database, console accounts made with `hub staff add
# --role`), installs playwright-core from tests/browser/package-lock.json
# (`npm ci`, no browser download) and runs tests/browser/console.mjs in
# Debian's chromium: sign-in, fleet, emergency alert, notices (an editor
# cannot publish), CSRF refused, rollback, help requests, street playlists and
# their day view, a service guide from editor to kiosk (tests/browser/items.mjs),
# previews drawn by the kiosk (tests/browser/preview.mjs), accounts, axe-core,
# lockout, event registrations and plays (tests/browser/reports.mjs), a notice
# with a picture (tests/browser/pictures.mjs).
# A real kiosk too: the kiosk binary as the demo kiosk (street mode, group
# north, heartbeat every 10 s, software renderer) on its own Xvfb display
# (so xdotool can press its keys: the resident's help request), with
# [debug] screen_text (kiosk.ini) writing the words on its screen to a file
# that tests/browser/fleet.mjs reads: an alert on screen within 30 s (the
# figure printed), rollback and an editor's draft as the kiosk shows them, a
# screenshot, a help request acknowledged, the kiosk killed and offline.
# Skips (exit 0, saying why) only when chromium or node cannot run here.
# The hub, the signer, Xvfb, the kiosk, node and the browser are stopped on
# every exit.
# (The kiosk runs on X, not SDL's dummy driver: only a real display takes the
# key presses and touches a resident makes.)
# Some five minutes on the 2-core machine (every page's flow, a real kiosk):
# check-timeout: 660
# Usage (from anywhere): tests/checks/console_browser.sh [BUILD]
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
HUB=$BUILD/hub
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
DEMO_TOKEN=demo-01.0000000000000000000000000000000000000000000000000000000000000001

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP console_browser: $*"; exit 0; }

[[ -x $HUB && -x $BUILD/kioskctl && -x $BUILD/kiosk ]] || fail "$HUB, $BUILD/kiosk or $BUILD/kioskctl not built"
for tool in Xvfb:xvfb xdotool:xdotool; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || fail "${tool%%:*} is missing (Debian package ${tool#*:}; make deps)"
done
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    skip "node and npm are not installed (Debian packages nodejs, npm)"
[[ -x $CHROMIUM ]] || skip "$CHROMIUM is not installed (Debian packages chromium, chromium-driver; make deps)"

tmp=$(mktemp -d /tmp/console_browser.XXXXXX) || exit 1
pids=()
cleanup() {
    local p
    [[ -n ${KIOSK_PID:-} ]] && kill -KILL "$KIOSK_PID" 2>/dev/null
    for p in "${pids[@]}"; do
        kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
    done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP   # the cleanup runs when the check is killed too

if ! timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --user-data-dir="$tmp/probe" \
        --dump-dom about:blank >"$tmp/probe.out" 2>&1 || ! grep -q '<body>' "$tmp/probe.out"; then
    skip "$CHROMIUM cannot run headless here: $(grep -v '^\[' "$tmp/probe.out" | tail -1)"
fi

# playwright-core, exactly as locked; the browser is Debian's.
if ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.package-lock.json 2>/dev/null; then
    (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts) \
        >"$tmp/npm.log" 2>&1 || fail "npm ci in tests/browser failed: $(tail -3 "$tmp/npm.log")"
fi

# The signer with a new content key; the hub trusts its public half.
pk=$("$BUILD/kioskctl" content keygen --key "$tmp/content.key" 2>/dev/null | sed -n 's/.*"public_key":"\([0-9a-f]\{64\}\)".*/\1/p')
[[ ${#pk} == 64 ]] || fail "kioskctl content keygen gave no public key"
setsid "$HUB" signer --key "$tmp/content.key" --socket "$tmp/signer.sock" 2>"$tmp/signer.log" &
pids+=($!)
for _ in $(seq 400); do [[ -S $tmp/signer.sock ]] && break; sleep 0.05; done
[[ -S $tmp/signer.sock ]] || fail "the signer did not start: $(cat "$tmp/signer.log")"

# Previews drawn by this build's kiosk (two sizes: six pictures a preview).
printf '[console]\nsigner = %s\npreview_kiosk = %s\npreview_config = %s/kiosk.ini\npreview_sizes = 1920x1080,1280x800\n' \
    "$tmp/signer.sock" "$(realpath "$BUILD/kiosk")" "$PWD" >"$tmp/hub.ini"
# The test's own demo token, where a demo hub reads it (a demo hub without
# that file makes a random one: hub/demo_token.h).
(umask 077; echo "$DEMO_TOKEN" >"$tmp/hub.db.demo-token")
echo 'admin-password-1' | HUB_LOG=quiet "$HUB" staff add boss --role admin --db "$tmp/hub.db" >/dev/null ||
    fail "staff add boss failed"
echo 'publisher-pw-1' | HUB_LOG=quiet "$HUB" staff add wang --role publisher --groups north --db "$tmp/hub.db" >/dev/null ||
    fail "staff add wang failed"
echo 'editor-password-1' | HUB_LOG=quiet "$HUB" staff add ed --role editor --groups north --db "$tmp/hub.db" >/dev/null ||
    fail "staff add ed failed"
HUB_LOG=quiet setsid "$HUB" --config "$tmp/hub.ini" --db "$tmp/hub.db" --listen 127.0.0.1 --port 0 \
    --port-file "$tmp/port" --demo --content-key "$pk" &
pids+=($!)
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the hub did not start"
url=http://127.0.0.1:$(cat "$tmp/port")

# The demo kiosk into group north, as an admin does it.
login=$(curl -s -c "$tmp/jar" -H 'Content-Type: application/json' \
    -d '{"name":"boss","password":"admin-password-1"}' "$url/console/api/login")
csrf=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' <<<"$login")
[[ -n $csrf ]] || fail "admin sign-in failed: $login"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" -d '{"group":"north"}' "$url/console/api/kiosks/demo-01/group")
[[ $code == 200 ]] || fail "setting the kiosk's group answered $code"

# The demo kiosk itself, on a display of its own (Xvfb picks a free one).
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 400); do [[ -s $tmp/display ]] && break; sleep 0.05; done
[[ -s $tmp/display ]] || fail "Xvfb did not start: $(tail -3 "$tmp/xvfb.log")"
kvar=$tmp/kiosk-var
mkdir -p "$kvar"
cat >"$tmp/kiosk.ini" <<INI
[kiosk]
mode = street
kiosk_id = demo-01
location = 北区文化广场
var_dir = $kvar
locale_dir = $BUILD/locale
[display]
width = 1280
height = 800
renderer = software
[hub]
url = $url
token = $DEMO_TOKEN
timeout = 3
[outbox]
key_file = $kvar/outbox.key
[content]
public_key = $pk
group = north
poll_interval = 300
[telemetry]
heartbeat = 10
[voice]
enabled = false
[debug]
screen_text = $tmp/kiosk-screen.txt
INI
DISPLAY=:$(head -n1 "$tmp/display") SDL_VIDEODRIVER=x11 SDL_AUDIODRIVER=dummy "$BUILD/kiosk" --config "$tmp/kiosk.ini" \
    </dev/null >"$tmp/kiosk.log" 2>&1 &
KIOSK_PID=$!
disown "$KIOSK_PID"   # fleet.mjs kills it on purpose: no "Killed" notice from bash
for _ in $(seq 600); do [[ -s $tmp/kiosk-screen.txt ]] && break; sleep 0.05; done
[[ -s $tmp/kiosk-screen.txt ]] || fail "the kiosk did not draw: $(tail -5 "$tmp/kiosk.log")"

mkdir -p "$BUILD/console"
HUB_URL=$url KIOSK_TOKEN=$DEMO_TOKEN SHOTS=$BUILD/console CHROMIUM=$CHROMIUM \
    KIOSK_PID=$KIOSK_PID KIOSK_SCREEN=$tmp/kiosk-screen.txt KIOSK_DISPLAY=:$(head -n1 "$tmp/display") \
    KIOSK_LOG=$tmp/kiosk.log \
    setsid timeout -k 5 540 node tests/browser/console.mjs &
node_pid=$!
pids+=("$node_pid")
wait "$node_pid"
rc=$?
if ((rc != 0)); then
    echo "the kiosk's log (last lines):"
    tail -n 15 "$tmp/kiosk.log" | sed 's/^/    | /'
    fail "the browser checks failed (exit $rc)"
fi
echo "console_browser: all checks passed (screenshots in $BUILD/console/)"

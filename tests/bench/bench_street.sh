#!/usr/bin/env bash
# The street carousel's CPU use: build/kiosk in street mode in a real X
# window (Xvfb, software renderer), the notices carousel stepping every 10 s
# with a 600 ms fade, for SECONDS (default 60). Prints
#   street_cpu_pct <percent of one core> steps <carousel steps seen> seconds <n>
# Target: <= 2 % of a core. Uses $DISPLAY if set, else starts its own Xvfb.
set -euo pipefail
BUILD=${BUILD:-build}
KIOSK=$BUILD/kiosk
SECS=${1:-60}
cd "$(dirname "$0")/../.."
export KIOSK_LOG=${KIOSK_LOG:-quiet}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
if [[ -z ${DISPLAY:-} ]]; then
    disp=:$((200 + RANDOM % 100))
    Xvfb "$disp" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
    export DISPLAY=$disp
fi
# No hub (a closed port): the stored notices play, 10 s each.
"$KIOSK" --config kiosk.ini --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale" \
    --set display.renderer=software --set kiosk.mode=street --set session.attract_interval=10 \
    --set hub.url=http://127.0.0.1:9 --set "outbox.key_file=$tmp/outbox.key" &
pid=$!
sleep 3
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(ticks $pid); s0=$(date +%s%N)
sleep "$SECS"
t1=$(ticks $pid); s1=$(date +%s%N)
kill $pid; wait $pid 2>/dev/null || true
hz=$(getconf CLK_TCK)
cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) 'BEGIN {printf "%.2f", 100 * d / hz / (ns / 1e9)}')
steps=?
if command -v sqlite3 >/dev/null 2>&1; then
    steps=$(sqlite3 "$tmp/var/kiosk.db" "SELECT count(*) FROM proof_of_play" 2>/dev/null || echo ?)
fi
echo "street_cpu_pct $cpu steps $steps seconds $SECS"

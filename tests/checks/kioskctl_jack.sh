#!/usr/bin/env bash
# Check: `kioskctl jack` over a fake evdev device (a FIFO of struct
# input_event records, written by python3): the state at open is unknown,
# --watch prints one JSON line per plug and pull (a frame split across two
# writes still counts once) and stops after --timeout seconds without a
# change; a missing device exits 3 with {"error":{"code":"no_jack"}}; bad
# arguments exit 2.
#   [BUILD=dir] [KIOSKCTL=path] tests/checks/kioskctl_jack.sh [BUILD]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
tmp=$(mktemp -d)
writer=
trap '[[ -n $writer ]] && kill "$writer" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL kioskctl_jack: $*"; exit 1; }

if [[ -z ${KIOSKCTL:-} ]]; then
    KIOSKCTL=$BUILD/kioskctl
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$BUILD" "$KIOSKCTL" \
        >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "make $KIOSKCTL failed"; }
fi

mkfifo "$tmp/event" || fail "mkfifo"
# The writer: plug (split in two writes), pull, then an unrelated switch.
python3 - "$tmp/event" <<'PY' &
import struct, sys, time
def rec(t, c, v):
    return struct.pack('@llHHi', 0, 0, t, c, v)   # struct input_event on this machine
EV_SYN, EV_SW, SW_HEADPHONE_INSERT, SW_LID = 0, 5, 2, 0
with open(sys.argv[1], 'wb', buffering=0) as f:
    time.sleep(0.2)
    plug = rec(EV_SW, SW_HEADPHONE_INSERT, 1) + rec(EV_SYN, 0, 0)
    f.write(plug[:30]); time.sleep(0.1); f.write(plug[30:])
    time.sleep(0.1)
    f.write(rec(EV_SW, SW_HEADPHONE_INSERT, 0) + rec(EV_SYN, 0, 0))
    f.write(rec(EV_SW, SW_LID, 1) + rec(EV_SYN, 0, 0))
    time.sleep(3)
PY
writer=$!
out=$("$KIOSKCTL" jack --device "evdev:$tmp/event" --watch --timeout 1)
rc=$?
[[ $rc == 0 ]] || fail "--watch exit $rc: $out"
want="{\"device\":\"evdev:$tmp/event\",\"state\":\"unknown\"}
{\"device\":\"evdev:$tmp/event\",\"state\":\"in\"}
{\"device\":\"evdev:$tmp/event\",\"state\":\"out\"}"
[[ $out == "$want" ]] || fail "--watch printed:
$out
wanted:
$want"

out=$("$KIOSKCTL" jack --device evdev:/nonexistent/event3)
rc=$?
[[ $rc == 3 && $out == *'"code":"no_jack"'*'/nonexistent/event3: No such file or directory'* ]] ||
    fail "missing device: exit $rc: $out"
out=$("$KIOSKCTL" jack --device pulse:x)
[[ $? == 3 && $out == *'want auto, alsa:CARD or evdev:PATH'* ]] || fail "bad spec: $out"
out=$("$KIOSKCTL" jack --bogus)
[[ $? == 2 && $out == *'"code":"usage"'* ]] || fail "bad argument: $out"
echo "PASS kioskctl_jack"

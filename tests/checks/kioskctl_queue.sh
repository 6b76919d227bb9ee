#!/usr/bin/env bash
# Check: `kioskctl queue list|show|retry|drop` on a temp var dir filled by
# build/bench_outbox --fill (1 plain help, 2 sealed help with a phone
# number, 3 plain telemetry). list shows counts and items newest first;
# show hides a sealed body unless --reveal; retry turns a dead item back
# to queued (and refuses a done one); drop deletes; unknown ids are exit 1
# not_found; a sending item is exit 1 wrong_state; bad arguments exit 2; a
# missing database, and a key file of the wrong size with --reveal, exit 3.
#   [BUILD=dir] tests/checks/kioskctl_queue.sh [BUILD]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
KIOSKCTL=$BUILD/kioskctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL kioskctl_queue: $*"; exit 1; }

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$BUILD" \
    "$BUILD/kioskctl" "$BUILD/bench_outbox" >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log"; fail "make failed"; }

cat >"$tmp/kiosk.ini" <<INI
[kiosk]
var_dir = $tmp/var
[outbox]
key_file = $tmp/outbox.key
INI
"$BUILD/bench_outbox" --fill "$tmp/var" "$tmp/outbox.key" 2>"$tmp/fill.err" ||
    fail "fill: $(cat "$tmp/fill.err")"
db=$tmp/var/kiosk.db

run() { out=$("$KIOSKCTL" queue "$@" --config "$tmp/kiosk.ini" 2>"$tmp/stderr"); rc=$?; }
expect() {   # expect STATUS JQ-EXPR: last run exited STATUS and EXPR is true
    [[ $rc == "$1" ]] || fail "queue: exit $rc, expected $1: $out $(cat "$tmp/stderr")"
    jq -e "$2" <<<"$out" >/dev/null || fail "queue: '$2' false on: $out"
}

run list
expect 0 '.counts == {"queued":3,"sending":0,"done":0,"dead":0} and ([.items[].id] == [3,2,1])
          and .items[1].sealed == true and .items[1].kind == "help" and .items[0].path == "/v1/heartbeat"'
run list --state dead
expect 0 '.items == []'
run list --state nope
expect 2 '.error.code == "usage"'

run show 2
expect 0 '.item.body == "[encrypted, 76 bytes]" and .item.idem_key == "fill-2"'
grep -q 13812345678 <<<"$out" && fail "show without --reveal printed the phone number"
run show 2 --reveal
expect 0 '(.item.body | fromjson | .contact) == "13812345678"'
run show 1
expect 0 '.item.body == "{\"location\":\"hall\"}" and .item.sealed == false'
run show 99
expect 1 '.error.code == "not_found"'
run show abc
expect 2 '.error.code == "usage"'
run frobnicate
expect 2 '.error.code == "usage"'

# Dead -> retry -> queued, attempts reset; done cannot be retried; sending
# is the kiosk's.
sqlite3 "$db" "UPDATE outbox SET state='dead', attempts=4, http=422, last_error='422 missing_field: location' WHERE id=1;
               UPDATE outbox SET state='done' WHERE id=3; UPDATE outbox SET state='sending' WHERE id=2"
run list --state dead
expect 0 '.items[0].id == 1 and .items[0].http == 422 and (.items[0].last_error | test("missing_field"))'
run retry 1
expect 0 '.retried == 1'
run show 1
expect 0 '.item.state == "queued" and .item.attempts == 0'
run retry 3
expect 1 '.error.code == "wrong_state"'
run drop 2
expect 1 '.error.code == "wrong_state"'
run drop 3
expect 0 '.dropped == 3'
run drop 3
expect 1 '.error.code == "not_found"'
run list
expect 0 '.counts == {"queued":1,"sending":1,"done":0,"dead":0}'

# A key file of the wrong size: --reveal refuses it, clearly.
printf 'short' >"$tmp/bad.key"
sed "s|$tmp/outbox.key|$tmp/bad.key|" "$tmp/kiosk.ini" >"$tmp/bad.ini"
out=$("$KIOSKCTL" queue show 2 --reveal --config "$tmp/bad.ini" 2>/dev/null); rc=$?
expect 3 '.error.code == "key" and (.error.message | test("5 bytes, expected 32"))'

# No database there: exit 3, and none is created.
sed "s|$tmp/var|$tmp/nowhere|" "$tmp/kiosk.ini" >"$tmp/none.ini"
out=$("$KIOSKCTL" queue list --config "$tmp/none.ini" 2>/dev/null); rc=$?
expect 3 '.error.code == "database"'
[[ -e $tmp/nowhere ]] && fail "a missing var dir was created"
out=$("$KIOSKCTL" queue list --config "$tmp/missing.ini" 2>/dev/null); rc=$?
expect 2 '.error.code == "config"'
echo "ok kioskctl_queue"
exit 0

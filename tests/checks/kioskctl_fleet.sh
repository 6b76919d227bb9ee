#!/usr/bin/env bash
# Check: `kioskctl fleet` against a started hub (build/hub --demo) with a staff
# token from `hub staff add --out` (a 0600 file, read with --token-file or
# from KIOSK_STAFF_TOKEN; --token still works but warns, and a token file
# others can read is refused). Status lists the demo kiosk (offline before any
# heartbeat, online after one, with its content version and faults; --table
# too); `command` queues a command that the next heartbeat carries; a kiosk's
# token is refused (exit 1, unauthorized); an unknown kiosk is exit 1
# unknown_device; a screenshot uploaded by the kiosk comes back byte for
# byte; `update` queues the update command for a kiosk or each kiosk of a
# group (bad versions and an empty group refused), and the outcome a
# heartbeat reports shows in the table; a hub that is not there is exit 3; bad arguments are exit 2.
#   [BUILD=dir] tests/checks/kioskctl_fleet.sh [BUILD]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
KIOSKCTL=$BUILD/kioskctl
HUB=$BUILD/hub
tmp=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL kioskctl_fleet: $*"; exit 1; }
export HUB_LOG=quiet

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$BUILD" "$KIOSKCTL" "$HUB" \
    >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "make failed"; }

unset KIOSK_STAFF_TOKEN
# The staff token goes to a file of its own (0600), never through argv.
"$HUB" staff add alice --db "$tmp/hub.db" --out "$tmp/staff.token" >"$tmp/add.out" || fail "staff add failed"
[[ ! -s $tmp/add.out ]] || fail "staff add --out also printed the token"
[[ $(stat -c %a "$tmp/staff.token") == 600 ]] || fail "the token file is not 0600"
staff=$(cat "$tmp/staff.token")
[[ $staff =~ ^alice\.[0-9a-f]{64}$ ]] || fail "the token file holds '$staff'"
TF=(--token-file "$tmp/staff.token")
"$HUB" --db "$tmp/hub.db" --port 0 --port-file "$tmp/port" --demo >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the hub did not start"
hub="http://127.0.0.1:$(cat "$tmp/port")"
# The demo device's token: random per demo database, in the file beside it.
[[ $(stat -c %a "$tmp/hub.db.demo-token") == 600 ]] || fail "the demo token file is not 0600"
DEMO=$(cat "$tmp/hub.db.demo-token")
[[ $DEMO =~ ^demo-01\.[0-9a-f]{64}$ && $DEMO != *000000000000000000000001 ]] || fail "demo token '$DEMO'"

run() { out=$("$KIOSKCTL" fleet "$@" 2>"$tmp/stderr"); rc=$?; }
expect_error() {
    [[ $rc == "$1" && $out == '{"error":{"code":"'"$2"'","message":'* ]] ||
        fail "fleet $last: want exit $1 with $2, got $rc: $out"
}
# kiosk PATH CTYPE CURL_DATA_ARGS...: POST as the demo kiosk; prints the status,
# the answer in $tmp/kiosk.out.
kiosk() {
    local path=$1 ctype=$2
    shift 2
    curl -s -X POST -H "Authorization: Bearer $DEMO" -H "Idempotency-Key: k-$RANDOM$RANDOM" \
        -H "Content-Type: $ctype" "$@" "$hub$path" -o "$tmp/kiosk.out" -w '%{http_code}'
}

last="status (no heartbeat yet)"
run status --hub "$hub" "${TF[@]}"
[[ $rc == 0 ]] || fail "$last: exit $rc: $out"
jq -e '.kiosks[] | select(.id == "demo-01") | .online == false and .last_heartbeat == null' \
    <<<"$out" >/dev/null || fail "$last: $out"

code=$(kiosk /v1/heartbeat application/json --data '{"interval_s": 60, "content_version": "v7", "paper": "out"}')
[[ $code == 200 ]] || fail "heartbeat got $code"
last="status (after a heartbeat, token from the environment)"
out=$(KIOSK_STAFF_TOKEN=$staff "$KIOSKCTL" fleet status --hub "$hub" 2>"$tmp/stderr"); rc=$?
jq -e '.kiosks[] | select(.id == "demo-01") | .online and .content_version == "v7"
       and .faults == ["paper_out"]' <<<"$out" >/dev/null || fail "$last: $out"
last="status --table (--token on the command line: works, with a warning)"
run status --hub "$hub" --token "$staff" --table
[[ $rc == 0 && $out == *KIOSK*STATE* && $out == *demo-01*online*v7*paper_out* ]] || fail "$last: $out"
grep -q "visible to every user" "$tmp/stderr" || fail "$last: no warning about --token"

last="command"
run command --hub "$hub" "${TF[@]}" demo-01 set_schedule '{"on": "07:00", "off": "22:00"}'
[[ $rc == 0 ]] || fail "$last: exit $rc: $out"
id=$(jq -r '.command.id' <<<"$out")
[[ $(jq -r '.command.status + " " + .command.args.on' <<<"$out") == "queued 07:00" ]] || fail "$last: $out"
kiosk /v1/heartbeat application/json --data '{}' >/dev/null
jq -e --argjson id "$id" '.commands == [{"id": $id, "kind": "set_schedule", "args": {"on": "07:00", "off": "22:00"}}]' \
    "$tmp/kiosk.out" >/dev/null || fail "the heartbeat did not carry command $id: $(cat "$tmp/kiosk.out")"
kiosk /v1/heartbeat application/json --data '{}' >/dev/null
jq -e '.commands == []' "$tmp/kiosk.out" >/dev/null || fail "command delivered twice"

last="screenshot"
run command --hub "$hub" "${TF[@]}" demo-01 screenshot
sid=$(jq -r '.command.id' <<<"$out")
head -c 200000 /dev/urandom >"$tmp/body"
printf '\x89PNG\r\n\x1a\n' | cat - "$tmp/body" >"$tmp/shot.png"
code=$(kiosk "/v1/screenshots?command=$sid" image/png --data-binary "@$tmp/shot.png")
[[ $code == 201 ]] || fail "screenshot upload got $code: $(cat "$tmp/kiosk.out")"
shot=$(jq -r '.screenshot.id' "$tmp/kiosk.out")
run screenshot --hub "$hub" "${TF[@]}" "$shot" --out "$tmp/got.png"
[[ $rc == 0 ]] || fail "$last: exit $rc: $out"
cmp -s "$tmp/shot.png" "$tmp/got.png" || fail "$last: the PNG differs"
run screenshot --hub "$hub" "${TF[@]}" 9999 --out "$tmp/none.png"
expect_error 1 unknown_screenshot

last="update (one kiosk)"
run update --hub "$hub" "${TF[@]}" demo-01 --version 0.2.0
[[ $rc == 0 ]] || fail "$last: exit $rc: $out"
uid=$(jq -r '.update.commands[0].command' <<<"$out")
jq -e '.update.version == "0.2.0" and (.update.commands | length) == 1 and .update.commands[0].kiosk == "demo-01"' \
    <<<"$out" >/dev/null || fail "$last: $out"
kiosk /v1/heartbeat application/json --data '{}' >/dev/null
jq -e --argjson id "$uid" '[.commands[] | select(.kind == "update")] == [{"id": $id, "kind": "update", "args": {"version": "0.2.0"}}]' \
    "$tmp/kiosk.out" >/dev/null || fail "the heartbeat did not carry update $uid: $(cat "$tmp/kiosk.out")"
last="update (a group)"
sqlite3 "$tmp/hub.db" "UPDATE devices SET kiosk_group = 'street' WHERE id = 'demo-01'"
run update --hub "$hub" "${TF[@]}" --group street --version 0.2.1~rc1
[[ $rc == 0 ]] && jq -e '.update.commands[0].kiosk == "demo-01" and (.update.commands[0].command | type) == "number"' \
    <<<"$out" >/dev/null || fail "$last: exit $rc: $out"
last="update (an empty group)"; run update --hub "$hub" "${TF[@]}" --group nowhere --version 0.2.0; expect_error 1 unknown_group
last="update (bad version)"; run update --hub "$hub" "${TF[@]}" demo-01 --version '0.2;reboot'; expect_error 2 usage
last="update (kiosk and group)"; run update --hub "$hub" "${TF[@]}" demo-01 --group street --version 0.2.0; expect_error 2 usage
last="update (no version)"; run update --hub "$hub" "${TF[@]}" demo-01; expect_error 2 usage
last="update outcome in the table"
kiosk /v1/heartbeat application/json --data '{"update_outcome": "rolled_back", "update_version": "0.2.1~rc1", "update_command": 9}' >/dev/null
run status --hub "$hub" "${TF[@]}" --table
[[ $rc == 0 && $out == *"LAST UPDATE"* && $out == *"rolled_back 0.2.1~rc1"* ]] || fail "$last: $out"

last="kiosk token"; run status --hub "$hub" --token "$DEMO"; expect_error 1 unauthorized
last="unknown kiosk"; run command --hub "$hub" "${TF[@]}" nobody restart; expect_error 1 unknown_device
last="bad args"; run command --hub "$hub" "${TF[@]}" demo-01 restart '[1]'; expect_error 2 usage
last="no token"; run status --hub "$hub"; expect_error 2 usage
chmod 644 "$tmp/staff.token"
last="token file readable by others"; run status --hub "$hub" "${TF[@]}"; expect_error 2 token_file
chmod 600 "$tmp/staff.token"
last="no --out"; run screenshot --hub "$hub" "${TF[@]}" 1; expect_error 2 usage

kill -TERM "$pid"; wait "$pid"; pid=""
last="hub down"; run status --hub "$hub" "${TF[@]}"; expect_error 3 hub_unreachable
echo "ok kioskctl_fleet"

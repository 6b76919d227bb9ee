#!/usr/bin/env bash
# Check: `kioskctl idcard read` against the simulated reader ($BUILD/sim_idcard
# on a pseudo-terminal). The demo card comes out as one JSON line, masked by
# default and in clear with --reveal; a wrong check digit gives id_valid
# false and exit 1; no card exits 1 with code no_card; a silent reader exits
# 3 with code timeout; a missing device exits 3; bad arguments exit 2.
# Needs $BUILD/kioskctl and $BUILD/sim_idcard; writes only to a temp folder.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
CTL=$BUILD/kioskctl
SIM=$BUILD/sim_idcard
tmp=$(mktemp -d)
pids=()
held=()     # write ends of the simulators' standard input, open until exit
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL kioskctl_idcard: $*"; exit 1; }
[[ -x $CTL && -x $SIM ]] || fail "$CTL or $SIM is missing (make $CTL $SIM)"

# start_sim NAME [OPTION...]: runs the simulator with its standard input on a
# FIFO this script holds open (it stops when the script ends) and sets PTY.
start_sim() {
    local name=$1 fd
    shift
    mkfifo "$tmp/$name.in"
    "$SIM" "$@" <"$tmp/$name.in" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=($!)
    exec {fd}>"$tmp/$name.in"
    held+=("$fd")
    for _ in $(seq 400); do [[ -s $tmp/$name.out ]] && break; sleep 0.05; done
    PTY=$(head -n 1 "$tmp/$name.out")
    [[ $PTY == /dev/pts/* ]] || fail "sim_idcard $* printed '$PTY': $(cat "$tmp/$name.err")"
}

# expect JSON TEXT...: every TEXT appears in JSON.
expect() {
    local json=$1 t
    shift
    for t in "$@"; do [[ $json == *"$t"* ]] || fail "expected $t in $json"; done
}

start_sim demo
out=$("$CTL" idcard read --device "serial:$PTY"); rc=$?
[[ $rc == 0 ]] || fail "demo card: exit $rc, $out"
[[ $(printf '%s\n' "$out" | wc -l) == 1 && $out == \{*\} ]] || fail "not one JSON line: $out"
expect "$out" '"name":"王*兰"' '"sex":"女"' '"nation":"汉"' '"birth":"19580312"' \
    '"address":"北京市朝阳区幸福里社区3号楼****"' '"id_number":"1101**********0424"' \
    '"authority":"北京市公安局朝阳分局"' '"valid_from":"20180520"' '"valid_to":"长期"' '"id_valid":true'
[[ $out == *王秀兰* || $out == *110105195803120424* || $out == *2单元501* ]] &&
    fail "personal data in clear without --reveal: $out"

out=$("$CTL" idcard read --device "serial:$PTY" --reveal --timeout 3); rc=$?
[[ $rc == 0 ]] || fail "--reveal: exit $rc, $out"
expect "$out" '"name":"王秀兰"' '"id_number":"110105195803120424"' \
    '"address":"北京市朝阳区幸福里社区3号楼2单元501"' '"id_valid":true'

start_sim badid --id 110105195803120425
out=$("$CTL" idcard read --device "serial:$PTY"); rc=$?
[[ $rc == 1 ]] || fail "wrong check digit: exit $rc, $out"
expect "$out" '"id_valid":false' '"name":"王*兰"'

start_sim empty --no-card
out=$("$CTL" idcard read --device "serial:$PTY"); rc=$?
[[ $rc == 1 ]] || fail "no card: exit $rc, $out"
expect "$out" '{"error":{"code":"no_card","message":"no card on the reader"}}'

start_sim silent --silent
start=$(date +%s%N)
out=$("$CTL" idcard read --device "serial:$PTY" --timeout 0.4); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[[ $rc == 3 ]] || fail "silent reader: exit $rc, $out"
expect "$out" '"code":"timeout"'
((ms < 3000)) || fail "silent reader: took ${ms} ms with --timeout 0.4"

out=$("$CTL" idcard read --device serial:/dev/nonexistent-idcard-reader); rc=$?
[[ $rc == 3 ]] || fail "missing device: exit $rc, $out"
expect "$out" '"code":"device_unavailable"' 'No such file or directory'

for args in "idcard" "idcard read" "idcard write --device serial:$PTY" \
            "idcard read --device serial:$PTY --timeout soon" "idcard read --device serial:$PTY --bogus"; do
    # shellcheck disable=SC2086  # word splitting of ARGS is the point
    out=$("$CTL" $args); rc=$?
    [[ $rc == 2 ]] || fail "kioskctl $args: exit $rc, $out"
    expect "$out" '"code":"usage"'
done
echo "kioskctl_idcard: masked and revealed card, bad check digit, no card, timeout, missing device and usage as documented"

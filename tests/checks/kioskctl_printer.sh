#!/usr/bin/env bash
# Check: `kioskctl print` and `kioskctl printer status` against build/sim_printer
# (the virtual ESC/POS printer). The sample receipt (Chinese, with a QR code)
# prints with exit 0 and the printer writes it as PNG + text; near end still
# prints; paper out, cover open and offline are refused with exit 1 and
# nothing printed; paper running out mid-job is exit 1 paper_out; a silent
# printer is exit 3 not_answering within its timeout; a closed port and a
# missing USB device are exit 3; bad receipts and arguments are exit 2; a
# file: device gets the bytes with state "unknown"; SIGTERM stops the
# simulator with 0.
#   [BUILD=dir] [KIOSKCTL=path] [SIM_PRINTER=path] tests/checks/kioskctl_printer.sh [BUILD]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
SAMPLE=tests/drivers/receipt_sample.json
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL kioskctl_printer: $*"; exit 1; }

targets=()
[[ -z ${KIOSKCTL:-} ]] && { KIOSKCTL=$BUILD/kioskctl; targets+=("$KIOSKCTL"); }
[[ -z ${SIM_PRINTER:-} ]] && { SIM_PRINTER=$BUILD/sim_printer; targets+=("$SIM_PRINTER"); }
if ((${#targets[@]})); then
    # A clean sub-make (no jobserver inherited from `make test`).
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$BUILD" "${targets[@]}" \
        >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "make ${targets[*]} failed"; }
fi

# start NAME [sim options]: runs a simulator writing to $tmp/NAME, sets $port
# and $pid.
start() {
    local name=$1
    shift
    "$SIM_PRINTER" --out "$tmp/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 400); do [[ -s $tmp/$name.out ]] && break; sleep 0.05; done
    port=$(head -n 1 "$tmp/$name.out")
    [[ $port =~ ^[0-9]+$ ]] || fail "sim_printer $* did not print its port: $(cat "$tmp/$name.err")"
}

# run ARGS...: kioskctl's output in $out, exit status in $rc.
run() { out=$("$KIOSKCTL" "$@" 2>"$tmp/stderr"); rc=$?; }

# expect_error STATUS CODE: the last run failed with STATUS and error CODE.
expect_error() {
    [[ $rc == "$1" && $out == '{"error":{"code":"'"$2"'","message":'* ]] ||
        fail "kioskctl ${last:-}: want exit $1 with $2, got $rc: $out"
}

# --- ready: the sample receipt prints and comes out as PNG + text ----------
start ready
dev="tcp://127.0.0.1:$port"
last="print (ready)"
run print --device "$dev" --receipt "$SAMPLE"
[[ $rc == 0 && $out =~ ^\{\"printed\":true,\"bytes\":([0-9]+),\"state\":\"ready\"\}$ ]] ||
    fail "print: exit $rc: $out"
bytes=${BASH_REMATCH[1]}
((bytes > 500)) || fail "print sent only $bytes bytes"
for _ in $(seq 400); do [[ -s $tmp/ready/receipt-001.txt ]] && break; sleep 0.05; done
png=$tmp/ready/receipt-001.png txt=$tmp/ready/receipt-001.txt
[[ -s $png && -s $txt ]] || fail "the printer wrote no receipt-001.png/.txt"
[[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "receipt-001.png is not a PNG"
for want in "幸福里社区" "缴费户号：3702****1234" "￥128.50" "订 单 号：KIOSK20261129000042" \
            "[QR https://hub.example/v1/receipts/KIOSK20261129000042?v=8f3a2c]" "partial cut"; do
    grep -qF -- "$want" "$txt" || fail "receipt-001.txt lacks \"$want\":"$'\n'"$(cat "$txt")"
done
grep -q "receipt .*receipt-001.png" "$tmp/ready.out" || fail "sim_printer did not announce the receipt"

last="printer status (ready)"
run printer status --device "$dev"
[[ $rc == 0 && $out == '{"state":"ready","paper":"ok","cover_open":false,"offline":false,"errors":[],"message":"ready"}' ]] ||
    fail "printer status: exit $rc: $out"

# SIGTERM stops the simulator cleanly; its port is then closed.
kill -TERM "$pid"
wait "$pid"; src=$?
[[ $src == 0 ]] || fail "sim_printer exited $src on SIGTERM"
closed=$port

# --- near end prints; refusals print nothing ---------------------------------
start near --state near_end
last="print (near end)"
run print --device "tcp://127.0.0.1:$port" --receipt "$SAMPLE"
[[ $rc == 0 && $out == '{"printed":true,"bytes":'"$bytes"',"state":"paper_near_end","message":'* ]] ||
    fail "near end: exit $rc: $out"

for st in paper_out cover_open offline; do
    start "$st" --state "$st"
    last="print ($st)"
    run print --device "tcp://127.0.0.1:$port" --receipt "$SAMPLE"
    expect_error 1 "$st"
    [[ $out == *'not printed'* ]] || fail "$st: the message does not say it was not printed: $out"
    last="printer status ($st)"
    run printer status --device "tcp://127.0.0.1:$port"
    [[ $rc == 1 && $out == '{"state":"'"$st"'",'* ]] || fail "status $st: exit $rc: $out"
    sleep 0.2
    [[ -z $(ls "$tmp/$st") ]] || fail "$st: something was printed: $(ls "$tmp/$st")"
done
run printer status --device "tcp://127.0.0.1:$port"
[[ $out == *'"paper":"ok","cover_open":false,"offline":true,'* ]] || fail "offline flags: $out"

start cutter --state cutter_error
run printer status --device "tcp://127.0.0.1:$port"
[[ $rc == 1 && $out == '{"state":"error",'*'"errors":["cutter"]'* ]] || fail "cutter error status: exit $rc: $out"

# --- the paper runs out during the job -----------------------------------------
start runs_out --paper-out-after 300
last="print (paper runs out)"
run print --device "tcp://127.0.0.1:$port" --receipt "$SAMPLE"
expect_error 1 paper_out
[[ $out == *"paper ran out while printing"* ]] || fail "mid-job paper out: $out"
run printer status --device "tcp://127.0.0.1:$port"
[[ $rc == 1 && $out == '{"state":"paper_out","paper":"out",'* ]] || fail "after running out: $out"

# --- a printer that never answers: exit 3 within its timeout -------------------
start silent --state no_answer
last="print (no answer)"
t0=$(date +%s%N)
run print --device "tcp://127.0.0.1:$port?timeout=300" --receipt "$SAMPLE"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_error 3 not_answering
((ms < 3000)) || fail "no answer took ${ms} ms"
run printer status --device "tcp://127.0.0.1:$port?timeout=300"
expect_error 3 not_answering

# --- devices that are not there ------------------------------------------------
last="print (closed port)"
run print --device "tcp://127.0.0.1:$closed" --receipt "$SAMPLE"
expect_error 3 device
[[ $out == *"Connection refused"* ]] || fail "closed port: $out"
last="printer status (closed port)"
run printer status --device "tcp://127.0.0.1:$closed"
expect_error 3 device
last="print (usb)"
run print --device usb:/dev/nonexistent --receipt "$SAMPLE"
expect_error 3 device
[[ $out == *"/dev/nonexistent: No such file or directory"* ]] || fail "usb: $out"

# --- bad receipts and arguments -------------------------------------------------
printf '{"items": [{"text": "ok"}, {"text": "x", "size": 12}]}' >"$tmp/bad.json"
last="print (bad receipt)"
run print --device "tcp://127.0.0.1:$closed" --receipt "$tmp/bad.json"
expect_error 2 bad_receipt
[[ $out == *'items[1].size: must be 1-8'* ]] || fail "bad receipt message: $out"
printf '{"items": [{"image": "missing.png"}]}' >"$tmp/noimg.json"
run print --device "tcp://127.0.0.1:$closed" --receipt "$tmp/noimg.json"
expect_error 2 bad_receipt
[[ $out == *'items[0].image'* ]] || fail "missing image message: $out"
run print --device "tcp://127.0.0.1:$closed" --receipt "$tmp/none.json"
expect_error 2 bad_receipt
run print --receipt "$SAMPLE"
expect_error 2 usage
run printer --device "tcp://127.0.0.1:$closed"
expect_error 2 usage
run print --device "http://x" --receipt "$SAMPLE"
expect_error 3 device

# --- file: writes the bytes, cannot confirm --------------------------------------
last="print (file)"
run print --device "file:$tmp/out.bin" --receipt "$SAMPLE"
[[ $rc == 0 && $out == '{"printed":true,"bytes":'"$bytes"',"state":"unknown"}' ]] || fail "file: exit $rc: $out"
[[ $(stat -c %s "$tmp/out.bin") == "$bytes" ]] || fail "file: $(stat -c %s "$tmp/out.bin") bytes written, want $bytes"
run printer status --device "file:$tmp/out.bin"
[[ $rc == 0 && $out == '{"state":"unknown","paper":"unknown","cover_open":null,"offline":null,"errors":[],'* ]] ||
    fail "file: status: exit $rc: $out"

echo "kioskctl_printer: print, status, refusals, paper running out, silence, missing devices, bad receipts as documented"

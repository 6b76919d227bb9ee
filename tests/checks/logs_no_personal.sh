#!/usr/bin/env bash
# Check: nothing personal in the logs of residents' journeys. The end-to-end
# suites that drive the kiosk against a real hub process (test_bills: look-up
# by account, paper bill and ID card, payment, receipts; test_hk: housekeeping
# bookings; test_info: events, registration, help) run with every log line on
# (KIOSK_LOG=debug, HUB_LOG=debug, the hub's stderr kept: HUBPROC_VERBOSE).
# Their stderr, what the journal would hold, must contain none of the demo
# residents' ID numbers, phone numbers, names, account numbers or addresses
# (taken from hub/demo/*.sql), and must not be empty.
# Usage (from anywhere): tests/checks/logs_no_personal.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start logs_no_personal "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# --- what is personal in the demo data -----------------------------------------
{
    grep -ohE "'37020[0-9]{12}[0-9X]'" hub/demo/*.sql          # ID numbers
    grep -ohE "'1[3-9][0-9]{9}'" hub/demo/*.sql                 # mobile numbers
    grep -ohE "^\s*\('[^']+', '37020" hub/demo/bills.sql |     # residents' names
        sed -E "s/^\s*\('([^']+)'.*/'\1'/"
    grep -ohE "\('(water|electricity|gas|heating)', '[0-9]+'" hub/demo/bills.sql |   # account numbers
        grep -oE "'[0-9]{6,}'"
    grep -ohE "'幸福里小区[^']+'" hub/demo/*.sql                 # addresses
} | tr -d "'" | sort -u >"$tmp/personal.txt"
n=$(wc -l <"$tmp/personal.txt")
((n >= 30)) || fail "only $n personal values found in hub/demo/*.sql (the patterns are stale)"

# --- the journeys ---------------------------------------------------------------
for suite in test_bills test_hk test_info; do
    bin=$BUILD/tests/$suite
    [[ -x $bin ]] || { fail "$bin missing (make tests-bin)"; continue; }
    if ! KIOSK_LOG=debug HUB_LOG=debug HUBPROC_VERBOSE=1 timeout -k 5 600 "$bin" \
            >"$tmp/$suite.out" 2>"$tmp/$suite.log"; then
        tail -20 "$tmp/$suite.out"
        fail "$suite failed (its own failure, see above)"
    fi
    grep -q '^kiosk: ' "$tmp/$suite.log" || fail "$suite: no kiosk log lines captured"
    if grep -nF -f "$tmp/personal.txt" "$tmp/$suite.log" >"$tmp/$suite.hits"; then
        head -5 "$tmp/$suite.hits"
        fail "$suite: $(wc -l <"$tmp/$suite.hits") log line(s) with personal data (above)"
    fi
done
if ! grep -q '^hub: ' "$tmp"/test_*.log; then
    # What there was instead, so that a failure on another machine explains itself.
    echo "lines mentioning the hub anywhere: $(grep -h 'hub' "$tmp"/test_*.log | wc -l); the first ones:"
    grep -h 'hub' "$tmp"/test_*.log | head -5 | cut -c1-160
    fail "no hub log lines captured"
fi

if ((failures)); then
    echo "logs_no_personal: $failures failure(s)"
    exit 1
fi
echo "logs_no_personal: ok ($n personal values, none in $(cat "$tmp"/test_*.log | wc -l) log lines)"

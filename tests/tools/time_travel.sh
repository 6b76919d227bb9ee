#!/usr/bin/env bash
# The date-bound suites, run with the machine's clock and zone moved, so that
# a test (or code) that reads the real date fails now rather than months from
# now. Used by tests/checks/time_travel_*.sh, one scenario each:
#
#   time_travel.sh SCENARIO [BUILD]
#     plus400   the real clock 400 days ahead, TZ=UTC;
#               in-process hub suites at 2027-01-31 23:59:30 China time (month end)
#     leapday   the real clock at 2028-02-29 12:00 in New York (TZ=America/New_York);
#               hub suites at 2028-02-28 23:59:30 China time (into the leap day)
#     yearend   the real clock at 2027-12-31 23:59:00 China time (TZ=Asia/Shanghai),
#               crossing into the new year during the run; hub suites likewise
#
# The real clock is moved with libfaketime (Debian package faketime) in the
# test processes and everything they start (hubs, kioskctl, sqlite3); the
# monotonic clock is left alone (timed waits, SDL ticks). The kiosk's own fake
# clock (tests/support/harness.h) and the in-process hub's anchor
# (tests/hub/hubtest.h: $HUB_TEST_NOW) are what the suites should depend on.
# A canary first proves that the clock really moved.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
scenario=${1:?usage: time_travel.sh plus400|leapday|yearend [BUILD]}
BUILD=${2:-${BUILD:-build}}

# The suites that read dates: the hub's, the kiosk's with a hub or a queue
# or a schedule, and the CLI checks with dated fixtures.
SUITES=(test_hk test_info test_street test_bills test_fleet_app test_pay_engine
        test_outbox test_content_sync test_content test_telemetry test_print_queue
        test_store test_app test_golden test_journeys
        test_hub_housekeeping test_hub_content test_hub_pay test_hub_fleet
        test_hub_replay test_hub_bundles test_hub_core test_hub_privacy test_hub_wechat test_hub_rescode
        test_hub_money test_hub_billing test_hub_wxrecon test_hub_scope test_hub_playlists test_hub_console_items
        test_hub_console_reports
        test_pay_e2e)
CHECKS=(kioskctl_scan kioskctl_content kioskctl_fleet kioskctl_queue hub_cli)

lib=""
for l in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/*/faketime/libfaketimeMT.so.1; do
    [[ -f $l ]] && { lib=$l; break; }
done
if [[ -z $lib ]]; then
    echo "time_travel: libfaketime not found (Debian package faketime); run make deps"
    exit 1
fi

case $scenario in
plus400) ft="+400d"; tz=UTC; hubnow="2027-01-31T23:59:30+08:00"; want_year=$(( $(date -u +%Y) + 1 )) ;;
leapday) ft="@2028-02-29 12:00:00"; tz=America/New_York; hubnow="2028-02-28T23:59:30+08:00"; want_year=2028 ;;
yearend) ft="@2027-12-31 23:59:00"; tz=Asia/Shanghai; hubnow="2027-12-31T23:59:30+08:00"; want_year=2027 ;;
*) echo "time_travel: unknown scenario $scenario"; exit 2 ;;
esac

moved() {
    LD_PRELOAD=$lib FAKETIME=$ft FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1 TZ=$tz \
        HUB_TEST_NOW=$hubnow ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
        "$@"
}

# Canary: the clock in a moved process is where the scenario says (a year at
# least as far as asked: +400 days from December may land two years on).
year=$(moved date +%Y)
if [[ -z $year ]] || ((year < want_year)); then
    echo "time_travel: the clock did not move (date says $year, want >= $want_year): the check would prove nothing"
    exit 1
fi
echo "time_travel $scenario: real clock $(moved date '+%F %T %Z'), hub suites at $hubnow"

tmp=$(mktemp -d /tmp/time_travel.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=()
for s in "${SUITES[@]}"; do
    bin=$BUILD/tests/$s
    [[ -x $bin ]] || { failed+=("$s (not built)"); continue; }
    t0=$SECONDS
    if moved timeout -k 5 240 "$bin" </dev/null >"$tmp/$s.log" 2>&1; then
        echo "ok   $s ($((SECONDS - t0)) s)"
    else
        rc=$?
        echo "FAIL $s (exit $rc$( ((rc == 124)) && echo ': timed out after 240 s'), $((SECONDS - t0)) s):"
        grep -E '^\[  (ERROR|FAILED) |LINE|Failure' "$tmp/$s.log" | head -n 12 | sed 's/^/    | /'
        # Nothing recognisable (a crash, a hang): the end of what it printed.
        grep -qE '^\[  (ERROR|FAILED) |LINE|Failure' "$tmp/$s.log" || tail -n 8 "$tmp/$s.log" | sed 's/^/    | /'
        failed+=("$s")
    fi
done
for c in "${CHECKS[@]}"; do
    if moved timeout -k 5 240 bash "tests/checks/$c.sh" "$BUILD" </dev/null >"$tmp/$c.log" 2>&1; then
        echo "ok   check $c"
    else
        echo "FAIL check $c:"
        tail -n 8 "$tmp/$c.log" | sed 's/^/    | /'
        failed+=("check $c")
    fi
done
if ((${#failed[@]})); then
    echo "time_travel $scenario: failed: ${failed[*]}"
    exit 1
fi
echo "time_travel $scenario: every date-bound suite passed"

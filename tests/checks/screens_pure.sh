#!/usr/bin/env bash
# Check: screens are pure functions of the app state, and SQL stays in the
# store. No screen file (one that defines a `const screen_t screen_*`, in
# kiosk/app/ or a service folder kiosk/services/*/, or the screens' shared
# drawing code) runs SQL, parses JSON, starts or stops a thread or talks to
# the network (that is app code: workers, services, the store); no kiosk
# file outside kiosk/store/, kiosk/outbox/ and a service's or layer's own
# store file (kiosk/services/<name>/<x>_store.c, kiosk/<layer>/<x>_store.c)
# calls SQLite.
# A control case proves the pattern finds a planted call.
# Usage (from anywhere): tests/checks/screens_pure.sh [BUILD] (BUILD unused)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

screen_calls='sqlite3_|cJSON_Parse|SDL_CreateThread|pthread_create|curl_'

# The screens' shared drawing code counts as screen code too.
mapfile -t screen_files < <(grep -rlE '^const screen_t screen_' kiosk --include='*.c' | sort)
screen_files+=(kiosk/app/screens.c kiosk/app/chrome.c kiosk/services/bills/pay_common.c)
if ((${#screen_files[@]} < 10)); then
    fail "found only ${#screen_files[@]} screen files (const screen_t screen_*)"
fi
found=$(grep -nE "$screen_calls" "${screen_files[@]}")
if [[ -n $found ]]; then
    fail "screen files do work that belongs in app code:"
    printf '%s\n' "$found"
else
    echo "ok   ${#screen_files[@]} screen files: no SQL, JSON parsing, threads or network calls"
fi

found=$(grep -rn 'sqlite3_' kiosk --include='*.c' |
        grep -v '^kiosk/store/\|^kiosk/outbox/\|^kiosk/services/[a-z_]*/[a-z_]*_store\.c:\|^kiosk/[a-z_]*/[a-z_]*_store\.c:')
if [[ -n $found ]]; then
    fail "SQLite calls outside kiosk/store/, kiosk/outbox/ and *_store.c files:"
    printf '%s\n' "$found"
else
    echo "ok   SQLite is called only from kiosk/store/, kiosk/outbox/ and *_store.c files"
fi

# Control: the same pattern finds a call planted in a copy of a screen.
tmp=$(mktemp -d /tmp/screens_pure.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf 'static void f(void) { cJSON_Parse("{}"); }\n' >"$tmp/planted.c"
if grep -qE "$screen_calls" "$tmp/planted.c"; then
    echo "ok   control: a planted cJSON_Parse is found"
else
    fail "control: the pattern misses a planted cJSON_Parse"
fi

if ((failures)); then
    echo "screens_pure: $failures failure(s)"
    exit 1
fi
echo "screens_pure: all cases passed"

#!/usr/bin/env bash
# Check: `kiosk --hash-pin` makes the staff.pin_hash line of kiosk.ini.
#   - a PIN of 4 to 12 digits on standard input prints exactly one line
#     "pin_hash = $argon2id$v=19$m=..,t=..,p=..$SALT$HASH", exit 0, and a new
#     salt each time;
#   - a 3-digit PIN, a 13-digit PIN, letters and no input fail with exit 2,
#     print nothing on standard output and do not echo the PIN;
#   - the printed line pasted over "pin_hash =" in a copy of kiosk.ini is
#     accepted by the config loader (a --tour run on it exits 0), whereas a
#     PIN pasted there is refused (so the loader really checks that line).
# Usage (from anywhere): tests/checks/hash_pin.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start hash_pin "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

LINE_RE='^pin_hash = \$argon2id\$v=19\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$'

# hash PIN_TEXT: runs --hash-pin with PIN_TEXT on stdin (printf %s, so pass
# the newline yourself); sets rc, out, err.
hash() {
    printf '%s' "$1" | timeout -k 5 15 "$KIOSK" --hash-pin >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

# --- good PINs ----------------------------------------------------------------
expect_hash() {
    local what=$1 pin=$2
    hash "$pin"
    local n
    n=$(grep -c '' "$tmp/out")
    if ((rc != 0)); then
        fail "$what: exit status $rc, expected 0; stderr: $err"
    elif ((n != 1)); then
        fail "$what: $n lines on stdout, expected exactly 1"
        sed 's/^/    | /' "$tmp/out" | head -n 5
    elif ! [[ $out =~ $LINE_RE ]]; then
        fail "$what: output is not a 'pin_hash = \$argon2id\$...' line: $out"
    else
        echo "ok   $what -> ${out:0:48}..."
        return 0
    fi
    return 1
}

expect_hash "echo 2468 | kiosk --hash-pin" $'2468\n' && line1=$out
expect_hash "same PIN again" $'2468\n' && line2=$out
if [[ -n ${line1:-} && -n ${line2:-} ]]; then
    if [[ $line1 == "$line2" ]]; then
        fail "two hashes of the same PIN are identical (no random salt?)"
    else
        echo "ok   two hashes of the same PIN differ (salted)"
    fi
fi
expect_hash "12-digit PIN" $'123456789012\n'
expect_hash "PIN without a newline" '8642'
expect_hash "PIN with a CRLF line ending" $'8642\r\n'

# --- bad PINs -------------------------------------------------------------------
expect_refused() {
    local what=$1 pin=$2 secret=${3:-}
    hash "$pin"
    if ((rc != 2)); then
        fail "$what: exit status $rc, expected 2"
    elif [[ -n $out ]]; then
        fail "$what: printed on stdout: $out"
    elif [[ -z $err ]]; then
        fail "$what: no message on stderr"
    elif [[ -n $secret && $err == *"$secret"* ]]; then
        fail "$what: the message echoes the PIN: $err"
    else
        echo "ok   $what -> exit 2: $err"
    fi
}

expect_refused "3-digit PIN" $'246\n' 246
expect_refused "13-digit PIN" $'1234567890123\n' 1234567890123
expect_refused "letters" $'abcd\n' abcd
expect_refused "digits and letters" $'12ab\n' 12ab
expect_refused "empty line" $'\n'
expect_refused "no input at all" ''

# --- the printed line is accepted by the config loader ----------------------------
if [[ -z ${line1:-} ]]; then
    echo "hash_pin: no hash line to paste, skipping the config part"
    echo "hash_pin: $((failures)) failure(s)"
    exit 1
fi

# paste INI LINE: copy of kiosk.ini with the pin_hash line replaced by LINE
# and var_dir in the temp dir.
paste_into() {
    awk -v t="$2" -v v="var_dir = $tmp/var" '
        /^pin_hash *=/ && !done { print t; done = 1; next }
        /^var_dir *=/ { print v; next }
        { print }
        END { if (!done) exit 1 }' kiosk.ini >"$1"
}

ini=$tmp/kiosk.ini
if ! paste_into "$ini" "$line1"; then
    echo "hash_pin: kiosk.ini has no 'pin_hash =' line to replace; update this check"
    exit 1
fi
pin_line=$(grep -n -m1 '^pin_hash = \$argon2id' "$ini" | cut -d: -f1)

run_tour() {
    rm -rf "${tmp:?}/var" "$tmp/tour"
    timeout -k 5 20 "$KIOSK" --config "$1" \
        --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale" "${@:2}" \
        --tour "$tmp/tour" </dev/null >"$tmp/tour.out" 2>"$tmp/tour.err"
    rc=$?
}

run_tour "$ini"
npng=$(find "$tmp/tour" -name '*.png' 2>/dev/null | wc -l)
if ((rc != 0)); then
    fail "kiosk.ini with the pasted line (line $pin_line): exit status $rc, expected 0; stderr:"
    sed 's/^/    | /' "$tmp/tour.err" | head -n 20
elif ((npng == 0)); then
    fail "kiosk.ini with the pasted line: exit 0 but no tour PNG written"
else
    echo "ok   pasted on line $pin_line of a kiosk.ini copy: config loads, --tour exit 0, $npng PNGs"
fi

# The same with lockdown on (the PIN then guards the staff menu).
run_tour "$ini" --set staff.lockdown=true
if ((rc != 0)); then
    fail "pasted line with staff.lockdown=true: exit status $rc, expected 0"
    sed 's/^/    | /' "$tmp/tour.err" | head -n 20
else
    echo "ok   pasted line with staff.lockdown=true: --tour exit 0"
fi

# Control: a PIN pasted where the hash belongs is refused at that line.
paste_into "$tmp/plain.ini" "pin_hash = 2468"
run_tour "$tmp/plain.ini"
err=$(cat "$tmp/tour.err")
if ((rc != 2)); then
    fail "control: 'pin_hash = 2468' accepted (exit $rc), so the loader does not check the line"
elif [[ $err != "$tmp/plain.ini:$pin_line: pin_hash: "* ]]; then
    fail "control: 'pin_hash = 2468' refused with an unexpected message: $err"
elif [[ $err == *2468* ]]; then
    fail "control: the refusal echoes the PIN: $err"
else
    echo "ok   control: 'pin_hash = 2468' refused: $err"
fi

if ((failures)); then
    echo "hash_pin: $failures failure(s)"
    exit 1
fi
echo "hash_pin: all cases passed"

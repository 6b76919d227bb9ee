#!/usr/bin/env bash
# Check: the kiosk refuses bad configuration at start-up, before it opens a
# window or touches var_dir, with exit status 2 and exactly one line on
# standard error:
#   - a bad kiosk.ini line: "FILE:LINE: KEY: why" (KEY is "[name]" for a
#     section), with LINE the line that is wrong;
#   - --config with a missing file: the message names the file;
#   - a bad --set: the message names --set;
#   - an unknown option: the message names it and the usage follows.
# Each bad line is written into a temporary copy of kiosk.ini.
# Usage (from anywhere): tests/checks/config_errors.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start config_errors "$@"

# The reference kiosk.ini, with var_dir moved into the temp dir, so that even
# a run that wrongly starts writes nothing into the repo.
base=$tmp/base.ini
sed "s|^var_dir = .*|var_dir = $tmp/var|" kiosk.ini >"$base"
if ! grep -qx "var_dir = $tmp/var" "$base"; then
    echo "config_errors: no 'var_dir = ...' line in kiosk.ini to redirect"
    exit 1
fi

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# Line number of the first line of FILE matching the regex RE (0 if none).
line_of() {
    local n
    n=$(grep -n -m1 -E "$2" "$1" | cut -d: -f1)
    echo "${n:-0}"
}

# run_kiosk ARGS...: runs the kiosk with a short timeout (--tour, so that a
# configuration wrongly accepted ends in a second instead of running a
# session); sets rc, out (stdout) and err (stderr).
run_kiosk() {
    rm -rf "${tmp:?}/var" "$tmp/tour"
    # A whole tour on a loaded 2-core machine can take a while; a hang still ends.
    timeout -k 5 90 "$KIOSK" "$@" --tour "$tmp/tour" \
        </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

# expect_refused WHAT: the last run exited 2 with exactly one stderr line, no
# stdout, and did not start (no var_dir, no tour PNG).
expect_refused() {
    local what=$1 nlines ok=1
    nlines=$(grep -c '' "$tmp/err")
    if ((rc != 2)); then
        fail "$what: exit status $rc, expected 2"
        ok=0
    fi
    if ((nlines != 1)); then
        fail "$what: $nlines lines on stderr, expected exactly 1"
        ok=0
    fi
    if [[ -n $out ]]; then
        fail "$what: unexpected output on stdout"
        ok=0
    fi
    if [[ -e $tmp/var || -e $tmp/tour ]]; then
        fail "$what: the kiosk started (created var_dir or the tour dir) despite the error"
        ok=0
    fi
    if ((!ok)); then
        echo "    stderr was:"
        sed 's/^/    | /' "$tmp/err" | head -n 20
    fi
    return $((1 - ok))
}

# bad_ini WHAT LINE NEWTEXT MSG_RE: writes a copy of the base ini with line
# LINE replaced by NEWTEXT (LINE = last line + 1 appends, LINE = 0 inserts at
# the top, then the error is on line 1), runs the kiosk on it and expects
# "COPY:LINE': MSG_RE" as the only stderr line.
case_no=0
bad_ini() {
    local what=$1 line=$2 text=$3 msg_re=$4
    case_no=$((case_no + 1))
    local ini=$tmp/case$case_no.ini total errline=$line
    total=$(grep -c '' "$base")
    if ((line == 0)); then
        { printf '%s\n' "$text"; cat "$base"; } >"$ini"
        errline=1
    elif ((line > total)); then
        { cat "$base"; printf '%s\n' "$text"; } >"$ini"
    else
        awk -v n="$line" -v t="$text" 'NR == n { print t; next } { print }' "$base" >"$ini"
    fi
    run_kiosk --config "$ini"
    expect_refused "$what (line $errline: '$text')" || return
    local want="$ini:$errline: "
    if [[ $err != "$want"* ]]; then
        fail "$what: message does not start with '$want' (file and line of the error)"
        echo "    got: $err"
        return
    fi
    local rest=${err#"$want"}
    if ! [[ $rest =~ $msg_re ]]; then
        fail "$what: message after FILE:LINE does not match /$msg_re/"
        echo "    got: $err"
        return
    fi
    echo "ok   $what -> $err"
}

# --- a control: the unmodified copy loads ------------------------------------
run_kiosk --config "$base" --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale"
if ((rc != 0)); then
    fail "control: the unmodified kiosk.ini copy was refused (exit $rc); stderr:"
    sed 's/^/    | /' "$tmp/err" | head -n 20
    echo "config_errors: $failures failure(s)"
    exit 1
fi
echo "ok   control: unmodified kiosk.ini loads (exit 0)"

# --- bad lines in kiosk.ini --------------------------------------------------
n_idle=$(line_of "$base" '^idle_timeout *=')
n_sess=$(line_of "$base" '^\[session\]')
n_theme=$(line_of "$base" '^theme *=')
n_width=$(line_of "$base" '^width *=')
n_full=$(line_of "$base" '^fullscreen *=')
n_url=$(line_of "$base" '^url *=')
n_printer=$(line_of "$base" '^printer *=')
n_pin=$(line_of "$base" '^pin_hash *=')
n_diag=$(line_of "$base" '^diagonal *=')
n_dpi=$(line_of "$base" '^dpi *=')
n_total=$(grep -c '' "$base")
for v in n_idle n_sess n_theme n_width n_full n_url n_printer n_pin n_diag n_dpi; do
    if ((${!v} == 0)); then
        echo "config_errors: kiosk.ini has changed: no line for $v; update this check"
        exit 1
    fi
done

bad_ini "unknown key" "$n_idle" "idle_timout = 60" \
    '^idle_timout: unknown key'
bad_ini "unknown section" "$n_sess" "[sessions]" \
    '^\[sessions\]: unknown section'
bad_ini "bad value (not a number)" "$n_idle" "idle_timeout = soon" \
    '^idle_timeout: must be a whole number .*"soon"'
bad_ini "out of range (below)" "$n_idle" "idle_timeout = 5" \
    '^idle_timeout: must be a whole number from 10 to 3600'
bad_ini "out of range (above)" "$n_idle" "idle_timeout = 3601" \
    '^idle_timeout: must be a whole number from 10 to 3600'
bad_ini "out of range (width)" "$n_width" "width = 100000" \
    '^width: must be a whole number from 320 to 7680'
bad_ini "bad panel diagonal" "$n_diag" "diagonal = 10.1in" \
    "^diagonal: '10.1in' is not a panel diagonal in inches from 3 to 120"
bad_ini "dpi too small" "$n_dpi" "dpi = 12" \
    "^dpi: 12 is not a panel's dots per inch"
bad_ini "bad word" "$n_theme" "theme = dark" \
    '^theme: must be one of standard, elder, contrast'
bad_ini "bad boolean" "$n_full" "fullscreen = maybe" \
    '^fullscreen: must be true or false'
bad_ini "bad URL" "$n_url" "url = ftp://hub" \
    '^url: must start with http:// or https://'
bad_ini "bad device URI" "$n_printer" "printer = lp0" \
    '^printer: must be empty or start with serial:'
# (The file's last section, whichever it is.)
last_section=$(sed -n 's/^\[\([a-z]*\)\]$/\1/p' kiosk.ini | tail -n1)
bad_ini "unknown key appended at the end" $((n_total + 1)) "speaker = on" \
    "^speaker: unknown key in \\[$last_section\\]"
bad_ini "key above the first section" 0 "mode = hall" \
    '^mode: key outside any section'

# A PIN typed where its hash belongs: refused, and the PIN is not echoed.
bad_ini "PIN instead of its hash" "$n_pin" "pin_hash = 97531" \
    '^pin_hash: must be empty or a line printed by'
if [[ $err == *97531* ]]; then
    fail "PIN instead of its hash: the message echoes the secret value"
fi

# --- --config with a file that does not exist ----------------------------------
run_kiosk --config /nonexistent
if expect_refused "--config /nonexistent"; then
    if [[ $err == /nonexistent:* ]]; then
        echo "ok   --config /nonexistent -> $err"
    else
        fail "--config /nonexistent: message does not start with '/nonexistent:': $err"
    fi
fi

# --- bad --set values ------------------------------------------------------------
# expect_set_error WHAT MSG_RE ARGS...
expect_set_error() {
    local what=$1 msg_re=$2
    shift 2
    run_kiosk --config "$base" "$@"
    expect_refused "$what" || return
    if [[ $err =~ $msg_re ]]; then
        echo "ok   $what -> $err"
    else
        fail "$what: message does not match /$msg_re/: $err"
    fi
}

# Alone, as the first --set, and after other (valid) ones.
expect_set_error "--set display.width=abc (only --set)" \
    '^--set: width: must be a whole number.*"abc"' \
    --set display.width=abc
expect_set_error "--set display.width=abc (first of several)" \
    '^--set: width: must be a whole number.*"abc"' \
    --set display.width=abc --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale"
expect_set_error "--set display.width=abc (after others)" \
    '^--set: width: must be a whole number.*"abc"' \
    --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale" --set display.width=abc
expect_set_error "--set with an unknown key" \
    '^--set: widht: unknown key in \[display\]' \
    --set "kiosk.var_dir=$tmp/var" --set display.widht=800
expect_set_error "--set with an unknown section" \
    '^--set: \[screen\]: unknown section' \
    --set "kiosk.var_dir=$tmp/var" --set screen.width=800
expect_set_error "--set without section.key=value" \
    '--set displaywidth: expected section.key=value' \
    --set "kiosk.var_dir=$tmp/var" --set displaywidth
# --set as the last argument (run_kiosk would append --tour after it).
rm -rf "${tmp:?}/var" "$tmp/tour"
timeout -k 5 15 "$KIOSK" --config "$base" --set </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$? out=$(cat "$tmp/out") err=$(cat "$tmp/err")
if expect_refused "--set without a value"; then
    if [[ $err == *"--set needs a value"* ]]; then
        echo "ok   --set without a value -> $err"
    else
        fail "--set without a value: message does not say '--set needs a value': $err"
    fi
fi

# A good --set really applies (the first one as well as later ones): the
# tour PNGs come out at the --set size.
run_kiosk --config "$base" --set display.width=640 --set display.height=480 \
    --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale"
if ((rc != 0)); then
    fail "valid --set options: exit status $rc, expected 0"
    sed 's/^/    | /' "$tmp/err" | head -n 20
elif [[ ! -f $tmp/tour/home.png ]]; then
    fail "valid --set options: no $tmp/tour/home.png written"
else
    size=$(od -An -tu1 -j16 -N8 "$tmp/tour/home.png" | awk '{
        printf "%dx%d", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }')
    if [[ $size == 640x480 ]]; then
        echo "ok   --set display.width=640 (first --set) and display.height=480 both applied"
    else
        fail "valid --set options: home.png is $size, expected 640x480 (a --set was ignored)"
    fi
fi

# --- an unknown option ---------------------------------------------------------------
rm -rf "${tmp:?}/var" "$tmp/tour"
timeout -k 5 15 "$KIOSK" --config "$base" --bogus </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
why=""
if ((rc != 2)); then
    why="exit status $rc, expected 2"
elif ! grep -q -- 'unknown option --bogus' "$tmp/err"; then
    why="stderr does not name the unknown option"
elif ! grep -q '^usage: kiosk' "$tmp/err"; then
    why="no usage on stderr"
elif [[ -s $tmp/out ]]; then
    why="unexpected output on stdout"
fi
if [[ -n $why ]]; then
    fail "--bogus: $why; stderr was:"
    sed 's/^/    | /' "$tmp/err" | head -n 10
else
    echo "ok   --bogus -> exit 2, '$(head -n1 "$tmp/err")' and the usage"
fi

# A word that is not an option is refused the same way; so is a missing
# value of any option, not only --set.
for args in "--config $base stray" "--tour"; do
    # shellcheck disable=SC2086  # word splitting of ARGS is the point
    timeout -k 5 15 "$KIOSK" $args </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    case $args in
        *stray) want='kiosk: unknown option stray' ;;
        *) want='kiosk: --tour needs a value' ;;
    esac
    if ((rc != 2)) || ! grep -qx -- "$want" "$tmp/err" || [[ -s $tmp/out ]]; then
        fail "$args: want exit 2 and '$want', got $rc: $(head -n1 "$tmp/err")"
    else
        echo "ok   $args -> exit 2, '$want'"
    fi
done

if ((failures)); then
    echo "config_errors: $failures failure(s)"
    exit 1
fi
echo "config_errors: all cases passed"

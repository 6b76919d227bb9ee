#!/usr/bin/env bash
# Check: `make run` on a machine without a display (DISPLAY, WAYLAND_DISPLAY
# and SDL_VIDEODRIVER all unset) explains itself and starts nothing:
# tests/tools/run.sh prints exactly one line (stdout and stderr together)
# that mentions `make tour`, exits non-zero, and starts neither the kiosk
# nor the hub. Stand-in kiosk/hub scripts that leave a mark when run prove
# nothing was started; a control run with SDL_VIDEODRIVER=dummy proves the
# stand-in would have left its mark. Also checks that `make run` goes through
# tests/tools/run.sh (make -n, nothing built).
# Usage (from anywhere): tests/checks/make_run_no_display.sh [BUILD]
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
RUN=tests/tools/run.sh

tmp=$(mktemp -d /tmp/make_run_no_display.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# Stand-ins: each appends its name and arguments to $tmp/started.
for name in kiosk hub; do
    cat >"$tmp/$name" <<EOF
#!/usr/bin/env bash
echo "$name \$*" >>"$tmp/started"
# A hub writes its port file; the kiosk just returns.
while ((\$#)); do [[ \$1 == --port-file ]] && echo 1 >"\$2"; shift; done
exit 0
EOF
    chmod +x "$tmp/$name"
done

# no_display NAME ARGS...: runs run.sh ARGS with no display; sets rc; output
# (stdout and stderr together) in $tmp/NAME.log.
no_display() {
    local name=$1
    shift
    rm -f "$tmp/started"
    env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
        timeout -k 5 15 "$RUN" "$@" </dev/null >"$tmp/$name.log" 2>&1
    rc=$?
}

# expect_refusal WHAT NAME: the last run printed one line mentioning
# `make tour`, exited non-zero and started nothing.
expect_refusal() {
    local what=$1 log=$tmp/$2.log n ok=1
    n=$(grep -c '' "$log")
    if ((rc == 0)); then
        fail "$what: exit status 0, expected non-zero"
        ok=0
    elif ((rc == 124)); then
        fail "$what: still running after 15 s (did it start the kiosk?)"
        ok=0
    fi
    if ((n != 1)); then
        fail "$what: printed $n lines, expected exactly 1"
        ok=0
    elif ! grep -q 'make tour' "$log"; then
        fail "$what: the line does not mention 'make tour'"
        ok=0
    fi
    if [[ -e $tmp/started ]]; then
        fail "$what: started something: $(tr '\n' ';' <"$tmp/started")"
        ok=0
    fi
    if ((ok)); then
        echo "ok   $what -> exit $rc: $(cat "$log")"
    else
        echo "    output was:"
        sed 's/^/    | /' "$log" | head -n 20
    fi
}

# --- the real kiosk binary, as `make run` calls it ----------------------------------
if [[ ! -x $BUILD/kiosk ]]; then
    echo "make_run_no_display: $BUILD/kiosk not found (run make all)"
    exit 1
fi
no_display real "$BUILD/kiosk"
expect_refusal "run.sh $BUILD/kiosk" real
no_display real_hub "$BUILD/kiosk" "$BUILD/hub"
expect_refusal "run.sh $BUILD/kiosk $BUILD/hub" real_hub

# --- stand-ins: nothing is started ---------------------------------------------------
no_display stub "$tmp/kiosk"
expect_refusal "run.sh STAND-IN-KIOSK" stub
no_display stub_hub "$tmp/kiosk" "$tmp/hub"
expect_refusal "run.sh STAND-IN-KIOSK STAND-IN-HUB" stub_hub
no_display stub_args "$tmp/kiosk" "$tmp/hub" -- --screen home
expect_refusal "run.sh STAND-IN-KIOSK STAND-IN-HUB -- --screen home" stub_args

# --- control: with a video driver named, the stand-in kiosk is started ----------------
# (No hub here: run.sh would create var/ in the repo for the hub's database.)
rm -f "$tmp/started"
env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=dummy \
    timeout -k 5 15 "$RUN" "$tmp/kiosk" -- --screen home </dev/null >"$tmp/control.log" 2>&1
rc=$?
if ((rc != 0)); then
    fail "control (SDL_VIDEODRIVER=dummy): run.sh exit status $rc, expected 0"
    sed 's/^/    | /' "$tmp/control.log" | head -n 20
elif ! grep -qx 'kiosk --config kiosk.ini --screen home' "$tmp/started" 2>/dev/null; then
    fail "control (SDL_VIDEODRIVER=dummy): the stand-in kiosk was not started as expected: $(cat "$tmp/started" 2>/dev/null)"
else
    echo "ok   control: with SDL_VIDEODRIVER=dummy run.sh starts the kiosk: $(cat "$tmp/started")"
fi

# --- `make run` goes through tests/tools/run.sh ------------------------------------------
if command -v make >/dev/null 2>&1; then
    if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n --no-print-directory BUILD="$BUILD" run 2>/dev/null |
        grep "^tests/tools/run.sh $BUILD/kiosk\( \|$\)" >/dev/null; then
        echo "ok   make run calls tests/tools/run.sh $BUILD/kiosk"
    else
        fail "make -n run does not show 'tests/tools/run.sh $BUILD/kiosk'"
    fi
fi

if ((failures)); then
    echo "make_run_no_display: $failures failure(s)"
    exit 1
fi
echo "make_run_no_display: all cases passed"

# shellcheck shell=bash
# Shared part of the checks that run the kiosk on a real X server (Xvfb):
# tests/checks/xvfb_window.sh and tests/checks/lockdown_escape.sh. Sourced.
#   xvfb_check_start NAME TOOLS... -- "$@"
#       goes to the repo root; sets BUILD (first argument after --, else
#       $BUILD, else build), KIOSK, tmp (a fresh temp dir) and ini (kiosk.ini
#       with var_dir in tmp); exits 1 when the kiosk or one of TOOLS
#       ("command:debian-package") is missing; installs the EXIT trap that
#       stops every process started through this file (the kiosk, Xvfb and
#       the pids added to bg_pids) and removes tmp.
#   xvfb_up W H         Xvfb on a free display (-displayfd), DISPLAY exported
#   kiosk_start NAME ARGS...   kiosk in the background, waits for its window
#   kiosk_stop NAME     SIGTERM, expects exit 0 within 5 s
#   shot, stddev, above, diff_pixels, window_geometry, x_error, fail, show_log
# Failures are counted in $failures (fail); the caller prints the summary.

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
show_log() { sed 's/^/    | /' "$1" | tail -n 15; }

xvfb_pid="" kiosk_pid=""
bg_pids=()   # other processes of the check (window manager, decoys), stopped at exit

xvfb_cleanup() {
    [[ -n $kiosk_pid ]] && kill -KILL "$kiosk_pid" 2>/dev/null
    local p
    for p in "${bg_pids[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${bg_pids[@]}"; do
        wait "$p" 2>/dev/null
    done
    if [[ -n $xvfb_pid ]]; then
        kill -TERM "$xvfb_pid" 2>/dev/null
        wait "$xvfb_pid" 2>/dev/null
    fi
    [[ -n ${tmp:-} ]] && rm -rf "$tmp"
}

xvfb_check_start() {
    local name=$1 tool
    shift
    local tools=()
    while (($#)) && [[ $1 != -- ]]; do
        tools+=("$1")
        shift
    done
    [[ ${1:-} == -- ]] && shift
    cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
    BUILD=${1:-${BUILD:-build}}
    KIOSK=$PWD/$BUILD/kiosk
    [[ $BUILD == /* ]] && KIOSK=$BUILD/kiosk
    if [[ ! -x $KIOSK ]]; then
        echo "$name: $KIOSK not found (run make all)"
        exit 1
    fi
    local missing=()
    for tool in Xvfb:xvfb xwininfo:x11-utils import:imagemagick convert:imagemagick \
            compare:imagemagick "${tools[@]}"; do
        command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool%%:*} (Debian package ${tool#*:})")
    done
    if ((${#missing[@]})); then
        echo "$name: missing: ${missing[*]}; run make deps"
        exit 1
    fi
    tmp=$(mktemp -d "/tmp/$name.XXXXXX") || exit 1
    trap xvfb_cleanup EXIT
    trap 'exit 143' TERM INT HUP   # run the cleanup when killed too

    # An ASan build (make asan) reports at exit a block that libdbus (used by
    # SDL's X11 video driver, not by the kiosk) never frees: not ours, so
    # suppressed for these runs, like the system-library noise in
    # tests/valgrind.supp. Only the kiosk under a window needs it.
    printf '%s\n' 'leak:libdbus-1.so' >"$tmp/lsan.supp"
    export LSAN_OPTIONS="suppressions=$tmp/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

    # kiosk.ini with var_dir in the temp dir (belt and braces with --set).
    ini=$tmp/kiosk.ini
    sed "s|^var_dir = .*|var_dir = $tmp/var|" kiosk.ini >"$ini"
}

# xvfb_up W H: Xvfb on a free display; exports DISPLAY; exits 1 if it
# does not start.
xvfb_up() {
    SCREEN_W=$1 SCREEN_H=$2
    Xvfb -displayfd 3 -screen 0 "${SCREEN_W}x${SCREEN_H}x24" -nolisten tcp \
        3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 </dev/null &
    xvfb_pid=$!
    for _ in $(seq 400); do
        [[ -s $tmp/display ]] && break
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [[ ! -s $tmp/display ]]; then
        echo "Xvfb did not start:"
        show_log "$tmp/xvfb.log"
        exit 1
    fi
    DISPLAY=:$(head -n1 "$tmp/display")
    export DISPLAY
    unset SDL_VIDEODRIVER WAYLAND_DISPLAY
    export SDL_AUDIODRIVER=dummy
    echo "Xvfb on $DISPLAY (${SCREEN_W}x${SCREEN_H})"
}

shot_no=0
# shot [xwd]: screenshot of the root window into a new file, whose path it
# puts in $f: PNG by ImageMagick's import, or with xwd (Debian package
# x11-apps) an X window dump, 2-3 times faster to take (ImageMagick reads
# it; two dumps of the same pixels are the same bytes).
# shellcheck disable=SC2120  # shot takes an optional format
shot() {
    shot_no=$((shot_no + 1))
    f=$tmp/shot$shot_no.${1:-png}
    if [[ ${1:-} == xwd ]]; then
        xwd -root -silent -out "$f" 2>>"$tmp/import.log"
    else
        import -window root "$f" 2>>"$tmp/import.log"
    fi
}
stddev() { convert "$1" -format '%[fx:standard_deviation]' info: 2>/dev/null; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
# Pixels that differ between two same-size images (fuzz 3%), optionally
# within the crop geometry $3.
diff_pixels() {
    local crop=()
    [[ -n ${3:-} ]] && crop=(-crop "$3" +repage)
    if ((${#crop[@]} == 0)); then
        compare -metric AE -fuzz 3% "$1" "$2" null: 2>&1 | awk '{ printf "%d\n", $1 }'
        return
    fi
    if ! convert "$1" "${crop[@]}" "$tmp/a.miff" || ! convert "$2" "${crop[@]}" "$tmp/b.miff"; then
        echo 999999999
        return
    fi
    compare -metric AE -fuzz 3% "$tmp/a.miff" "$tmp/b.miff" null: 2>&1 | awk '{ printf "%d\n", $1 }'
}

# kiosk_start NAME ARGS...: starts the kiosk in the background (log
# $tmp/NAME.log) and waits up to 10 s for its window; sets kiosk_pid and
# kiosk_win (its X window id, decimal); 1 on failure.
kiosk_start() {
    local name=$1
    shift
    "$KIOSK" --config "$ini" --set "kiosk.var_dir=$tmp/var-$name" \
        --set "kiosk.locale_dir=$BUILD/locale" --set display.renderer=software "$@" \
        </dev/null >"$tmp/$name.log" 2>&1 &
    kiosk_pid=$!
    kiosk_win=""
    for _ in $(seq 200); do
        if ! kill -0 "$kiosk_pid" 2>/dev/null; then
            wait "$kiosk_pid"
            fail "$name: the kiosk exited (status $?) before its window appeared:"
            show_log "$tmp/$name.log"
            kiosk_pid=""
            return 1
        fi
        kiosk_win=$(xwininfo -root -tree 2>/dev/null | awk '/"kiosk": \("kiosk"/ { print $1; exit }')
        if [[ -n $kiosk_win ]]; then
            kiosk_win=$((kiosk_win))
            return 0
        fi
        sleep 0.05
    done
    fail "$name: no window named \"kiosk\" after 10 s (if the kiosk runs on, SDL could not reach $DISPLAY and fell back to its offscreen driver):"
    show_log "$tmp/$name.log"
    return 1
}

# window_geometry: WxH+X+Y of the window "kiosk".
window_geometry() {
    xwininfo -name kiosk 2>/dev/null | awk '
        /Absolute upper-left X:/ { x = $NF } /Absolute upper-left Y:/ { y = $NF }
        /^ *Width:/ { w = $NF } /^ *Height:/ { h = $NF }
        END { if (w) printf "%sx%s+%s+%s\n", w, h, x, y }'
}

# x_error LOG: true if LOG holds the fatal Xlib error seen (rarely, under
# load) when the kiosk quits: "BadWindow" on an X_SendEvent to its window,
# which SDL 2.26 sends on a second X connection to wake its event wait, and
# which can reach the server after the window is destroyed; Xlib's default
# error handler then exits with status 1.
x_error() {
    grep -q 'BadWindow' "$1" && grep -q 'X_SendEvent' "$1"
}

# kiosk_stop NAME: SIGTERM, then expects exit 0 within 5 s.
kiosk_stop() {
    local name=$1 t0 ms rc
    [[ -n $kiosk_pid ]] || return
    t0=$(date +%s%N)
    kill -TERM "$kiosk_pid"
    for _ in $(seq 100); do
        kill -0 "$kiosk_pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$kiosk_pid" 2>/dev/null; then
        fail "$name: still running 5 s after SIGTERM"
        kill -KILL "$kiosk_pid"
        wait "$kiosk_pid" 2>/dev/null
        kiosk_pid=""
        show_log "$tmp/$name.log"
        return
    fi
    wait "$kiosk_pid"
    rc=$?
    kiosk_pid=""
    ms=$((($(date +%s%N) - t0) / 1000000))
    if ((rc != 0)); then
        fail "$name: exit status $rc after SIGTERM, expected 0"
        show_log "$tmp/$name.log"
        x_error "$tmp/$name.log" &&
            echo "    (the X error above: SDL's wake-up event raced the window's destruction at quit)"
    else
        echo "ok   $name: SIGTERM -> exit 0 after $ms ms"
    fi
}

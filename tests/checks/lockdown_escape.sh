#!/usr/bin/env bash
# Check: a locked-down kiosk (staff.lockdown=true, full screen) on a real X
# server (Xvfb, 1280x800) cannot be left with what a passer-by can do with a
# USB keyboard and the touch screen. Two passes, run at once, each on its
# own Xvfb:
#   bare     no window manager: the X form of the deployed session (cage
#            runs one application and nothing else, deploy/systemd);
#   openbox  a stock window manager with its default bindings (Alt+F4
#            closes, Alt+Tab switches, Alt+middle click lowers, Alt+Space and
#            right clicks open menus, Super+D shows the desktop ...): the
#            worst case, a kiosk set up on an ordinary X desktop.
# In each, a decoy window (xmessage, "the desktop") is mapped before the
# kiosk, one tap opens the home screen, and then every action of the list
# below is tried; after each one the kiosk must still be running, its
# window mapped, covering the screen (and in the window manager's
# fullscreen state), the top-most window, holding the keyboard focus; no
# other window may have appeared, and the screen must still match the
# screenshot taken before (fewer than 0.25% of the pixels differ, fuzz 3%).
# Under openbox a close request (_NET_CLOSE_WINDOW, what its Alt+F4 sends)
# is tried too: the kiosk must not quit on it.
# Controls, proving the check sees an escape: without lockdown, under
# openbox, Alt+middle click lowers the kiosk and Alt+F4 closes it; a window
# raised over the locked-down kiosk, a new window, and the kiosk's window
# minimized are each reported.
# Limits: Xvfb has no touch device and XTEST cannot inject touches, so
# multi-finger touches are tried as the X server delivers them to the
# kiosk (the first finger emulates the pointer: presses, drags, long
# presses), and as SDL delivers them (finger and gesture events) in
# test_app's lockdown_ignores_touch_gestures. Xvfb has no virtual
# terminals: Ctrl+Alt+Fn and Ctrl+Alt+Backspace are checked to do nothing to
# the kiosk or the window manager; on the kiosk itself cage refuses VT
# switching (README, "Lockdown").
# Screenshots of failures are kept in $BUILD/test-logs/lockdown_escape/.
# Needs xvfb, x11-utils (xwininfo, xprop, xmessage), x11-apps (xwd),
# imagemagick, xdotool, openbox, wmctrl (tests/tools/deps.sh). Takes under
# a minute on a quiet machine, two at a load of 12 on 2 cores.
# Usage (from anywhere): tests/checks/lockdown_escape.sh [BUILD]
# check-timeout: 600
set -uo pipefail

self=$(realpath "${BASH_SOURCE[0]}")
# shellcheck source=tests/tools/xvfb_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/xvfb_lib.sh"
xvfb_check_start lockdown_escape xdotool:xdotool xprop:x11-utils xmessage:x11-utils \
    xwd:x11-apps openbox:openbox wmctrl:wmctrl -- "$@"
SCREEN_W=1280 SCREEN_H=800
keep=$BUILD/test-logs/lockdown_escape

# The two passes run at once, each on its own Xvfb (LOCKDOWN_PASS names it):
# the check spends its time waiting for X round trips and short-lived
# tools, not computing, so this halves it on a busy machine.
if [[ -z ${LOCKDOWN_PASS:-} ]]; then
    rm -rf "$keep"
    for p in bare openbox; do
        LOCKDOWN_PASS=$p "$self" "$BUILD" >"$tmp/$p.out" 2>&1 </dev/null &
        bg_pids+=($!)
    done
    rc=0
    for p in "${bg_pids[@]}"; do
        wait "$p" || rc=1
    done
    bg_pids=()
    cat "$tmp/bare.out" "$tmp/openbox.out"
    if ((rc)); then
        echo "lockdown_escape: failed"
        exit 1
    fi
    echo "lockdown_escape: all cases passed"
    exit 0
fi
xvfb_up "$SCREEN_W" "$SCREEN_H"
SETTLE=0.15                              # seconds for the server, WM and kiosk to react
MAX_DIFF=$((SCREEN_W * SCREEN_H / 400))  # the clock's minute changes far fewer pixels
# Blank spots of the home screen at 1280x800 (no widget: a press there does
# nothing, so the screen must not change): the bottom bar's middle, the gap
# between the rows of tiles.
BLANK_X=760 BLANK_Y=757
GAP_X=640 GAP_Y=397

# --- the actions -----------------------------------------------------------------------------
# One per line: a label, then xdotool arguments (run after moving the
# pointer to a blank spot), or "long BUTTON" (held 1.5 s), or "swipe X0 Y0
# X1 Y1" (a finger dragged in steps).
KEYS=(
    alt+F4 alt+Tab alt+shift+Tab ctrl+alt+Tab alt+Escape alt+space alt+Print alt+F2 alt+F1
    ctrl+alt+BackSpace ctrl+alt+Delete ctrl+alt+Escape ctrl+alt+Left ctrl+alt+Right ctrl+alt+t
    ctrl+alt+F1 ctrl+alt+F2 ctrl+alt+F3 ctrl+alt+F4 ctrl+alt+F5 ctrl+alt+F6
    ctrl+alt+F7 ctrl+alt+F8 ctrl+alt+F9 ctrl+alt+F10 ctrl+alt+F11 ctrl+alt+F12
    super super+d super+e super+r super+l super+Tab super+F1 super+Up super+Down
    ctrl+w ctrl+n ctrl+t ctrl+q ctrl+shift+q ctrl+shift+Escape
    F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12
    Escape ctrl+Escape Menu shift+F10 Print Return
)
# The kiosk's own keypad keys (kiosk.ini [keypad] defaults; the keypad
# works in lockdown, whatever the modifiers): a combination ending in one of
# them may change the kiosk's screen (help, back, the focus ring, voice
# on/off), so after these the screen is not compared; every other check
# holds. They are tried last, after the others have had a still screen.
KEYPAD_KEYS=" Up Down Left Right BackSpace F1 F2 F3 F4 KP_Enter KP_Add KP_Subtract "
POINTER=(
    "right click:click 3"
    "right double click:click --repeat 2 3"
    "middle click:click 2"
    "scroll up:click 4"
    "scroll down:click 5"
    "alt+left drag:keydown alt mousedown 1 mousemove_relative 200 100 mouseup 1 keyup alt"
    "alt+right drag:keydown alt mousedown 3 mousemove_relative 200 100 mouseup 3 keyup alt"
    "alt+middle click:keydown alt click 2 keyup alt"
    "super+left click:keydown super click 1 keyup super"
    "ctrl+right click:keydown ctrl click 3 keyup ctrl"
    "long press:long 1"
    "long right press:long 3"
    "swipe from the left edge:swipe 0 $GAP_Y 600 $GAP_Y"
    "swipe from the right edge:swipe $((SCREEN_W - 1)) $GAP_Y 600 $GAP_Y"
    "swipe from the top edge:swipe 500 0 500 600"
    "swipe from the bottom edge:swipe $BLANK_X $((SCREEN_H - 1)) $BLANK_X 200"
    "rapid taps:click --repeat 8 --delay 40 1"
)

# --- what the screen holds -------------------------------------------------------------------
# top_level WINDOW: the child of the root holding WINDOW (the window
# manager's frame, or the window itself without one), decimal.
top_level() {
    local w=$1 parent
    for _ in 1 2 3 4 5 6 7 8; do
        parent=$(xwininfo -children -id "$w" 2>/dev/null | awk '/Parent window id:/ { print $4 }')
        [[ -z $parent ]] && return 1
        (( parent == root_win )) && { echo $((w)); return 0; }
        w=$parent
    done
    return 1
}
# visible: sets vis to the mapped children of the root that show on the
# screen (not the window manager's off-screen ones), top-most first (the
# order xwininfo lists them in), decimal ids. Parsed in bash: under load
# every extra process costs tens of milliseconds, times ~80 actions.
visible() {
    local -A shown=()
    local id line re='^ +(0x[0-9a-f]+) .* ([0-9]+)x([0-9]+)[-+]-?[0-9]+[-+]-?[0-9]+ +\+(-?[0-9]+)\+(-?[0-9]+)$'
    for id in $(xdotool search --onlyvisible --maxdepth 1 --name '' 2>/dev/null); do
        shown[$id]=1
    done
    vis=()
    while IFS= read -r line; do
        [[ $line =~ $re ]] || continue
        id=$((BASH_REMATCH[1]))
        [[ -n ${shown[$id]:-} ]] || continue
        # On screen when WxH at +AX+AY meets 0..SCREEN_W, 0..SCREEN_H.
        ((BASH_REMATCH[4] + BASH_REMATCH[2] > 0 && BASH_REMATCH[5] + BASH_REMATCH[3] > 0 &&
          BASH_REMATCH[4] < SCREEN_W && BASH_REMATCH[5] < SCREEN_H)) && vis+=("$id")
    done < <(xwininfo -root -children 2>/dev/null)
}
# window_name ID: the window's name, or its first named descendant's (a
# window manager's frame has none; its client does).
window_name() {
    local n
    n=$(xwininfo -tree -id "$1" 2>/dev/null | awk -F'"' '/"/ { print "\"" $2 "\""; exit }')
    echo "${n:-(no name)}"
}

# baseline: what the checks compare with (after the kiosk is set up, and
# again after a reported escape, so each one is reported once).
baseline() {
    visible
    base_windows=("${vis[@]}")
    shot xwd
    ref=$f
}

# check_kiosk: sets why[] to what is wrong (empty: the kiosk is in front and
# nothing changed). It uses (and clears) focus when act set it, else asks
# for it. With lenient=1 the screen may change (the kiosk's own keypad keys:
# below).
lenient=0 focus=""
check_kiosk() {
    why=()
    if ! kill -0 "$kiosk_pid" 2>/dev/null; then
        why+=("the kiosk process ended")
        return
    fi
    local info geo
    if ! info=$(xwininfo -id "$kiosk_win" 2>&1); then
        why+=("its window is gone")
        return
    fi
    [[ $info =~ Map\ State:\ ([A-Za-z]+) ]]
    [[ ${BASH_REMATCH[1]:-} == IsViewable ]] || why+=("its window is not mapped (${BASH_REMATCH[1]:-?})")
    local v=() k
    for k in Width Height 'Absolute upper-left X' 'Absolute upper-left Y'; do
        if [[ $info =~ $k:\ +(-?[0-9]+) ]]; then v+=("${BASH_REMATCH[1]}"); else v+=('?'); fi
    done
    geo="${v[0]}x${v[1]}+${v[2]}+${v[3]}"
    [[ $geo == "${SCREEN_W}x${SCREEN_H}+0+0" ]] || why+=("its window is $geo, not the whole screen")
    if ((wm)); then
        info=$(xprop -id "$kiosk_win" _NET_WM_STATE 2>/dev/null)
        [[ $info == *_NET_WM_STATE_FULLSCREEN* ]] || why+=("not in the window manager's fullscreen state")
    fi
    local now_focus=$focus
    focus=""
    [[ -n $now_focus ]] || now_focus=$(xdotool getwindowfocus 2>/dev/null)
    [[ $now_focus == "$kiosk_win" ]] ||
        why+=("the keyboard focus is on ${now_focus:-no window} $(window_name "${now_focus:-0}")")
    local top id new=()
    visible
    top=${vis[0]:-}
    [[ $top == "$kiosk_top" ]] || why+=("the top-most window is $top $(window_name "$top"), not the kiosk")
    for id in "${vis[@]}"; do
        [[ " ${base_windows[*]} " == *" $id "* ]] || new+=("$id $(window_name "$id")")
    done
    ((${#new[@]})) && why+=("new window(s): ${new[*]}")
    shot xwd
    local d
    d=0
    ((lenient)) || cmp -s "$ref" "$f" || d=$(diff_pixels "$ref" "$f")
    if ((d > MAX_DIFF)) && [[ $pass == control ]]; then
        why+=("the screen changed: $d pixels differ")
    elif ((d > MAX_DIFF)); then
        mkdir -p "$keep"
        local n=$keep/$pass-$shot_no
        convert "$ref" "$n-before.png" 2>/dev/null
        convert "$f" "$n-after.png" 2>/dev/null
        why+=("the screen changed: $d pixels differ ($n-before.png, $n-after.png)")
    fi
}

# act ARGS: performs one action (see POINTER; keys with the pointer where
# it was, pointer actions from a blank spot), waits SETTLE seconds and sets
# focus to the window holding the keyboard focus (one xdotool, as each
# costs ~50 ms).
act() {
    local i
    case $1 in
        long)
            xdotool mousemove "$BLANK_X" "$BLANK_Y" mousedown "$2" sleep 1.5 mouseup "$2"
            ;;
        swipe)
            local x0=$2 y0=$3 x1=$4 y1=$5 steps=()
            for i in 1 2 3 4 5 6 7 8; do
                steps+=(mousemove $((x0 + (x1 - x0) * i / 8)) $((y0 + (y1 - y0) * i / 8)) sleep 0.02)
            done
            xdotool mousemove "$x0" "$y0" mousedown 1 "${steps[@]}" mouseup 1
            ;;
        close)
            # _NET_CLOSE_WINDOW: the window manager sends the kiosk the
            # WM_DELETE_WINDOW its close button or Alt+F4 would.
            wmctrl -i -c "$kiosk_win"
            ;;
        key)
            focus=$(xdotool "$@" sleep "$SETTLE" getwindowfocus 2>/dev/null)
            return
            ;;
        *)
            focus=$(xdotool mousemove "$BLANK_X" "$BLANK_Y" "$@" sleep "$SETTLE" getwindowfocus 2>/dev/null)
            return
            ;;
    esac
    focus=$(xdotool sleep "$SETTLE" getwindowfocus 2>/dev/null)
}

# recover: puts the kiosk back in front after a reported escape, so the
# next action is tested on its own. 1 if the kiosk is gone.
recover() {
    kill -0 "$kiosk_pid" 2>/dev/null || return 1
    xdotool key Escape 2>/dev/null   # closes an open window manager menu
    xdotool windowmap "$kiosk_win" windowraise "$kiosk_top" 2>/dev/null
    ((wm)) && xdotool windowactivate "$kiosk_win" 2>/dev/null
    sleep 0.3
    baseline
}

# try LABEL ARGS...: one action of the list, then the checks.
tried=0 escaped=0
try() {
    local label=$1
    shift
    act "$@"
    check_kiosk
    tried=$((tried + 1))
    if ((${#why[@]})); then
        escaped=$((escaped + 1))
        fail "$pass: $label: $(IFS=';'; echo "${why[*]}")"
        recover || return 1
    fi
    ref=$f   # the screen may drift (the clock's minute); each action is compared with the one before
    return 0
}

# setup NAME ARGS...: the decoy, then the kiosk; one tap opens the home
# screen; sets kiosk_top and the baseline. 1 on failure.
setup() {
    local name=$1 i
    shift
    xmessage -geometry 700x300+80+80 -name decoy "the desktop: the kiosk must hide this" \
        >/dev/null 2>&1 </dev/null &
    decoy_pid=$!
    bg_pids+=("$decoy_pid")
    for i in $(seq 400); do
        xdotool search --onlyvisible --name '^decoy$' >/dev/null 2>&1 && break
        sleep 0.05
    done
    kiosk_start "$name" --set staff.lockdown=true --set display.fullscreen=true \
        --set "display.width=$SCREEN_W" --set "display.height=$SCREEN_H" \
        --set session.idle_timeout=3600 --set session.attract_interval=600 "$@" || return 1
    kiosk_top=$(top_level "$kiosk_win") || { fail "$name: cannot find the kiosk's top-level window"; return 1; }
    sleep 1
    xdotool mousemove "$GAP_X" "$GAP_Y" click 1
    for i in $(seq 50); do
        grep -q 'session: started' "$tmp/$name.log" && break
        sleep 0.1
    done
    sleep 0.5
    baseline
    check_kiosk
    if ((${#why[@]})); then
        fail "$name: before any action: $(IFS=';'; echo "${why[*]}")"
        return 1
    fi
    echo "ok   $name: the kiosk is in front (window $(printf 0x%x "$kiosk_win"), top-level $(printf 0x%x "$kiosk_top"))"
}

teardown() {
    kiosk_stop "$1"
    kill -TERM "$decoy_pid" 2>/dev/null
    wait "$decoy_pid" 2>/dev/null
}

# run_pass NAME: every action of KEYS and POINTER against a fresh kiosk.
run_pass() {
    pass=$1
    local t0=$SECONDS k p before=$failures
    tried=0 escaped=0
    setup "$pass" || { teardown "$pass"; return; }
    local own=()
    for k in "${KEYS[@]}"; do
        [[ $KEYPAD_KEYS == *" ${k##*+} "* ]] && { own+=("$k"); continue; }
        try "$k" key "$k" || return
    done
    for p in "${POINTER[@]}"; do
        # shellcheck disable=SC2086  # the action's arguments
        try "${p%%:*}" ${p#*:} || return
    done
    # Not a passer-by's: what the window manager would send if its
    # bindings ever got through (defence in depth for the SDL hints).
    ((wm)) && { try "the window manager's close request" close || return; }
    lenient=1
    for k in "${own[@]}"; do
        try "$k (keypad)" key "$k" || break
    done
    lenient=0
    if ((failures == before)); then
        echo "ok   $pass: $tried actions, the kiosk stayed in front after each ($((SECONDS - t0)) s)"
    else
        echo "     $pass: $escaped of $tried actions got past the lockdown"
    fi
}

root_win=$(($(xwininfo -root | awk '/xwininfo: Window id:/ { print $4 }')))

# --- pass bare: no window manager ------------------------------------------------------------
if [[ $LOCKDOWN_PASS == bare ]]; then
    wm=0
    run_pass bare
    [[ -n $kiosk_pid ]] && teardown bare
    ((failures)) && exit 1
    exit 0
fi

# --- pass openbox ----------------------------------------------------------------------------
# Its stock bindings (not the user's), and its cache in the temp dir.
env HOME="$tmp" openbox --config-file /etc/xdg/openbox/rc.xml --sm-disable \
    >"$tmp/openbox.log" 2>&1 </dev/null &
bg_pids+=($!)
for _ in $(seq 400); do
    xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' && break
    sleep 0.05
done
wm=1
run_pass openbox

# --- controls: the checks do see an escape ---------------------------------------------------
# control LABEL: runs the checks, which must report something.
control() {
    check_kiosk
    if ((${#why[@]})); then
        echo "ok   control: $1 is reported: $(IFS=';'; echo "${why[*]}")"
    else
        fail "control: $1 was not noticed by the checks"
    fi
}
pass=control
if [[ -n $kiosk_pid ]]; then
    xdotool windowraise "$(xdotool search --name '^decoy$' | head -n1)" 2>/dev/null
    xdotool windowactivate "$(xdotool search --name '^decoy$' | head -n1)" 2>/dev/null
    sleep "$SETTLE"
    control "the decoy raised over the kiosk"
    recover
    xmessage -geometry 300x100+400+300 -name popup "a new window" >/dev/null 2>&1 </dev/null &
    popup_pid=$!
    bg_pids+=("$popup_pid")
    sleep 0.5
    control "a new window"
    kill -TERM "$popup_pid" 2>/dev/null
    sleep "$SETTLE"
    recover
    xdotool windowminimize "$kiosk_win" 2>/dev/null
    sleep "$SETTLE"
    control "the kiosk's window minimized"
    recover
    teardown openbox
fi
# Without lockdown (no grab) the window manager's bindings reach it:
# Alt+middle click lowers the kiosk, Alt+F4 closes it.
xmessage -geometry 700x300+80+80 -name decoy "the desktop" >/dev/null 2>&1 </dev/null &
decoy_pid=$!
bg_pids+=("$decoy_pid")
if kiosk_start open --set display.fullscreen=true \
        --set "display.width=$SCREEN_W" --set "display.height=$SCREEN_H"; then
    kiosk_top=$(top_level "$kiosk_win")
    sleep 1
    baseline
    xdotool mousemove "$BLANK_X" "$BLANK_Y" keydown alt click 2 keyup alt sleep "$SETTLE"
    control "Alt+middle click without lockdown (the window manager lowers the kiosk)"
    recover
    xdotool key alt+F4
    for _ in $(seq 50); do
        kill -0 "$kiosk_pid" 2>/dev/null || break
        sleep 0.1
    done
    control "Alt+F4 without lockdown"
    if kill -0 "$kiosk_pid" 2>/dev/null; then
        kiosk_stop open
    else
        wait "$kiosk_pid"
        kiosk_pid=""
    fi
fi

((failures)) && exit 1
exit 0

#!/bin/bash
# systemctl for the Debian 12 chroot of tests/checks/fleet_update.sh, where
# no systemd runs: copied to the chroot's /usr/local/sbin/systemctl (first
# on the updater's PATH). It stands in for systemd's side of
# xfl-kiosk.service only, as far as the fleet updater uses it:
#   start|stop|restart UNIT, is-active [--quiet] UNIT,
#   show -p NRestarts --value UNIT, daemon-reload (nothing to do)
# The kiosk is the installed /usr/bin/xfl-kiosk, as its user, headless
# (SDL dummy driver instead of cage, as deb_packages.sh runs it), under a
# supervisor that starts it again 2 s after it exits and counts that in
# NRestarts (the unit's Restart=always, RestartSec=2s). What it cannot
# show: systemd's own readiness (READY=1) and watchdog; the updater's
# health signal is the kiosk's health file, written by the real kiosk.
set -u
run=/run/chroot-systemd
unit=${*: -1}
mkdir -p "$run"

alive() { [[ -f $run/$1.pid ]] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

start() {
    alive sup && return 0
    rm -f "$run/stopping"
    echo 0 >"$run/NRestarts"
    setsid bash -c '
        run=$1
        echo $$ >"$run/sup.pid"
        while :; do
            setpriv --reuid=xfl-kiosk --regid=xfl-kiosk --init-groups env SDL_VIDEODRIVER=dummy \
                SDL_AUDIODRIVER=dummy HOME=/var/lib/xfl-kiosk \
                /usr/bin/xfl-kiosk --config /etc/xfl-kiosk/kiosk.ini >>"$run/kiosk.log" 2>&1 &
            echo $! >"$run/main.pid"
            wait $!
            [[ -f $run/stopping ]] && exit 0
            echo $(( $(cat "$run/NRestarts") + 1 )) >"$run/NRestarts"
            sleep 2
            [[ -f $run/stopping ]] && exit 0
        done' bash "$run" </dev/null >/dev/null 2>&1 &
    for _ in $(seq 50); do alive sup && alive main && return 0; sleep 0.1; done
    return 1
}

stop() {
    touch "$run/stopping"
    local p
    for p in sup main; do alive "$p" && kill "$(cat "$run/$p.pid")" 2>/dev/null; done
    for _ in $(seq 100); do alive main || alive sup || break; sleep 0.1; done
    for p in sup main; do alive "$p" && kill -KILL "$(cat "$run/$p.pid")" 2>/dev/null; done
    rm -f "$run/sup.pid" "$run/main.pid"
    return 0
}

if [[ $unit != xfl-kiosk.service && $unit != xfl-kiosk && $1 != daemon-reload ]]; then
    echo "chroot systemctl: only xfl-kiosk.service here ($*)" >&2
    exit 1
fi
case $1 in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    is-active)
        if alive sup && alive main; then [[ $2 == --quiet ]] || echo active; exit 0; fi
        [[ $2 == --quiet ]] || echo inactive
        exit 3 ;;
    show) cat "$run/NRestarts" 2>/dev/null || echo 0 ;;
    daemon-reload) ;;
    *) echo "chroot systemctl: $1 is not simulated" >&2; exit 1 ;;
esac

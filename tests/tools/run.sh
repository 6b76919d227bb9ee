#!/usr/bin/env bash
# `make run`: start the hub on 127.0.0.1 with demo data and a demo device,
# then the kiosk pointed at it on the current display; the hub stops when the
# kiosk exits.
# Usage: tests/tools/run.sh KIOSK_BIN [HUB_BIN] [-- kiosk args...]
set -euo pipefail

if (($# < 1)); then
    echo "usage: $0 KIOSK_BIN [HUB_BIN] [-- kiosk args...]" >&2
    exit 2
fi
bin=$1
shift
hub=""
if (($# > 0)) && [[ $1 != -- ]]; then hub=$1; shift; fi
[[ ${1:-} == -- ]] && shift

# SDL_VIDEODRIVER set (e.g. kmsdrm on a console kiosk, or dummy) means the caller knows.
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${SDL_VIDEODRIVER:-} ]]; then
    tourdir="$(dirname "$bin")/tour/"
    echo "make run: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run 'make tour' to render every screen to PNG in $tourdir, or start under Xvfb: xvfb-run make run" >&2
    exit 1
fi

# kiosk.ini lives at the repo root; run from there whatever the caller's cwd.
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ -z $hub || $hub == /* ]] || hub="$PWD/$hub"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

set_args=()
if [[ -n $hub ]]; then
    mkdir -p var
    portfile=$(mktemp)
    # The console's previews drawn by this kiosk binary (README "Staff console").
    hubini=$(mktemp)
    printf '[console]\npreview_kiosk = %s\npreview_config = %s/kiosk.ini\n' "$bin" "$PWD" >"$hubini"
    "$hub" --config "$hubini" --db var/hub.db --listen 127.0.0.1 --port 0 --port-file "$portfile" --demo &
    hub_pid=$!
    trap 'kill $hub_pid 2>/dev/null; wait $hub_pid 2>/dev/null; rm -f "$portfile" "$hubini"' EXIT
    for _ in $(seq 100); do [[ -s $portfile ]] && break; sleep 0.05; done
    if [[ ! -s $portfile ]]; then
        echo "make run: the hub did not start (see its messages above)" >&2
        exit 1
    fi
    port=$(cat "$portfile")
    # The demo device's token: random per demo database, written by the demo
    # hub beside it (hub/demo_token.h); a real kiosk gets its own from
    # `hub device add`.
    token=$(cat var/hub.db.demo-token)
    # The demo's console admin (hub/staff.h): a random password per demo
    # database, in a 0600 file beside it.
    echo "make run: staff console at http://127.0.0.1:$port/console/ - demo sign-in: admin / $(cat var/hub.db.demo-admin 2>/dev/null)"
    set_args=(--set "hub.url=http://127.0.0.1:$port" --set "hub.token=$token")
fi
"$bin" --config kiosk.ini "${set_args[@]}" "$@"

#!/usr/bin/env bash
# `make run`: start the kiosk on the current display.
# Usage: tests/tools/run.sh KIOSK_BIN [args...]
set -euo pipefail

if (($# < 1)); then
    echo "usage: $0 KIOSK_BIN [args...]" >&2
    exit 2
fi
bin=$1
shift

# SDL_VIDEODRIVER set (e.g. kmsdrm on a console kiosk, or dummy) means the caller knows.
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${SDL_VIDEODRIVER:-} ]]; then
    tourdir="$(dirname "$bin")/tour/"
    echo "make run: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run 'make tour' to render every screen to PNG in $tourdir, or start under Xvfb: xvfb-run make run" >&2
    exit 1
fi

# kiosk.ini lives at the repo root; run from there whatever the caller's cwd.
[[ $bin == /* ]] || bin="$PWD/$bin"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec "$bin" --config kiosk.ini "$@"

#!/usr/bin/env bash
# `make tour`: render every screen, headless, for every size x locale x theme.
# Usage: tests/tools/tour.sh KIOSK_BIN OUTDIR
# Writes PNGs into OUTDIR/<size>-<locale>-<theme>/ (each run's log beside it).
set -euo pipefail

SIZES=(1920x1080 1080x1920 1280x800)
THEMES=(standard elder contrast)
TIMEOUT=${TOUR_TIMEOUT:-120}   # seconds per run

if (($# != 2)); then
    echo "usage: $0 KIOSK_BIN OUTDIR" >&2
    exit 2
fi
bin=$1 out=$2
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ $out == /* ]] || out="$PWD/$out"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."   # repo root: kiosk.ini, locales/

if [[ ! -x $bin ]]; then
    echo "tour: $bin is not an executable (run 'make' first)" >&2
    exit 1
fi

locales=()
for po in locales/*.po; do
    [[ -e $po ]] || continue
    po=${po##*/}
    locales+=("${po%.po}")
done
if ((${#locales[@]} == 0)); then
    echo "tour: no locales/*.po found, nothing to render" >&2
    exit 1
fi

export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
mkdir -p "$out"
runs=0 failed=0 pngs=0
for size in "${SIZES[@]}"; do
    for locale in "${locales[@]}"; do
        for theme in "${THEMES[@]}"; do
            name="$size-$locale-$theme"
            dir="$out/$name"
            log="$out/$name.log"
            rm -rf "$dir"
            mkdir -p "$dir"
            runs=$((runs + 1))
            rc=0
            timeout -k 5 "$TIMEOUT" "$bin" --config kiosk.ini --tour "$dir" \
                --size "$size" --locale "$locale" --theme "$theme" \
                </dev/null >"$log" 2>&1 || rc=$?
            n=$(find "$dir" -name '*.png' | wc -l)
            pngs=$((pngs + n))
            if ((rc != 0)); then
                failed=$((failed + 1))
                why="exit $rc"
                ((rc == 124)) && why="timed out after ${TIMEOUT}s"
                ((rc > 128 && rc != 124)) && why="killed by signal $((rc - 128))"
                echo "FAIL $name: $why, $n PNGs (log: $log)"
                tail -n 20 "$log" | sed 's/^/    /'
            elif ((n == 0)); then
                failed=$((failed + 1))
                echo "FAIL $name: exit 0 but wrote no PNG (log: $log)"
                tail -n 20 "$log" | sed 's/^/    /'
            else
                echo "ok   $name: $n PNGs"
            fi
        done
    done
done

echo "tour: $pngs PNGs written to $out ($runs runs, $failed failed)"
((failed == 0))

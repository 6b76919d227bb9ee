# Shared start of the kiosk's shell checks (tests/checks/*.sh), sourced by them.
#   check_start NAME "$@"
# goes to the repo root and sets BUILD (first argument, else $BUILD, else
# build), KIOSK (the kiosk binary, which must exist), the headless SDL
# drivers, and tmp: a fresh temp dir removed when the check exits.
check_start() {
    local name=$1
    shift
    cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
    BUILD=${1:-${BUILD:-build}}
    KIOSK=$PWD/$BUILD/kiosk
    [[ $BUILD == /* ]] && KIOSK=$BUILD/kiosk
    export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
    if [[ ! -x $KIOSK ]]; then
        echo "$name: $KIOSK not found (run make all)"
        exit 1
    fi
    tmp=$(mktemp -d "/tmp/$name.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT
}

#!/usr/bin/env bash
# Install the Debian packages the kiosk needs to build, run and test.
# Called by `make deps` (which `make run` and `make test` depend on) and by .ci/run.
# Prints nothing and exits 0 when everything is already installed.
set -euo pipefail

# --- The one list of Debian packages (Debian 12 "bookworm" names) -------------
PACKAGES=(
    build-essential        # cc, make, libc headers
    pkg-config             # the Makefile finds every library's flags with it
    libsdl2-dev            # window, input, rendering
    libsdl2-ttf-dev        # text rendering
    libsdl2-image-dev      # loading PNG assets, writing screenshots
    libqrencode-dev        # QR codes shown on screen
    libzbar-dev            # tests decode the QR codes we render
    libcurl4-openssl-dev   # talking to the hub (and the hub to payment providers)
    libssl-dev             # the hub's payment provider signatures (libcrypto: RSA2)
    libsqlite3-dev         # local store
    libinih-dev            # kiosk.ini parser
    libcmocka-dev          # unit test framework
    libsodium-dev          # signing / hashing
    libcjson-dev           # JSON for the hub API
    libmicrohttpd-dev      # fake hub server in tests
    libminizip-dev         # hub reconcile reads the provider's zipped statement (and the simulator writes one)
    libpng-dev             # the hub re-encodes staff's PNG pictures (hub/picture.c: libpng's png_image API)
    libturbojpeg0-dev      # ... and their JPEGs (TurboJPEG: decode at 1/2-1/8 scale, encode), stripping all metadata
    libespeak-ng-dev       # the kiosk's voice: offline speech synthesis (kiosk/voice/tts.c)
    espeak-ng-data         # its Mandarin (cmn), English and Korean voices
    libasound2-dev         # the headphone jack: ALSA "Headphone Jack" controls (drivers/jack/jack.c; SDL2 pulls it in too)
    fonts-noto-cjk         # glyphs for every locale (CJK included)
    gettext                # msgfmt / xgettext for locales/*.po
    xvfb                   # xvfb-run make run on a machine without a display
    xauth                  # needed by xvfb-run
    x11-utils              # xwininfo: tests/checks/xvfb_window.sh waits for the window
    xdotool                # clicks and keys in tests/checks/xvfb_window.sh, lockdown_escape.sh
    x11-apps               # xwd: fast screenshots after each key in tests/checks/lockdown_escape.sh
    openbox                # a stock X window manager (Alt+F4, Alt+Tab ... bindings) the lockdown must resist (lockdown_escape.sh)
    wmctrl                 # asks that window manager to close the kiosk, as its Alt+F4 would (lockdown_escape.sh)
    imagemagick            # comparing / inspecting rendered PNGs
    sqlite3                # CLI to inspect the store in tests
    valgrind               # VALGRIND=1 make test
    clang                  # builds the fuzz targets (make fuzz, tests/checks/fuzz_smoke.sh)
    libclang-rt-14-dev     # libFuzzer + sanitizer runtimes (only recommended by clang)
    llvm                   # llvm-symbolizer: file:line in fuzzer / sanitizer reports
    wrk                    # HTTP load for make bench (hub throughput)
    openssl                # test certificates and a TLS peer (tests/unit/test_hub_tls.c)
    faketime               # libfaketime: tests/checks/time_travel.sh moves the real clock
    openssl                # test certificates for the hub's HTTPS (tests/checks/hub_tls.sh)
    curl                   # HTTP(S) client of the shell checks (hub_cli.sh, hub_tls.sh)
    nginx-light            # the sample TLS proxy site, hub/deploy/nginx-hub.conf (tests/checks/hub_nginx.sh)
    tzdata                 # time zones for the same check (the kiosk must not depend on one)
    chromium               # the staff console in a real browser (tests/checks/console_browser.sh,
    chromium-driver        #   driven by playwright-core from tests/browser/package-lock.json)
    devscripts             # hardening-check: tests/checks/hardening.sh (fortify, PIE, RELRO, stack protector)
    debhelper              # make deb: the packages are built by dh (debian/)
    fakeroot               # make deb as a normal user (dpkg-buildpackage -rfakeroot)
    lintian                # make deb reports the packages' lintian findings (tests/checks/deb_packages.sh)
    systemd                # systemd-analyze verify of the units (tests/checks/systemd_units.sh)
    debootstrap            # the Debian 12 chroot the packages are installed into (tests/tools/deb_root.sh)
    reprepro               # the fleet's signed apt repository (deploy/repo/publish.sh, tests/checks/apt_repo.sh)
    gnupg                  # signing key of that repository (and the test's throw-away one)
)
# -----------------------------------------------------------------------------

# Print the packages of PACKAGES that are not installed, one per line.
# One dpkg-query call; unknown packages make it exit 1 (ignored).
missing_packages() {
    local -A ok=()
    local name status
    while read -r name status; do
        [[ $status == installed ]] && ok[$name]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
    local p
    for p in "${PACKAGES[@]}"; do
        [[ -n ${ok[$p]:-} ]] || printf '%s\n' "$p"
    done
}

mapfile -t missing < <(missing_packages)
((${#missing[@]} == 0)) && exit 0

echo "deps: missing Debian packages: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
install_cmd=(apt-get install -y -q --no-install-recommends "${missing[@]}")

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    # Without a terminal sudo cannot ask for a password: fail instead of hanging.
    if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
    sudo+=(env DEBIAN_FRONTEND=noninteractive)
else
    echo "deps: not root and no sudo; as root run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${install_cmd[*]}" >&2
    exit 1
fi

echo "deps: apt-get update"
"${sudo[@]}" apt-get update -qq
echo "deps: ${install_cmd[*]}"
"${sudo[@]}" "${install_cmd[@]}"

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} != 0)); then
    echo "deps: still missing after apt-get install: ${missing[*]}" >&2
    exit 1
fi
echo "deps: all packages installed"

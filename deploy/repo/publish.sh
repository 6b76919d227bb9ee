#!/usr/bin/env bash
# Publishes packages to the fleet's apt repository, signed (reprepro).
#   deploy/repo/publish.sh REPO SUITE KEY DEB...
# REPO: the repository's directory (made on first use, with conf/); SUITE:
# kiosk-stable or kiosk-pilot (docs/fleet-updates.md); KEY: the signing key's
# fingerprint in the caller's GnuPG keyring (GNUPGHOME). Writes the public
# key beside the pool as REPO/xfl-fleet.gpg, the keyring kiosks name in
# Signed-By. Serve REPO read-only (its conf/ and db/ need not be served).
set -euo pipefail
if (($# < 4)); then
    echo "usage: $0 REPO SUITE KEY DEB..." >&2
    exit 2
fi
repo=$1 suite=$2 key=$3
shift 3
case $suite in kiosk-stable|kiosk-pilot) ;; *) echo "publish: suite must be kiosk-stable or kiosk-pilot" >&2; exit 2 ;; esac
gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 || { echo "publish: no secret key $key in ${GNUPGHOME:-~/.gnupg}" >&2; exit 1; }

mkdir -p "$repo/conf"
if [[ ! -f $repo/conf/distributions ]]; then
    for s in kiosk-stable kiosk-pilot; do
        printf 'Origin: xfl-kiosk\nLabel: xfl-kiosk fleet\nCodename: %s\nArchitectures: amd64 arm64\nComponents: main\nDescription: community kiosk fleet (%s)\nSignWith: %s\n\n' \
            "$s" "$s" "$key"
    done >"$repo/conf/distributions"
fi
grep -q "^SignWith: $key\$" "$repo/conf/distributions" || { echo "publish: $repo is signed with another key" >&2; exit 1; }
reprepro -b "$repo" --silent includedeb "$suite" "$@"
gpg --batch --yes --export "$key" >"$repo/xfl-fleet.gpg"
reprepro -b "$repo" list "$suite"

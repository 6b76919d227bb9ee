#!/usr/bin/env bash
# Check: the fleet's signed apt repository (deploy/repo/publish.sh, reprepro)
# is what a kiosk's apt trusts, and nothing else.
#   - a throw-away signing key; the packages of make deb published as version
#     V+r1 to kiosk-stable; in a copy of the Debian 12 chroot
#     (tests/tools/deb_root.sh) with the repository as a file: source named
#     with Signed-By, apt-get installs xfl-hub and kioskctl at V+r1;
#   - V+r2 published: apt-get update && upgrade brings both to V+r2, the
#     hub's database kept;
#   - the repository re-signed by another key, then a Release file altered:
#     apt-get update refuses both, and nothing is installed from them.
# Needs root (chroot). Uses the packages and chroot deb_packages.sh builds.
# check-timeout: 1200
# Usage (from anywhere): tests/checks/apt_repo.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
# shellcheck source=tests/tools/deb_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/deb_lib.sh"
check_start apt_repo "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
[[ $(id -u) -eq 0 ]] || { echo "apt_repo: needs root (chroot)"; exit 1; }
command -v reprepro >/dev/null && command -v gpg >/dev/null || { echo "apt_repo: reprepro or gnupg missing (make deps)"; exit 1; }

deb=$BUILD/deb
ver=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
if [[ ! -f $deb/xfl-hub_${ver}_$arch.deb ]]; then
    make -s --no-print-directory BUILD="$BUILD" deb >"$tmp/make.log" 2>&1 || { tail -20 "$tmp/make.log"; exit 1; }
fi
base=$(tests/tools/deb_root.sh "$BUILD" "$deb"/{xfl-kiosk,xfl-hub,kioskctl}_"${ver}_$arch".deb) || exit 1

# --- keys and versions -----------------------------------------------------------
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
# gpg starts an agent for this home; it goes with the check, whatever happens.
trap 'gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1; rm -rf "$tmp"' EXIT
key=$(deb_newkey "xfl fleet test")
other=$(deb_newkey "someone else")
[[ -n $key && -n $other ]] || { echo "apt_repo: no test keys"; exit 1; }

repack() { deb_repack "$deb/${1}_${ver}_$arch.deb" "$2" "$tmp"; }   # PKG VERSION
v1="${ver}+r1" v2="${ver}+r2"
repo=$tmp/repo
deploy/repo/publish.sh "$repo" kiosk-stable "$key" "$(repack xfl-hub "$v1")" "$(repack kioskctl "$v1")" \
    >"$tmp/pub.log" 2>&1 || { cat "$tmp/pub.log"; fail "publishing $v1"; }

# --- a kiosk's apt, trusting only the fleet key for that source --------------------
r=$tmp/root
cp -a "$base" "$r"
mkdir -p "$r/srv"
cp -a "$repo" "$r/srv/repo"
cp "$repo/xfl-fleet.gpg" "$r/usr/share/keyrings/xfl-fleet.gpg"
echo "deb [signed-by=/usr/share/keyrings/xfl-fleet.gpg] file:/srv/repo kiosk-stable main" >"$r/etc/apt/sources.list.d/xfl.list"
apt_in() {   # only the fleet's source, nothing from the Internet
    chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dir::Etc::sourcelist=sources.list.d/xfl.list \
        -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 "$@"
}
version_of() { chroot "$r" dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }

apt_in update >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get update from the signed repository"; }
apt_in install -y xfl-hub kioskctl >"$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log"; fail "apt-get install from the repository"; }
[[ $(version_of xfl-hub) == "$v1" && $(version_of kioskctl) == "$v1" ]] || fail "installed $(version_of xfl-hub), expected $v1"
touch "$r/var/lib/xfl-hub/hub.db"

# --- the next version ----------------------------------------------------------------
deploy/repo/publish.sh "$repo" kiosk-stable "$key" "$(repack xfl-hub "$v2")" "$(repack kioskctl "$v2")" \
    >"$tmp/pub.log" 2>&1 || { cat "$tmp/pub.log"; fail "publishing $v2"; }
rm -rf "$r/srv/repo" && cp -a "$repo" "$r/srv/repo"
apt_in update >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get update for $v2"; }
apt_in upgrade -y >"$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log"; fail "apt-get upgrade"; }
[[ $(version_of xfl-hub) == "$v2" && $(version_of kioskctl) == "$v2" ]] || fail "after upgrade $(version_of xfl-hub), expected $v2"
[[ -f $r/var/lib/xfl-hub/hub.db ]] || fail "the upgrade lost the hub's database"

# --- what apt must refuse ------------------------------------------------------------
# Signed by someone else: the same repository, InRelease/Release.gpg redone.
bad=$tmp/bad
cp -a "$repo" "$bad"
sed -i "s/^SignWith: .*/SignWith: $other/" "$bad/conf/distributions"
reprepro -b "$bad" --silent export kiosk-stable
rm -rf "$r/srv/repo" && cp -a "$bad" "$r/srv/repo"
if apt_in update >"$tmp/apt.log" 2>&1 && ! grep -q 'NO_PUBKEY\|not signed\|is not signed' "$tmp/apt.log"; then
    cat "$tmp/apt.log"
    fail "apt accepted a repository signed by another key"
fi
grep -q 'NO_PUBKEY\|signatures couldn' "$tmp/apt.log" || { cat "$tmp/apt.log"; fail "no signature error for another key"; }
# Altered after signing.
rm -rf "$r/srv/repo" && cp -a "$repo" "$r/srv/repo"
sed -i '0,/^Label:/s/^Label: .*/Label: tampered/' "$r/srv/repo/dists/kiosk-stable/InRelease"
rm -f "$r/srv/repo/dists/kiosk-stable/Release.gpg"
if apt_in update >"$tmp/apt.log" 2>&1 && ! grep -qi 'BADSIG\|signature' "$tmp/apt.log"; then
    cat "$tmp/apt.log"
    fail "apt accepted an altered Release"
fi
grep -qi 'BADSIG\|invalid signature\|signatures were invalid' "$tmp/apt.log" || { cat "$tmp/apt.log"; fail "no BADSIG for an altered Release"; }

if ((failures)); then
    echo "apt_repo: $failures failure(s)"
    exit 1
fi
echo "apt_repo: ok (signed publish, install $v1, upgrade to $v2, another key and an altered Release refused)"

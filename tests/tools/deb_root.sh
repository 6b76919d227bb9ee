#!/usr/bin/env bash
# A plain Debian 12 system to install the packages into, never this
# machine's own root: $BUILD/deb/base-root, made once with debootstrap
# (minbase) from the Debian mirror, plus systemd and dbus (what a real
# Debian 12 install has) and the dependencies the packages declare, so the
# install tests of tests/checks/deb_packages.sh then run offline with dpkg.
# When the packages' dependencies change, the new ones are added. Needs
# root (chroot).
# Usage: tests/tools/deb_root.sh BUILD DEB...   prints the root's path
set -euo pipefail
build=$1
shift
root=$build/deb/base-root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Every package the .debs depend on, names only (versions are the mirror's).
deps=$(for d in "$@"; do dpkg-deb -f "$d" Depends; done | tr ',' '\n' |
       sed -e 's/([^)]*)//g' -e 's/|.*//' -e 's/[[:space:]]//g' | grep . | sort -u | tr '\n' ' ')
want="systemd dbus $deps"
if [[ -f $root/.deps && $(cat "$root/.deps") == "$want" ]]; then
    echo "$root"
    exit 0
fi

if [[ ! -f $root/.deps ]]; then
    rm -rf "$root"
    mkdir -p "$(dirname "$root")"
    nice debootstrap --variant=minbase bookworm "$root" "$mirror" >"$build/deb/debootstrap.log" 2>&1 || {
        tail -20 "$build/deb/debootstrap.log" >&2
        echo "deb_root: debootstrap failed (log: $build/deb/debootstrap.log)" >&2
        exit 1
    }
    # No service may start inside the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# shellcheck disable=SC2086
if ! chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $want" \
        >"$build/deb/deb-root-apt.log" 2>&1; then
    tail -20 "$build/deb/deb-root-apt.log" >&2
    echo "deb_root: apt-get install in the chroot failed" >&2
    exit 1
fi
chroot "$root" apt-get clean
echo "$want" >"$root/.deps"
echo "$root"

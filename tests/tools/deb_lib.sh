# Shared by the package checks (tests/checks/apt_repo.sh, deb_packages.sh,
# fleet_update.sh), sourced by them.
#   deb_newkey NAME                 a throw-away ed25519 signing key in
#                                   $GNUPGHOME; prints its fingerprint
#   deb_repack DEB VERSION OUTDIR [HOOK]
#                                   DEB rebuilt as VERSION (control's
#                                   Version:), HOOK DIR run on the unpacked
#                                   tree first (to change its files); prints
#                                   the new .deb's path, OUTDIR/PKG_VERSION_ARCH.deb
deb_newkey() {
    gpg --batch --quiet --passphrase '' --quick-gen-key "$1" ed25519 sign never 2>/dev/null
    gpg --batch --with-colons --list-secret-keys "$1" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}'
}

deb_repack() {
    local src=$1 version=$2 out=$3 hook=${4:-} pkg arch x
    pkg=$(dpkg-deb -f "$src" Package)
    arch=$(dpkg-deb -f "$src" Architecture)
    x=$(mktemp -d "$out/repack.XXXXXX") || return 1
    dpkg-deb -R "$src" "$x/t" || return 1
    sed -i "s/^Version: .*/Version: $version/" "$x/t/DEBIAN/control"
    if [[ -n $hook ]]; then
        "$hook" "$x/t" || { rm -rf "$x"; return 1; }
        # The md5sums (conffiles are not in them) match the files as changed.
        if [[ -f $x/t/DEBIAN/md5sums ]]; then
            (cd "$x/t" && awk '{print $2}' DEBIAN/md5sums | xargs -r md5sum) >"$x/md5sums" &&
                mv "$x/md5sums" "$x/t/DEBIAN/md5sums"
        fi
    fi
    dpkg-deb -b "$x/t" "$out/${pkg}_${version}_$arch.deb" >/dev/null || { rm -rf "$x"; return 1; }
    rm -rf "$x"
    echo "$out/${pkg}_${version}_$arch.deb"
}

#!/usr/bin/env bash
# Check: kioskctl content end to end on the shipped example folder: keygen
# (0600 key, public key printed), build, sign, publish to a real hub with a
# staff token; the hub then serves the bundle to a kiosk (200 with ETag, 304
# on If-None-Match) and its assets by SHA-256. A device token cannot publish
# (401), nor can a bundle signed with a key the hub does not know, the same
# version cannot be published twice (409), and a broken item file is named
# in the error.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
HUB=$BUILD/hub CTL=$BUILD/kioskctl
tmp=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL kioskctl_content: $*"; exit 1; }
export HUB_LOG=quiet

unset KIOSK_STAFF_TOKEN
"$HUB" staff add editor --db "$tmp/hub.db" --out "$tmp/staff.token" || fail "staff add failed"
kiosk=$("$HUB" device add kiosk-1 --db "$tmp/hub.db") || fail "device add failed"
out=$("$CTL" content keygen --key "$tmp/key") || fail "keygen: $out"
[[ $out =~ \"public_key\":\"([0-9a-f]{64})\" ]] || fail "keygen printed $out"
pk=${BASH_REMATCH[1]}
# The hub verifies signatures too, with the public key it is given.
"$HUB" --db "$tmp/hub.db" --port 0 --port-file "$tmp/port" --content-key "$pk" &
pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the hub did not start"
url="http://127.0.0.1:$(cat "$tmp/port")"

[[ $(stat -c %a "$tmp/key") == 600 ]] || fail "the key file is not 0600"
"$CTL" content keygen --key "$tmp/key" >/dev/null && fail "keygen overwrote a key"
out=$("$CTL" content build content/example --out "$tmp/b") || fail "build: $out"
[[ $out == *'"items":9'* && $out == *'"assets":2'* ]] || fail "build printed $out"
out=$("$CTL" content publish "$tmp/b" --hub "$url" --token-file "$tmp/staff.token") && fail "published unsigned: $out"
"$CTL" content sign "$tmp/b" --key "$tmp/key" >/dev/null || fail "sign failed"
[[ $(wc -c <"$tmp/b/manifest.sig") == 129 ]] || fail "manifest.sig is not 128 hex + newline"
"$CTL" content keygen --key "$tmp/key2" >/dev/null || fail "keygen 2"
cp -r "$tmp/b" "$tmp/b-other"
"$CTL" content sign "$tmp/b-other" --key "$tmp/key2" >/dev/null || fail "sign with key 2"
out=$("$CTL" content publish "$tmp/b-other" --hub "$url" --token-file "$tmp/staff.token") && fail "published with another key: $out"
[[ $out == *bad_signature* ]] || fail "another key: $out"
out=$(KIOSK_STAFF_TOKEN=$kiosk "$CTL" content publish "$tmp/b" --hub "$url") && fail "a device token published"
[[ $out == *401* ]] || fail "device token: $out"
out=$("$CTL" content publish "$tmp/b" --hub "$url" --token-file "$tmp/staff.token") || fail "publish: $out"
[[ $out == '{"published":1}' ]] || fail "publish printed $out"
out=$("$CTL" content publish "$tmp/b" --hub "$url" --token-file "$tmp/staff.token") && fail "published version 1 twice"
[[ $out == *version_not_newer* ]] || fail "republish: $out"

hdr=$(curl -s -D - -o "$tmp/poll.json" -H "Authorization: Bearer $kiosk" "$url/v1/content/bundle?mode=hall")
[[ $hdr == *" 200"* ]] || fail "poll: $hdr"
etag=$(grep -i '^etag:' <<<"$hdr" | cut -d' ' -f2 | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $kiosk" -H "If-None-Match: $etag" \
       "$url/v1/content/bundle?mode=hall")
[[ $code == 304 ]] || fail "If-None-Match gave $code"
for f in "$tmp"/b/assets/*; do
    sha=$(basename "$f")
    curl -s -H "Authorization: Bearer $kiosk" "$url/v1/content/assets/$sha" -o "$tmp/got"
    [[ $(sha256sum <"$tmp/got" | cut -d' ' -f1) == "$sha" ]] || fail "asset $sha came back different"
done

cp -r content/example "$tmp/src"
sed -i 's/"title": "[^"]*"/"title": ""/' "$tmp/src/items/003-water.json"
out=$("$CTL" content build "$tmp/src" --out "$tmp/b2"); rc=$?
[[ $rc == 1 && $out == *'items/003-water.json.title: empty'* ]] || fail "bad item: exit $rc, $out"
echo "ok kioskctl_content"

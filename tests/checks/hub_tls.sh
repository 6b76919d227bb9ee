#!/usr/bin/env bash
# Check: build/hub serves HTTPS itself ([tls] cert and key in hub.ini).
# Certificates are made by tests/tools/make_test_certs.sh (a CA, a hub certificate for
# 127.0.0.1 it signs, and a second CA that signed nothing) - no key is ever
# committed. A client trusting the CA completes a round trip; one trusting
# the other CA is refused; plain HTTP to the TLS port gets no answer; a key
# readable by others, or a cert without its key, stops the hub (exit 1).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
HUB=$BUILD/hub
tmp=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL hub_tls: $*"; exit 1; }
export HUB_LOG=quiet
umask 077

bash tests/tools/make_test_certs.sh "$tmp" || fail "cannot make the test certificates"

ini() { printf '[hub]\nport = 0\ndb = %s/hub.db\n[tls]\n%s\n' "$tmp" "$1" >"$tmp/hub.ini"; }
ini "cert = $tmp/hub.crt
key = $tmp/hub.key"
"$HUB" --config "$tmp/hub.ini" --port-file "$tmp/port" &
pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the hub did not start with TLS"
port=$(cat "$tmp/port")

body=$(curl -sS --max-time 10 --cacert "$tmp/ca.pem" "https://127.0.0.1:$port/v1/health") ||
    fail "a client trusting the hub's CA failed"
[[ $body == *'"status":"ok"'* ]] || fail "health over TLS answered '$body'"
curl -sS --max-time 10 --cacert "$tmp/other.pem" -o /dev/null "https://127.0.0.1:$port/v1/health" 2>/dev/null
rc=$?
[[ $rc == 60 ]] || fail "a client trusting another CA: curl exit $rc, not 60 (certificate refused)"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/health")
[[ $code == 000 ]] || fail "plain HTTP to the TLS port answered $code"
# Authentication and the rest of the request path are the same over TLS.
code=$(curl -s --max-time 10 --cacert "$tmp/ca.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/v1/content")
[[ $code == 401 ]] || fail "no token over TLS answered $code"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=""
[[ $rc == 0 ]] || fail "SIGTERM gave exit status $rc"

chmod 644 "$tmp/hub.key"
err=$("$HUB" --config "$tmp/hub.ini" --port-file "$tmp/port2" 2>&1); rc=$?
[[ $rc != 0 && $err == *"readable by others"* ]] || fail "a 0644 key: exit $rc, '$err'"
chmod 600 "$tmp/hub.key"
ini "cert = $tmp/hub.crt"
err=$("$HUB" --config "$tmp/hub.ini" --port-file "$tmp/port2" 2>&1); rc=$?
[[ $rc != 0 && $err == *"needs both cert and key"* ]] || fail "a cert without a key: exit $rc, '$err'"
echo "PASS hub_tls"

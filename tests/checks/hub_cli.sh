#!/usr/bin/env bash
# Check: build/hub's command line. `device add` prints a token once and it
# authenticates (or, with --out, writes it to a new 0600 file only), and
# --community sets the kiosk's community (kept by a new token);
# `device revoke` makes it fail with 401; a bad hub.ini or flag exits 2
# naming the file, line and key; SIGTERM stops the hub with 0;
# --now is refused outside demo mode and starts a demo hub's clock; the
# database and key file are 0600 and a key file others can read stops it;
# a payment provider demo without --demo, a secrets file others can read
# (Alipay's or WeChat Pay's) and two providers sharing one secrets file are
# refused; a demo database has a random demo token in a 0600 file and a
# hub without --demo refuses to run on it; reconcile without a provider
# says so.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
HUB=$BUILD/hub
tmp=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL hub_cli: $*"; exit 1; }
export HUB_LOG=quiet

token=$("$HUB" device add kiosk-7 --db "$tmp/hub.db") || fail "device add failed"
[[ $token =~ ^kiosk-7\.[0-9a-f]{64}$ ]] || fail "device add printed '$token'"
"$HUB" device add "bad id!" --db "$tmp/hub.db" 2>/dev/null && fail "a bad device id was accepted"
sqlite3 "$tmp/hub.db" "SELECT token_hash FROM devices WHERE id = 'kiosk-7'" | grep "${token#*.}" >/dev/null &&
    fail "the secret is stored in clear"

# --community scopes a kiosk's look-ups (hub/scope.h); a new token keeps it.
"$HUB" device add kiosk-6 --db "$tmp/hub.db" --community xingfuli >/dev/null || fail "device add --community failed"
"$HUB" device add kiosk-6 --db "$tmp/hub.db" >/dev/null || fail "a new token for kiosk-6 failed"
[[ $(sqlite3 "$tmp/hub.db" "SELECT community FROM devices WHERE id = 'kiosk-6'") == xingfuli ]] ||
    fail "kiosk-6's community was not kept"
"$HUB" device add kiosk-5 --db "$tmp/hub.db" --community "Bad Name" 2>/dev/null
[[ $? == 2 ]] || fail "a bad community was not refused with 2"
"$HUB" device revoke kiosk-6 --db "$tmp/hub.db" --community xingfuli 2>/dev/null
[[ $? == 2 ]] || fail "--community on revoke was not refused with 2"

# --out: the token goes to a new 0600 file only; an existing file is kept.
out=$("$HUB" device add kiosk-8 --db "$tmp/hub.db" --out "$tmp/k8.token") || fail "device add --out failed"
[[ -z $out ]] || fail "device add --out printed '$out'"
[[ $(stat -c %a "$tmp/k8.token") == 600 ]] || fail "the token file is not 0600"
grep -Eq '^kiosk-8\.[0-9a-f]{64}$' "$tmp/k8.token" || fail "the token file holds '$(cat "$tmp/k8.token")'"
"$HUB" device add kiosk-9 --db "$tmp/hub.db" --out "$tmp/k8.token" 2>/dev/null && fail "--out overwrote a file"
grep -q '^kiosk-8\.' "$tmp/k8.token" || fail "--out changed an existing file"

"$HUB" --db "$tmp/hub.db" --port 0 --port-file "$tmp/port" &
pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the hub did not start"
url="http://127.0.0.1:$(cat "$tmp/port")/v1/content?kind=notice"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
[[ $code == 200 ]] || fail "a fresh token got $code"
"$HUB" device revoke kiosk-7 --db "$tmp/hub.db" || fail "revoke failed"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
[[ $code == 401 ]] || fail "a revoked token got $code"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=""
[[ $rc == 0 ]] || fail "SIGTERM gave exit status $rc"

printf '[hub]\nport = 80\nthreads = many\n' >"$tmp/bad.ini"
err=$("$HUB" --config "$tmp/bad.ini" 2>&1); rc=$?
[[ $rc == 2 && $err == "$tmp/bad.ini:3: threads: bad value \"many\"" ]] ||
    fail "bad hub.ini: exit $rc, '$err'"
# A real hub never fakes payments, and keeps its merchant key private.
printf '[payment]\nprovider = demo\n' >"$tmp/pay.ini"
err=$("$HUB" --config "$tmp/pay.ini" --db "$tmp/x.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"only for a demo hub"* ]] || fail "provider = demo without --demo: exit $rc, '$err'"
printf 'app_id = 1\n' >"$tmp/alipay.secrets"
chmod 0644 "$tmp/alipay.secrets"
printf '[payment]\nprovider = alipay\nsecrets = %s\n' "$tmp/alipay.secrets" >"$tmp/pay.ini"
err=$("$HUB" --config "$tmp/pay.ini" --db "$tmp/x.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"mode 0600"* ]] || fail "secrets readable by others: exit $rc, '$err'"
printf 'mchid = 1\n' >"$tmp/wechat.secrets"
chmod 0644 "$tmp/wechat.secrets"
printf '[payment]\nprovider = wechat\nsecrets = %s\nnotify_url = https://pay.example.org/n\n' \
    "$tmp/wechat.secrets" >"$tmp/pay.ini"
err=$("$HUB" --config "$tmp/pay.ini" --db "$tmp/x.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"mode 0600"* ]] || fail "wechat secrets readable by others: exit $rc, '$err'"
# Two providers: a secrets file each.
printf '[payment]\nprovider = alipay,wechat\nsecrets = %s\n' "$tmp/wechat.secrets" >"$tmp/pay.ini"
err=$("$HUB" --config "$tmp/pay.ini" --db "$tmp/x.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"alipay_secrets"* ]] || fail "two providers, one secrets: exit $rc, '$err'"
printf '[hub]\nport = 0\n[limits]\nheader_timeout = 0\n' >"$tmp/bad.ini"
err=$("$HUB" --config "$tmp/bad.ini" 2>&1); rc=$?
[[ $rc == 2 && $err == "$tmp/bad.ini:4: header_timeout: bad value \"0\"" ]] ||
    fail "bad [limits] in hub.ini: exit $rc, '$err'"
printf '[rate]\nlookups_per_minute = 5\n' >"$tmp/bad.ini"
err=$("$HUB" --config "$tmp/bad.ini" 2>&1); rc=$?
[[ $rc == 2 && $err == "$tmp/bad.ini:2: lookups_per_minute: unknown key" ]] ||
    fail "unknown [rate] key in hub.ini: exit $rc, '$err'"
err=$("$HUB" --port 99999 2>&1); rc=$?
[[ $rc == 2 && $err == *"--port"* ]] || fail "bad --port: exit $rc, '$err'"
# --now: refused outside demo mode; a demo hub's clock starts there.
err=$("$HUB" --now 2026-11-29T09:30 --db "$tmp/x.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"--now is only for a demo hub"* ]] || fail "--now without --demo: exit $rc, '$err'"
err=$("$HUB" --demo --now 2026-02-30 --db "$tmp/x.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"--now: bad value"* ]] || fail "--now with an impossible date: exit $rc, '$err'"
rm -f "$tmp/port"
"$HUB" --db "$tmp/demo.db" --port 0 --port-file "$tmp/port" --demo --now 2028-02-29T23:59:00+08:00 &
pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the demo hub with --now did not start"
t=$(curl -s "http://127.0.0.1:$(cat "$tmp/port")/v1/health" | sed -n 's/.*"time":\([0-9]*\).*/\1/p')
# 2028-02-29 23:59 China time is 1835452740.
[[ -n $t ]] && ((t >= 1835452740 && t < 1835452740 + 30)) || fail "--now: the hub says time $t"
kill -TERM "$pid"; wait "$pid"; pid=""

# Demo data stays in demo databases: the demo token is random, in a file of
# its own, the same after a restart; the hub without --demo refuses the
# database, naming the fix.
tok=$(cat "$tmp/demo.db.demo-token")
[[ $(stat -c %a "$tmp/demo.db.demo-token") == 600 ]] || fail "the demo token file is not 0600"
[[ $tok =~ ^demo-01\.[0-9a-f]{64}$ && $tok != *00000000000000000000001 ]] || fail "demo token '$tok'"
err=$("$HUB" --db "$tmp/demo.db" --port 0 2>&1); rc=$?
[[ $rc == 1 && $err == *"seeded for the demo"*"--demo"*"new database"* ]] ||
    fail "a demo database without --demo: exit $rc, '$err'"
rm -f "$tmp/port"
"$HUB" --db "$tmp/demo.db" --port 0 --port-file "$tmp/port" --demo &
pid=$!
for _ in $(seq 400); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || fail "the demo hub did not start again"
[[ $(cat "$tmp/demo.db.demo-token") == "$tok" ]] || fail "the demo token changed at a restart"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$(cat "$tmp/port")/v1/bills?account_no=x&utility=water")
[[ $code != 401 ]] || fail "the demo token from the file is refused"
old=demo-01.0000000000000000000000000000000000000000000000000000000000000001
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $old" \
    "http://127.0.0.1:$(cat "$tmp/port")/v1/bills?account_no=x&utility=water")
[[ $code == 401 ]] || fail "the token once fixed in the source still works ($code)"
kill -TERM "$pid"; wait "$pid"; pid=""

# reconcile: a usage error is 2; without a payment provider there is no
# statement to compare, 1 with a message saying so.
err=$("$HUB" reconcile --db "$tmp/hub.db" 2>&1); rc=$?
[[ $rc == 2 && $err == *"usage: hub reconcile"* ]] || fail "reconcile without --date: exit $rc, '$err'"
err=$("$HUB" reconcile --date 2026-11-29 --db "$tmp/hub.db" 2>&1); rc=$?
[[ $rc == 1 && $err == *"no payment provider"* ]] || fail "reconcile without a provider: exit $rc, '$err'"

# Personal data at rest: the database and its key file are this user's only;
# a key file others can read stops the hub with a clear message.
for f in hub.db hub.db.key; do
    [[ $(stat -c %a "$tmp/$f") == 600 ]] || fail "$f is $(stat -c %a "$tmp/$f"), not 600"
done
chmod 644 "$tmp/hub.db.key"
err=$("$HUB" --db "$tmp/hub.db" --port 0 2>&1); rc=$?
[[ $rc == 1 && $err == *"hub.db.key"*"readable by others"* ]] || fail "a readable key file: exit $rc, '$err'"
chmod 600 "$tmp/hub.db.key"

echo "hub_cli: device add/revoke, token check, config errors and SIGTERM as documented"

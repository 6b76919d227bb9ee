#!/usr/bin/env bash
# Hub figures for `make bench`: content-list throughput with wrk (64
# connections, one process), and 10,000 simulated kiosks heartbeating every
# 60 s while bookings and payments run. Loopback only; bounded in time.
set -euo pipefail
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
hub_pid=""
trap '[[ -n $hub_pid ]] && kill $hub_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# Every limit stays on and is checked on every request. One token stands
# for the whole load here (a fleet has a token, and buckets, per kiosk), and
# every connection comes from 127.0.0.1: its buckets and the per-address
# limit are sized for the load, not for one kiosk.
cat >"$tmp/hub.ini" <<INI
[limits]
per_ip_connections = 2000
[rate]
content_per_minute = 10000000
content_burst = 100000
fleet_per_minute = 100000
fleet_burst = 10000
payments_per_minute = 10000
payments_burst = 1000
INI
HUB_LOG=quiet "$BUILD/hub" --config "$tmp/hub.ini" --db "$tmp/hub.db" --port 0 --port-file "$tmp/port" --demo \
    --threads 2 --max-connections 2000 &
hub_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$tmp/port")"
token=$("$BUILD/hub" device add bench-01 --db "$tmp/hub.db")

# 1. GET /v1/content (the notices list a kiosk polls), 64 connections.
wrk_out=$(wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" \
              "$url/v1/content?kind=notice&locale=zh_CN" 2>&1)
rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$wrk_out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$wrk_out")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$wrk_out")

# 2. Heartbeats of 10,000 kiosks (about 167/s) with bookings and payments.
range() { sqlite3 "$tmp/hub.db" "$1"; }
slots=$(range "SELECT min(id) || ' ' || max(id) FROM slots")
bills=$(range "SELECT min(id) || ' ' || max(id) FROM bills WHERE status = 'unpaid'")
load=$("$BUILD/hub_load" "$url" "$token" --kiosks 10000 --interval 60 --duration 30 \
          --bookings-per-s 3 --payments-per-s 3 \
          --slot-min "${slots% *}" --slot-max "${slots#* }" \
          --bill-min "${bills% *}" --bill-max "${bills#* }" || true)

printf '\n%-46s %14s  %s\n' "hub figure" "measured" "target"
printf '%-46s %14s  %s\n' "----------------------------------------------" "--------------" "------"
printf '%-46s %12s/s  %s\n' "GET content list, wrk 64 connections" "$rps" ">= 10,000/s"
printf '%-46s %14s  %s\n' "  p99 latency" "$p99" "<= 20 ms"
printf '%-46s %14s  %s\n' "  non-2xx answers" "${non2xx:-0}" "0"
echo
echo "10,000 kiosks heartbeating every 60 s, with bookings and payments (30 s):"
sed 's/^load /  /' <<<"$load"
echo "  (target: p99 <= 50 ms, no errors; 'rejected' are business answers such as slot full)"

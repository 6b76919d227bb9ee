#!/usr/bin/env bash
# make bench: the kiosk's figures, printed as a table. Figures, not pass/fail:
# targets are printed beside them. Uses Xvfb for the real-window figures
# (first frame, idle CPU) and the offscreen renderer for frame times.
set -euo pipefail
BUILD=${BUILD:-build}
KIOSK=$BUILD/kiosk
cd "$(dirname "$0")/../.."
export KIOSK_LOG=quiet
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

# Throwaway state: the bench never touches the kiosk's own var dir.
cfg=(--config kiosk.ini --set "kiosk.var_dir=$tmp/var" --set "kiosk.locale_dir=$BUILD/locale"
     --set display.renderer=software)

# A private X server for the window figures.
disp=:$((90 + RANDOM % 100))
Xvfb "$disp" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
export DISPLAY=$disp

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# 1. Cold start to first presented frame (exec to SDL_RenderPresent), and
#    the process's PSS at that point: 7 runs, the first on a fresh var dir.
starts=() pss0=()
for i in $(seq 7); do
    out=$(KIOSK_T0_NS=$(date +%s%N) "$KIOSK" "${cfg[@]}" --first-frame)
    starts+=("$(awk '/first_frame_ms/ {print $2}' <<<"$out")")
    pss0+=("$(awk '/pss_kb/ {print $2}' <<<"$out")")
done
first_start=${starts[0]}
med_start=$(printf '%s\n' "${starts[@]}" | median)
pss_first=$(printf '%s\n' "${pss0[@]}" | median)

# 2. Frame time of every screen at 1920x1080, software renderer (offscreen).
frames=$(SDL_VIDEODRIVER=dummy "$KIOSK" "${cfg[@]}" --bench-frames 200)
all_p99=$(awk '$2 == "all" {print $6}' <<<"$frames")
pss_all=$(awk '/pss_kb/ {print $2}' <<<"$frames")

# 3. CPU while idle on the home screen for 10 s, in a real X window.
"$KIOSK" "${cfg[@]}" --screen home &
pid=$!
sleep 2
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(ticks $pid); s0=$(date +%s%N)
sleep 10
t1=$(ticks $pid); s1=$(date +%s%N)
hz=$(getconf CLK_TCK)
idle_cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) 'BEGIN {printf "%.2f", 100 * d / hz / (ns / 1e9)}')
pss_idle=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
kill $pid; wait $pid 2>/dev/null || true

# 4. Glyph atlas micro-benchmark.
text=""
if [ -x "$BUILD/bench_text" ]; then text=$(SDL_VIDEODRIVER=dummy "$BUILD/bench_text" 2>/dev/null || true); fi

# 5. Payment: tap pay -> QR drawn, and the longest frame with a slow / dead hub.
pay=""
if [ -x "$BUILD/bench_pay" ] && [ -x "$BUILD/hub" ]; then
    pay=$(SDL_VIDEODRIVER=dummy "$BUILD/bench_pay" 60 2>/dev/null || true)
    # The same with the hub's payments going to a provider's simulator: the
    # extra time of the provider layer is the difference with the demo's.
    for p in alipay wechat; do
        pay+=$'\n'$(SDL_VIDEODRIVER=dummy "$BUILD/bench_pay" 60 "$p" 2>/dev/null || true)
    done
fi
field() { awk -v k="$1" -v f="$2" '$1 == k {for (i = 2; i < NF; i++) if ($i == f) print $(i + 1)}' <<<"$pay"; }

# 5a. The payment provider layer's part of it: a QR order through the layer
#     (Alipay simulator) against the demo provider, p99 of 200.
provider=""
if [ -x "$BUILD/bench_provider" ]; then provider=$(HUB_LOG=quiet "$BUILD/bench_provider" 200 2>/dev/null || true); fi
pfield() { awk -v f="$1" '$1 == "pay_provider_layer_ms" {for (i = 2; i < NF; i++) if ($i == f) print $(i + 1)}' <<<"$provider"; }

# 5b. Content sync: first sync of 1,000 notices + 200 images; unchanged polls (304).
content=""
if [ -x "$BUILD/bench_content" ] && [ -x "$BUILD/hub" ]; then
    content=$("$BUILD/bench_content" 2>/dev/null || true)
fi

# 6. Outbox: durable enqueues/s (synchronous=FULL, one transaction each), and
#    the kill -9 test at full length (200 runs against a real hub).
outbox="" kill200=""
if [ -x "$BUILD/bench_outbox" ]; then outbox=$("$BUILD/bench_outbox" 2000 2>/dev/null || true); fi
if [ -x "$BUILD/tests/test_outbox_e2e" ] && [ -x "$BUILD/hub" ]; then
    if OUTBOX_KILL_RUNS=200 OUTBOX_E2E_ONLY=kill "$BUILD/tests/test_outbox_e2e" >"$tmp/kill.log" 2>&1; then
        kill200="pass"
    else
        kill200="FAIL"
    fi
fi

# 6b. Voice: a screen change or tap to its first audio sample (dummy audio driver).
voice=""
if [ -x "$BUILD/bench_voice" ]; then voice=$(SDL_AUDIODRIVER=dummy "$BUILD/bench_voice" 2>/dev/null || true); fi

# 7. Street carousel: CPU over 60 s, a step every 10 s with a 600 ms fade (X window).
street=$(BUILD=$BUILD tests/bench/bench_street.sh 60 2>/dev/null || true)

printf '\n%-46s %14s  %s\n' "figure" "measured" "target"
printf '%-46s %14s  %s\n' "----------------------------------------------" "--------------" "------"
printf '%-46s %11s ms  %s\n' "cold start to first frame (first run)" "$first_start" "<= 100 ms"
printf '%-46s %11s ms  %s\n' "start to first frame (median of 7)" "$med_start" "<= 100 ms"
printf '%-46s %11s MB  %s\n' "PSS after first frame (median)" "$(awk -v k="$pss_first" 'BEGIN{printf "%.1f", k/1024}')" "<= 40 MB"
printf '%-46s %11s MB  %s\n' "PSS idle on home, X11 window" "$(awk -v k="$pss_idle" 'BEGIN{printf "%.1f", k/1024}')" "<= 40 MB"
printf '%-46s %11s MB  %s\n' "PSS after drawing every screen (offscreen)" "$(awk -v k="$pss_all" 'BEGIN{printf "%.1f", k/1024}')" "<= 40 MB"
printf '%-46s %11s ms  %s\n' "frame p99, all screens, 1920x1080 software" "$all_p99" "<= 8 ms"
printf '%-46s %12s %%  %s\n' "CPU idle on home, 10 s" "$idle_cpu" "<= 0.2 %"
if [ -n "$pay" ]; then
    printf '%-46s %11s ms  %s\n' "tap pay to QR on screen, p99 (60 runs)" "$(field pay_tap_to_qr_ms p99)" "<= 150 ms"
    printf '%-46s %11s ms  %s\n' "tap pay to QR on screen, median" "$(field pay_tap_to_qr_ms p50)" ""
    for p in alipay wechat; do
        extra=$(awk -v a="$(field "pay_tap_to_qr_ms_$p" p99)" -v b="$(field pay_tap_to_qr_ms p99)" \
                'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.1f", a - b }')
        printf '%-46s %11s ms  %s\n' "  the same, $p simulator behind, p99" "$(field "pay_tap_to_qr_ms_$p" p99)" "<= 150 ms"
        printf '%-46s %11s ms  %s\n' "  provider layer's extra p99 ($p)" "$extra" ""
    done
    printf '%-46s %11s ms  %s\n' "longest frame, hub answering after 3 s" "$(field frame_ms_slow_network max)" "<= 50 ms"
    printf '%-46s %11s ms  %s\n' "longest frame, hub dead" "$(field frame_ms_dead_network max)" "<= 50 ms"
fi
if [ -n "$provider" ]; then
    printf '%-46s %11s ms  %s\n' "QR order at the hub, demo provider, p99" "$(pfield demo_p99)" ""
    printf '%-46s %11s ms  %s\n' "QR order through the provider layer, p99" "$(pfield alipay_p99)" ""
    printf '%-46s %11s ms  %s\n' "extra time of the provider layer, p99" "$(pfield extra_p99)" ""
fi
if [ -n "$content" ]; then
    printf '%-46s %11s ms  %s\n' "content first sync, 1,000 notices + 200 images" "$(awk '$1 == "content_first_sync_ms" {print $3}' <<<"$content")" "<= 3000 ms"
    printf '%-46s %11s ms  %s\n' "content poll unchanged (304), p50 of 200" "$(awk '$1 == "content_poll_304_ms" {print $3}' <<<"$content")" ""
    printf '%-46s %11s ms  %s\n' "content poll unchanged (304), p99 of 200" "$(awk '$1 == "content_poll_304_ms" {print $5}' <<<"$content")" "<= 20 ms"
fi
if [ -n "$outbox" ]; then
    printf '%-46s %13s/s  %s\n' "outbox enqueue, sync=FULL, plain" "$(awk '$1 == "outbox_enqueue_per_s" {print $3}' <<<"$outbox")" ">= 2000/s"
    printf '%-46s %13s/s  %s\n' "outbox enqueue, sync=FULL, sealed" "$(awk '$1 == "outbox_enqueue_per_s" {print $5}' <<<"$outbox")" ">= 2000/s"
    printf '%-46s %11s ms  %s\n' "longest UI-thread write (enqueue, receipt)" "$(awk '$1 == "ui_write_ms" {print $5}' <<<"$outbox")" "<= 50 ms"
    printf '%-46s %11s ms  %s\n' "UI-thread write p99 (sync=FULL)" "$(awk '$1 == "ui_write_ms" {print $3}' <<<"$outbox")" ""
fi
if [ -n "$voice" ]; then
    printf '%-46s %11s ms  %s\n' "voice: request to first audio sample, p99" "$(awk '$1 == "voice_first_sample_ms" {print $5}' <<<"$voice")" "<= 150 ms"
    printf '%-46s %11s ms  %s\n' "voice: request to first audio sample, median" "$(awk '$1 == "voice_first_sample_ms" {print $3}' <<<"$voice")" ""
    printf '%-46s %11s us  %s\n' "voice: longest voice_say on the UI thread" "$(awk '$1 == "voice_say_call_us" {print $7}' <<<"$voice")" "<= 1000 us"
fi
if [ -n "$street" ]; then
    printf '%-46s %12s %%  %s\n' "CPU street carousel, 60 s, step every 10 s" "$(awk '{print $2}' <<<"$street")" "<= 2 %"
fi
if [ -n "$kill200" ]; then
    printf '%-46s %14s  %s\n' "outbox kill -9 x200: none lost, none twice" "$kill200" "pass"
fi
echo
echo "frame time per screen (ms, 200 frames each, build + draw):"
grep '^frame_ms' <<<"$frames" | sed 's/^frame_ms /  /'
if [ -n "$text" ]; then echo; echo "glyph atlas:"; sed 's/^/  /' <<<"$text"; fi

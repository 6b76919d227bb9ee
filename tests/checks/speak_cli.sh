#!/usr/bin/env bash
# Check: `kiosk --speak TEXT --out FILE.wav [--locale L]` renders words
# through the kiosk's own speech pipeline (voice/tts.c, voice/wav.c).
#   - Mandarin (the default locale) and English each give a 16-bit mono PCM
#     WAV (RIFF header, "data" size matching the file) of more than half a
#     second, exit 0, and one line "FILE: N samples" on standard output;
#   - the longer Mandarin sentence gives more samples than a short one;
#   - --speak without --out (or the reverse) exits 2; an unwritable --out
#     exits 1 with one line naming the file and leaves no file behind.
# Usage (from anywhere): tests/checks/speak_cli.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start speak_cli "$@"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# wav_ok FILE: a canonical PCM mono 16-bit WAV; prints its sample count.
wav_ok() {
    local f=$1 size u16 u32
    size=$(stat -c %s "$f") || return 1
    [[ $(head -c 4 "$f") == RIFF && $(dd if="$f" bs=1 skip=8 count=8 2>/dev/null) == "WAVEfmt " ]] ||
        { echo "not a WAVE file"; return 1; }
    read -r -a u16 <<<"$(od -An -tu2 -j20 -N16 "$f")"   # format channels rate(2) byterate(2) align bits
    ((u16[0] == 1 && u16[1] == 1 && u16[7] == 16)) || { echo "not 16-bit mono PCM"; return 1; }
    [[ $(dd if="$f" bs=1 skip=36 count=4 2>/dev/null) == data ]] || { echo "no data chunk"; return 1; }
    read -r -a u32 <<<"$(od -An -tu4 -j24 -N4 "$f") $(od -An -tu4 -j40 -N4 "$f")"
    ((u32[1] == size - 44)) || { echo "data size ${u32[1]} does not match the file ($size)"; return 1; }
    ((u32[1] / 2 > u32[0] / 2)) || { echo "shorter than half a second"; return 1; }
    echo $((u32[1] / 2))
}

speak() {   # speak OUT ARGS...: sets rc, out, err
    local o=$1
    shift
    timeout -k 5 30 "$KIOSK" --config kiosk.ini --speak "$@" --out "$o" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

speak "$tmp/long.wav" "缴费成功，共缴纳九百一十四元七角七分"
if ((rc != 0)); then
    fail "zh: exit $rc: $err"
elif ! long=$(wav_ok "$tmp/long.wav" 2>&1); then
    fail "zh: $long"
elif [[ $out != "$tmp/long.wav: $long samples" ]]; then
    fail "zh: stdout '$out'"
else
    echo "ok   zh: $long samples"
fi
speak "$tmp/short.wav" "首页"
if ((rc == 0)) && short=$(wav_ok "$tmp/short.wav" 2>/dev/null) && ((short < ${long:-0})); then
    echo "ok   a short sentence is shorter: $short < $long samples"
else
    fail "short sentence: exit $rc, ${short:-no} samples vs ${long:-no}"
fi
speak "$tmp/en.wav" "Payment successful" --locale en
if ((rc == 0)) && n=$(wav_ok "$tmp/en.wav" 2>&1); then
    echo "ok   en: $n samples"
else
    fail "en: exit $rc: $err ${n:-}"
fi

timeout -k 5 15 "$KIOSK" --speak "x" >/dev/null 2>"$tmp/err"
rc=$?
((rc == 2)) && echo "ok   --speak without --out -> exit 2" || fail "--speak without --out: exit $rc"
timeout -k 5 15 "$KIOSK" --out "$tmp/x.wav" >/dev/null 2>"$tmp/err"
rc=$?
((rc == 2)) && echo "ok   --out without --speak -> exit 2" || fail "--out without --speak: exit $rc"
speak "$tmp/no/such/dir.wav" "x"
if ((rc == 1)) && [[ $err == *"$tmp/no/such/dir.wav"* ]] && [[ ! -e $tmp/no/such/dir.wav ]]; then
    echo "ok   unwritable --out -> exit 1: $err"
else
    fail "unwritable --out: exit $rc: $err"
fi

if ((failures)); then
    echo "speak_cli: $failures failure(s)"
    exit 1
fi
echo "speak_cli: all cases passed"

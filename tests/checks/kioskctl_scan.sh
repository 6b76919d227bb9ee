#!/usr/bin/env bash
# Check: `kioskctl scan` over an image: folder. A tiny C helper (compiled
# here with libqrencode and SDL2_image, both build dependencies already)
# writes QR pictures: a paper bill (twice: the repeat is not printed), a
# blank frame, WeChat and Alipay payment codes (masked unless --reveal), a
# GBK-encoded Chinese text, a check-in code, a bill with wrong check digits,
# a URL and a resident code. The JSON lines must match exactly; --once
# stops after the first; nothing found is exit 1 with a JSON error; missing
# devices exit 3; bad arguments exit 2.
#   [BUILD=dir] [KIOSKCTL=path] tests/checks/kioskctl_scan.sh [BUILD]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL kioskctl_scan: $*"; exit 1; }

if [[ -z ${KIOSKCTL:-} ]]; then
    KIOSKCTL=$BUILD/kioskctl
    # A clean sub-make (no jobserver inherited from `make test`).
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$BUILD" "$KIOSKCTL" \
        >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "make $KIOSKCTL failed"; }
fi

cat >"$tmp/mkqr.c" <<'C'
/* mkqr FILE.png TEXT | mkqr --gbk FILE.png TEXT | mkqr --blank FILE.png */
#include <iconv.h>
#include <qrencode.h>
#include <SDL.h>
#include <SDL_image.h>
#include <string.h>
int main(int argc, char **argv)
{
    int gbk = argc == 4 && !strcmp(argv[1], "--gbk"), blank = argc == 3 && !strcmp(argv[1], "--blank");
    if (!(argc == 3 || gbk)) return 2;
    const char *file = argv[argc - 2 + blank], *text = argv[argc - 1];
    char buf[1024];
    size_t n = strlen(text);
    if (gbk) {
        iconv_t cd = iconv_open("GBK", "UTF-8");
        char *ip = (char *)text, *op = buf;
        size_t il = n, ol = sizeof buf;
        if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) return 1;
        n = sizeof buf - ol;
        text = buf;
    }
    int k = 5, side = 320;
    QRcode *q = blank ? NULL : QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_M);
    if (q) side = (q->width + 8) * k;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, side, side, 24, SDL_PIXELFORMAT_RGB24);
    if (!s || (!blank && !q)) return 1;
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            int mx = x / k - 4, my = y / k - 4;
            int dark = q && mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
                       (q->data[my * q->width + mx] & 1);
            memset((Uint8 *)s->pixels + y * s->pitch + x * 3, dark ? 0 : 255, 3);
        }
    return IMG_SavePNG(s, file) == 0 ? 0 : 1;
}
C
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -o "$tmp/mkqr" "$tmp/mkqr.c" \
    $(pkg-config --cflags --libs libqrencode SDL2_image sdl2) >"$tmp/cc.log" 2>&1 ||
    { cat "$tmp/cc.log"; fail "cannot build the QR picture helper"; }

f=$tmp/frames
mkdir -p "$f" "$tmp/empty"
sig=9F86D081884C7D659A2FEAA0C55AD015
"$tmp/mkqr" "$f/01-bill.png" "XFL-BILL:1:water:3702031056:2026-11:4100:39" &&
"$tmp/mkqr" --blank "$f/02-blank.png" &&
"$tmp/mkqr" "$f/03-bill-again.png" "XFL-BILL:1:water:3702031056:2026-11:4100:39" &&
"$tmp/mkqr" "$f/04-wechat.png" "134567890123456789" &&
"$tmp/mkqr" --gbk "$f/05-gbk.png" "幸福里社区 供暖费 ￥2350.00" &&
"$tmp/mkqr" "$f/06-booking.png" "XFL-BOOK:7K3M9QXA" &&
"$tmp/mkqr" "$f/07-bad-check.png" "XFL-BILL:1:gas:110108000123:2025-12:1:26" &&
"$tmp/mkqr" "$f/08-url.png" "https://hub.example/n/42" &&
"$tmp/mkqr" "$f/09-resident.png" "XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:$sig" &&
"$tmp/mkqr" "$f/10-alipay.png" "2812345678901234" &&
"$tmp/mkqr" --blank "$tmp/empty/blank.png" || fail "the helper could not write the pictures"

expected=$(cat <<EOF
{"payload":"XFL-BILL:1:water:3702031056:2026-11:4100:39","class":"paper_bill","encoding":"utf-8","source":"$f/01-bill.png","bill":{"utility":"water","account":"3702031056","period":"2026-11","amount_fen":4100,"check":"39"}}
{"payload":"1345**********6789","class":"payment_code","encoding":"utf-8","source":"$f/04-wechat.png","payment":{"wallet":"wechat","code":"1345**********6789"}}
{"payload":"幸福里社区 供暖费 ￥2350.00","class":"other","encoding":"gbk","source":"$f/05-gbk.png"}
{"payload":"XFL-BOOK:7K3M9QXA","class":"booking_code","encoding":"utf-8","source":"$f/06-booking.png","booking":{"code":"7K3M9QXA"}}
{"payload":"XFL-BILL:1:gas:110108000123:2025-12:1:26","class":"other","encoding":"utf-8","source":"$f/07-bad-check.png","reason":"paper bill check digits do not match"}
{"payload":"https://hub.example/n/42","class":"url","encoding":"utf-8","source":"$f/08-url.png","url":{"scheme":"https","host":"hub.example"}}
{"payload":"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:9F86****************************","class":"resident_code","encoding":"utf-8","source":"$f/09-resident.png","resident":{"code":"K7M2QX9ABZ","resident":"R12","issued":1796000000,"expires":1827536000}}
{"payload":"2812********1234","class":"payment_code","encoding":"utf-8","source":"$f/10-alipay.png","payment":{"wallet":"alipay","code":"2812********1234"}}
EOF
)

out=$("$KIOSKCTL" scan --device "image:$f" --timeout 20); rc=$?
[[ $rc == 0 ]] || fail "scan of the folder: exit $rc, output: $out"
if [[ $out != "$expected" ]]; then
    diff <(echo "$expected") <(echo "$out") | sed 's/^/  /'
    fail "scan of the folder printed other lines (diff above: < expected, > got)"
fi

out=$("$KIOSKCTL" scan --device "image:$f" --once); rc=$?
[[ $rc == 0 && $out == "$(head -n 1 <<<"$expected")" ]] || fail "--once: exit $rc, '$out'"

out=$("$KIOSKCTL" scan --device "image:$f/04-wechat.png" --reveal); rc=$?
[[ $rc == 0 && $out == *'"payload":"134567890123456789"'* && $out == *'"code":"134567890123456789"'* ]] ||
    fail "--reveal: exit $rc, '$out'"
out=$("$KIOSKCTL" scan --device "image:$f/04-wechat.png"); rc=$?
[[ $rc == 0 && $out != *134567890123456789* ]] || fail "a payment code was printed unmasked: '$out'"

out=$("$KIOSKCTL" scan --device "image:$tmp/empty" --timeout 5); rc=$?
[[ $rc == 1 && $out == '{"error":{"code":"no_code",'* ]] || fail "no code: exit $rc, '$out'"

out=$("$KIOSKCTL" scan --device v4l2:/dev/video99 --once); rc=$?
[[ $rc == 3 && $out == '{"error":{"code":"device_unavailable","message":"/dev/video99: No such file or directory'* ]] ||
    fail "missing camera: exit $rc, '$out'"
out=$("$KIOSKCTL" scan --device evdev:/dev/input/event99 --once); rc=$?
[[ $rc == 3 && $out == '{"error":{"code":"device_unavailable",'* ]] || fail "missing wedge scanner: exit $rc, '$out'"
out=$("$KIOSKCTL" scan --device "image:$tmp/missing"); rc=$?
[[ $rc == 3 ]] || fail "missing picture folder: exit $rc, '$out'"

for args in "" "--device serial:/dev/ttyUSB0" "--device bogus" "--device image:$f --timeout 0" \
            "--device image:$f --timeout x" "--device image:$f --frobnicate"; do
    # shellcheck disable=SC2086
    out=$("$KIOSKCTL" scan $args); rc=$?
    [[ $rc == 2 && $out == '{"error":{"code":"usage",'* ]] || fail "'scan $args': exit $rc, '$out'"
done
echo "kioskctl_scan: JSON lines, classes, dedupe, masking, --once and exit statuses as documented"

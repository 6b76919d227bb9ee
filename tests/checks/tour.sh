#!/usr/bin/env bash
# Check: `kiosk --tour DIR --size WxH --locale L --theme T` renders every
# screen state offscreen.
#   - exit 0, one PNG per state (attract home bills housekeeping notices scan
#     guide help timeout staff_pin staff_menu fault) and beside each its
#     words spoken on arrival (STATE.txt, one non-empty line), nothing else,
#     each PNG's path printed on stdout, each a valid PNG (signature, IHDR, decodes) of
#     exactly 1280x800;
#   - --locale and --theme are applied (en differs from zh_CN, contrast from
#     standard), and the same run twice gives the same pictures;
#   - an unknown locale: the config accepts any letters; the kiosk logs
#     "locale xx not found in DIR", exits 0 and falls back to the default
#     catalogue (zh_CN; core/i18n.h: i18n_set leaves the current locale
#     unchanged), so its home screen is the zh_CN one;
#     no catalogue at all: it logs "no translations ... showing message ids";
#     a locale that is not letters/underscores exits 2;
#   - --screen NAME with an unknown NAME exits 2 listing the names.
#   - the sample data (assets_dir/tour/*.json): a file missing, or with a
#     field the hub's parser refuses, stops the tour with exit 1 and one
#     line naming the file and what is wrong; --screen on it exits 1 too.
# Usage (from anywhere): tests/checks/tour.sh [BUILD]
set -uo pipefail

# shellcheck source=tests/tools/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/check_lib.sh"
check_start tour "$@"
STATES=(attract home bills housekeeping notices scan guide help timeout staff_pin staff_menu fault
        bills_account bills_scan bills_list pay_qr pay_confirming pay_code pay_code_confirm pay_paid
        pay_failed pay_expired pay_unavailable pay_refused events notice register guides guide_detail guide_detail_more help_sent help_ack
        street street_alert street_night map
        hk_slots hk_slots_full hk_who hk_who_code hk_confirm hk_done hk_mine hk_mine_cancel)

# kiosk.ini with var_dir in the temp dir (belt and braces with --set).
ini=$tmp/kiosk.ini
sed "s|^var_dir = .*|var_dir = $tmp/var|" kiosk.ini >"$ini"

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# [VAR_OF=OTHER] tour NAME [ARGS...]: renders into $tmp/NAME, with var_dir
# $tmp/var-NAME (or the one of the run OTHER); sets rc; stdout/stderr in
# $tmp/NAME.out / $tmp/NAME.err.
tour() {
    local name=$1
    shift
    rm -rf "${tmp:?}/$name"
    timeout -k 5 20 "$KIOSK" --config "$ini" \
        --set "kiosk.var_dir=$tmp/var-${VAR_OF:-$name}" --set "kiosk.locale_dir=$BUILD/locale" \
        --tour "$tmp/$name" "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
}

show_err() { sed 's/^/    | /' "$1" | tail -n 15; }

# Width and height of a PNG from its IHDR chunk, or "" if it is not a PNG.
png_size() {
    local sig ihdr
    sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
    ihdr=$(od -An -c -j12 -N4 "$1" | tr -d ' \n')
    [[ $sig == 89504e470d0a1a0a && $ihdr == IHDR ]] || return 1
    od -An -tu1 -j16 -N8 "$1" | awk '{
        printf "%dx%d\n", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }'
}

same() { cmp -s "$1" "$2"; }

# --- the tour of the brief ----------------------------------------------------------
tour main --size 1280x800 --locale en --theme contrast
if ((rc != 0)); then
    fail "--tour --size 1280x800 --locale en --theme contrast: exit status $rc, expected 0"
    show_err "$tmp/main.err"
fi
have_im=0
command -v convert >/dev/null 2>&1 && have_im=1
ok_pngs=0
for s in "${STATES[@]}"; do
    f=$tmp/main/$s.png
    if [[ ! -f $f ]]; then
        fail "no $s.png written"
        continue
    fi
    if ! size=$(png_size "$f"); then
        fail "$s.png is not a PNG (bad signature or no IHDR)"
        continue
    fi
    if [[ $size != 1280x800 ]]; then
        fail "$s.png is $size, expected 1280x800"
        continue
    fi
    if ((have_im)); then
        # Decode every pixel: catches a truncated or corrupt file.
        if ! dec=$(convert "$f" -format '%wx%h' info: 2>&1) || [[ $dec != 1280x800 ]]; then
            fail "$s.png does not decode: $dec"
            continue
        fi
    fi
    if ! grep -qxF "$tmp/main/$s.png" "$tmp/main.out"; then
        fail "$s.png was written but its path is not on stdout"
        continue
    fi
    if [[ ! -s $tmp/main/$s.txt ]] || ! grep -q '[^[:space:]]' "$tmp/main/$s.txt"; then
        fail "$s.txt (the words spoken on arriving at $s) missing or empty"
        continue
    fi
    ok_pngs=$((ok_pngs + 1))
done
extra=$(find "$tmp/main" -type f | wc -l)
if ((extra != 2 * ${#STATES[@]})); then
    fail "$tmp/main holds $extra files, expected exactly $((2 * ${#STATES[@]})) (a PNG and a .txt per state):"
    find "$tmp/main" -type f -printf '    | %f\n'
fi
nout=$(grep -c '' "$tmp/main.out")
if ((nout != ${#STATES[@]})); then
    fail "stdout has $nout lines, expected ${#STATES[@]} (one path per PNG)"
fi
((ok_pngs == ${#STATES[@]})) &&
    echo "ok   tour en/contrast: ${#STATES[@]} PNGs, each a valid 1280x800 PNG$( ((have_im)) && echo ' that decodes')"
((have_im)) || echo "note: convert (Debian package imagemagick) not installed: PNGs checked by header only"

# --- --locale / --theme are applied, and the pictures are repeatable ------------------
# (The staff menu shows the var_dir path: the repeat uses the same one.)
VAR_OF=main tour again --size 1280x800 --locale en --theme contrast
tour zh --size 1280x800 --locale zh_CN --theme contrast
tour std --size 1280x800 --locale en --theme standard
for n in again zh std; do
    if [[ ! -f $tmp/$n/home.png ]]; then
        fail "tour '$n' wrote no home.png"
        show_err "$tmp/$n.err"
    fi
done
if [[ -f $tmp/main/home.png && -f $tmp/again/home.png ]]; then
    differ=()
    for s in "${STATES[@]}"; do
        same "$tmp/main/$s.png" "$tmp/again/$s.png" || differ+=("$s")
    done
    if ((${#differ[@]})); then
        fail "two identical tours differ in: ${differ[*]} (pictures must not depend on the moment)"
    else
        echo "ok   the same tour twice gives byte-identical PNGs"
    fi
fi
if [[ -f $tmp/main/home.png && -f $tmp/zh/home.png ]]; then
    if same "$tmp/main/home.png" "$tmp/zh/home.png"; then
        fail "--locale en and --locale zh_CN give the same home.png (--locale ignored?)"
    else
        echo "ok   --locale en differs from --locale zh_CN"
    fi
fi
if [[ -f $tmp/main/home.png && -f $tmp/std/home.png ]]; then
    if same "$tmp/main/home.png" "$tmp/std/home.png"; then
        fail "--theme contrast and --theme standard give the same home.png (--theme ignored?)"
    else
        echo "ok   --theme contrast differs from --theme standard"
    fi
fi

# --- an unknown locale --------------------------------------------------------------
tour xx --size 1280x800 --locale xx --theme contrast
nxx=$(find "$tmp/xx" -name '*.png' 2>/dev/null | wc -l)
if ((rc != 0)); then
    fail "--locale xx: exit status $rc, expected 0 (any letters are a valid locale name)"
    show_err "$tmp/xx.err"
elif ((nxx != ${#STATES[@]})); then
    fail "--locale xx: $nxx PNGs, expected ${#STATES[@]}"
elif ! grep -q "locale xx not found in $BUILD/locale" "$tmp/xx.err"; then
    fail "--locale xx: no 'locale xx not found in $BUILD/locale' line on stderr:"
    show_err "$tmp/xx.err"
elif [[ -f $tmp/zh/home.png ]] && ! same "$tmp/xx/home.png" "$tmp/zh/home.png"; then
    fail "--locale xx: home.png is not the zh_CN one (expected the fall-back to the default catalogue)"
else
    echo "ok   --locale xx: exit 0, '$(grep -m1 'locale xx' "$tmp/xx.err")', zh_CN text shown"
fi

mkdir -p "$tmp/no-mo"
rm -rf "${tmp:?}/ids"
timeout -k 5 20 "$KIOSK" --config "$ini" --set "kiosk.var_dir=$tmp/var-ids" \
    --set "kiosk.locale_dir=$tmp/no-mo" --tour "$tmp/ids" --size 1280x800 --locale en \
    </dev/null >"$tmp/ids.out" 2>"$tmp/ids.err"
rc=$?
if ((rc != 0)); then
    fail "locale_dir without any .mo: exit status $rc, expected 0"
    show_err "$tmp/ids.err"
elif ! grep -q "no translations in $tmp/no-mo.*message ids" "$tmp/ids.err"; then
    fail "locale_dir without any .mo: no 'no translations in ... message ids' line:"
    show_err "$tmp/ids.err"
elif [[ ! -f $tmp/ids/home.png ]]; then
    fail "locale_dir without any .mo: no home.png"
else
    echo "ok   no catalogue: exit 0, '$(grep -m1 'no translations' "$tmp/ids.err")'"
fi

tour bad --size 1280x800 --locale 'en-GB'
if ((rc != 2)); then
    fail "--locale en-GB: exit status $rc, expected 2 (only letters and underscores)"
elif ! grep -q 'locale: must be letters and underscores' "$tmp/bad.err"; then
    fail "--locale en-GB: unexpected message: $(cat "$tmp/bad.err")"
else
    echo "ok   --locale en-GB -> exit 2: $(cat "$tmp/bad.err")"
fi

# --- --screen with an unknown name ------------------------------------------------------
timeout -k 5 20 "$KIOSK" --config "$ini" --set "kiosk.var_dir=$tmp/var-screen" \
    --set "kiosk.locale_dir=$BUILD/locale" --screen nosuch --first-frame \
    </dev/null >"$tmp/screen.out" 2>"$tmp/screen.err"
rc=$?
line=$(grep -m1 -- '--screen nosuch' "$tmp/screen.err")
if ((rc != 2)); then
    fail "--screen nosuch: exit status $rc, expected 2"
    show_err "$tmp/screen.err"
elif [[ -z $line ]]; then
    fail "--screen nosuch: no message naming '--screen nosuch':"
    show_err "$tmp/screen.err"
else
    missing=()
    for s in "${STATES[@]}"; do
        [[ " ${line//[():]/ } " == *" $s "* ]] || missing+=("$s")
    done
    if ((${#missing[@]})); then
        fail "--screen nosuch: the message does not list: ${missing[*]} ($line)"
    else
        echo "ok   --screen nosuch -> exit 2: $line"
    fi
fi
# Control: a known name starts (and --first-frame ends it).
timeout -k 5 20 "$KIOSK" --config "$ini" --set "kiosk.var_dir=$tmp/var-screen" \
    --set "kiosk.locale_dir=$BUILD/locale" --screen staff_menu --first-frame \
    </dev/null >"$tmp/screen.out" 2>"$tmp/screen.err"
rc=$?
if ((rc != 0)); then
    fail "--screen staff_menu --first-frame: exit status $rc, expected 0"
    show_err "$tmp/screen.err"
else
    echo "ok   --screen staff_menu --first-frame -> exit 0"
fi

# --- the sample data: missing or malformed --------------------------------------------
# A copy of the assets (the street map too) with one tour file broken at a time.
bad_assets() {
    rm -rf "${tmp:?}/assets"
    cp -r assets "$tmp/assets"
}
bad_assets
rm "$tmp/assets/tour/street.json"
tour nofile --size 1280x800 --set "kiosk.assets_dir=$tmp/assets"
want="$tmp/assets/tour/street.json: cannot open"
if ((rc != 1)); then
    fail "no street.json: exit status $rc, expected 1"
    show_err "$tmp/nofile.err"
elif ! grep -qF "$want" "$tmp/nofile.err"; then
    fail "no street.json: no line '$want':"
    show_err "$tmp/nofile.err"
elif [[ -f $tmp/nofile/street.png ]]; then
    fail "no street.json: street.png written anyway"
else
    echo "ok   no street.json -> exit 1: $(grep -m1 -F "$want" "$tmp/nofile.err")"
fi
bad_assets
sed -i 's/"title": "社区义诊"/"titel": "社区义诊"/' "$tmp/assets/tour/info.json"   # an item without a title
sed -i '0,/"left": 1$/s//"left": 5/' "$tmp/assets/tour/housekeeping.json"   # slots[0]: 5 of 2
tour badfield --size 1280x800 --set "kiosk.assets_dir=$tmp/assets"
want="$tmp/assets/tour/info.json: \"events\": 1 item(s) malformed or too many"
if ((rc != 1)); then
    fail "a malformed info.json: exit status $rc, expected 1"
    show_err "$tmp/badfield.err"
elif ! grep -qF "$want" "$tmp/badfield.err"; then
    fail "a malformed info.json: no line '$want':"
    show_err "$tmp/badfield.err"
else
    echo "ok   a malformed info.json -> exit 1: $(grep -m1 -F "$want" "$tmp/badfield.err")"
fi
rm -rf "${tmp:?}/screenbad"
SDL_VIDEODRIVER=dummy timeout -k 5 20 "$KIOSK" --config "$ini" --set "kiosk.var_dir=$tmp/var-screenbad" \
    --set "kiosk.locale_dir=$BUILD/locale" --set "kiosk.assets_dir=$tmp/assets" --screen hk_slots \
    --first-frame </dev/null >"$tmp/screenbad.out" 2>"$tmp/screenbad.err"
rc=$?
want="$tmp/assets/tour/housekeeping.json: \"slots\": slots[0].left: not an integer in 0..2"
if ((rc != 1)); then
    fail "--screen hk_slots on a malformed housekeeping.json: exit status $rc, expected 1"
    show_err "$tmp/screenbad.err"
elif ! grep -qF "$want" "$tmp/screenbad.err"; then
    fail "--screen hk_slots on a malformed housekeeping.json: no line '$want':"
    show_err "$tmp/screenbad.err"
else
    echo "ok   --screen hk_slots on a malformed housekeeping.json -> exit 1"
fi

if ((failures)); then
    echo "tour: $failures failure(s)"
    exit 1
fi
echo "tour: all cases passed"

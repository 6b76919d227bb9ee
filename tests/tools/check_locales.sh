#!/usr/bin/env bash
# Checks the shipped translations against the code. Run from the repo root:
#   tests/tools/check_locales.sh [BUILD_DIR]        (BUILD_DIR default: build)
#
# Fails (one line per problem, exit 1) when:
#   - a locales/*.po does not pass `msgfmt --check`, is not UTF-8, or its
#     name is not letters, digits and underscore (the kiosk would skip it);
#   - a msgid the code uses (_("...") or N_("...") in kiosk/**/*.c, extracted
#     with the Makefile's xgettext command), or "@language-name", is missing
#     from a .po, has an empty msgstr (any plural form), or is fuzzy;
#   - a msgid in the code is not pure ASCII (xgettext, run as the Makefile
#     does, drops such bytes, so the catalogue could never match it).
# Warns (does not fail) about msgids a .po has but the code no longer uses,
# a "Language:" header that differs from the file name, and BUILD_DIR/locale
# catalogues that are missing or older than their .po.
# Writes BUILD_DIR/locales.pot: the code's template plus "@language-name",
# the reference to `msgmerge --update` a .po against.
# On success prints "locales: N locales, M messages, all translated".
set -u -o pipefail

BUILD=${1:-build}

if [[ ! -d kiosk || ! -d locales ]]; then
    echo "check_locales: run from the repo root (no kiosk/ or locales/ here)" >&2
    exit 2
fi
for tool in msgfmt xgettext msgattrib; do
    if ! command -v "$tool" >/dev/null; then
        echo "check_locales: $tool not found (Debian package gettext)" >&2
        exit 2
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_locales.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

fails=0
fail() { echo "locales: $*"; fails=$((fails + 1)); }
warn() { echo "locales: warning: $*"; }

# Reads a PO file on stdin (as printed by msgattrib/xgettext) and prints one
# line per entry: "E<TAB>fuzzy<TAB>untranslated<TAB>key", fuzzy and
# untranslated being 0 or 1, key the msgid as written in PO syntax (escaped,
# without the quotes), prefixed with "[msgctxt] " when the entry has a
# context. The header entry prints "H<TAB>header text" instead.
po_entries() {
    awk '
    function flush() {
        if (state != "") {
            if (has_ctxt == 0 && id == "") {
                print "H\t" str_all
            } else {
                key = (has_ctxt ? "[" ctxt "] " : "") id
                print "E\t" fuzzy "\t" (nstr == 0 || nempty > 0) "\t" key
            }
        }
        state = ""; fuzzy = 0; has_ctxt = 0; ctxt = ""; id = ""
        nstr = 0; nempty = 0; cur = ""; str_all = ""
    }
    function strval(line) {
        sub(/^[^"]*"/, "", line)
        sub(/"[ \t]*$/, "", line)
        return line
    }
    function endstr() {
        if (state == "msgstr") { nstr++; if (cur == "") nempty++; str_all = str_all cur }
    }
    BEGIN { state = "" ; flush() }
    /^[ \t]*$/ { endstr(); flush(); next }
    /^#,/ {
        endstr()
        if (state == "msgstr") flush()
        if ($0 ~ /[ ,]fuzzy([ ,]|$)/) fuzzy = 1
        next
    }
    /^#/ { next }
    /^msgctxt[ \t]/ {
        endstr()
        if (state == "msgstr") flush()
        state = "msgctxt"; has_ctxt = 1; ctxt = strval($0); next
    }
    /^msgid[ \t]/ {
        endstr()
        if (state == "msgstr") flush()
        state = "msgid"; id = strval($0); next
    }
    /^msgid_plural[ \t]/ { state = "plural"; next }
    /^msgstr(\[[0-9]+\])?[ \t]/ { endstr(); state = "msgstr"; cur = strval($0); next }
    /^[ \t]*"/ {
        v = strval($0)
        if (state == "msgctxt") ctxt = ctxt v
        else if (state == "msgid") id = id v
        else if (state == "msgstr") cur = cur v
        next
    }
    END { endstr(); flush() }
    '
}

# (a) Every shipped .po compiles cleanly.
declare -A broken=()                    # .po files msgfmt rejected
shopt -s nullglob
po_files=(locales/*.po)
shopt -u nullglob
if ((${#po_files[@]} == 0)); then
    fail "no locales/*.po found"
fi
for po in "${po_files[@]}"; do
    loc=$(basename "$po" .po)
    if [[ ! $loc =~ ^[A-Za-z0-9_]+$ ]]; then
        fail "$po: locale name must be letters, digits and underscore"
    fi
    if ! msgfmt --check -o /dev/null "$po" 2>"$tmp/msgfmt.err"; then
        broken[$po]=1
        while IFS= read -r line; do
            case $line in
                *"warning: header field"*) ;;          # advisory, not an error
                *) fail "$loc: msgfmt --check: $line" ;;
            esac
        done <"$tmp/msgfmt.err"
        grep -q . "$tmp/msgfmt.err" || fail "$loc: msgfmt --check failed"
    fi
done

# (b) The template, extracted exactly as the Makefile does.
mapfile -d '' sources < <(find kiosk -name '*.c' -print0 | LC_ALL=C sort -z)
: >"$tmp/kiosk.pot"
if ((${#sources[@]} > 0)); then
    xgettext --from-code=UTF-8 -k_ -kN_ --no-location --omit-header \
        -o "$tmp/kiosk.pot" "${sources[@]}" 2>"$tmp/xgettext.err"
    xg_rc=$?
    # One line per diagnostic (xgettext indents continuation lines), once.
    # A msgid that is not pure ASCII is extracted differently from what the
    # code passes at run time (xgettext drops the bytes), so it can never be
    # translated: that fails. Other diagnostics are advisory.
    while IFS= read -r line; do
        case $line in
            *"invalid multibyte sequence"* | *"non-ASCII"*)
                fail "xgettext: $line" ;;
            *) warn "xgettext: $line" ;;
        esac
    done < <(awk '/^[ \t]/ { sub(/^[ \t]+/, ""); d = d " " $0; next }
                  { if (d != "") print d; d = $0 }
                  END { if (d != "") print d }' "$tmp/xgettext.err" |
             awk '!seen[$0]++')
    ((xg_rc == 0)) || fail "xgettext could not extract the template"
    [[ -f $tmp/kiosk.pot ]] || : >"$tmp/kiosk.pot"     # no messages: no file
fi

declare -A want=()
while IFS=$'\t' read -r kind _ _ key; do
    [[ $kind == E ]] && want[$key]=1
done < <(po_entries <"$tmp/kiosk.pot")
if [[ -z ${want[@language-name]+x} ]]; then
    want[@language-name]=1
    { printf 'msgid "@language-name"\nmsgstr ""\n\n'; cat "$tmp/kiosk.pot"; } >"$tmp/full.pot"
    mv "$tmp/full.pot" "$tmp/kiosk.pot"
fi
if mkdir -p "$BUILD" 2>/dev/null; then
    cp "$tmp/kiosk.pot" "$BUILD/locales.pot"
else
    warn "cannot write $BUILD/locales.pot"
fi
mapfile -t want_keys < <(printf '%s\n' "${!want[@]}" | LC_ALL=C sort)

# (c) and (d): every .po against the template.
for po in "${po_files[@]}"; do
    loc=$(basename "$po" .po)
    [[ -n ${broken[$po]+x} ]] && continue        # already reported
    if ! msgattrib --no-obsolete --no-wrap -o "$tmp/po" "$po" 2>"$tmp/msgattrib.err"; then
        fail "$loc: msgattrib cannot read $po: $(head -n 1 "$tmp/msgattrib.err")"
        continue
    fi
    declare -A have=() fuzzy=() empty=()
    header=""
    while IFS=$'\t' read -r kind f u key; do
        if [[ $kind == H ]]; then
            header=$f
            continue
        fi
        have[$key]=1
        [[ $f == 1 ]] && fuzzy[$key]=1
        [[ $u == 1 ]] && empty[$key]=1
    done < <(po_entries <"$tmp/po")

    if ! grep -qi 'charset=UTF-8' <<<"$header"; then
        fail "$loc: header must declare Content-Type: text/plain; charset=UTF-8"
    fi
    lang=$(sed -n 's/.*Language: \([^\\]*\)\\n.*/\1/p' <<<"$header")
    if [[ $lang != "$loc" ]]; then
        warn "$loc: header says Language: ${lang:-(none)}"
    fi

    for key in "${want_keys[@]}"; do
        if [[ -z ${have[$key]+x} ]]; then
            fail "$loc: missing: \"$key\""
        elif [[ -n ${fuzzy[$key]+x} ]]; then
            fail "$loc: fuzzy: \"$key\""
        elif [[ -n ${empty[$key]+x} ]]; then
            fail "$loc: untranslated: \"$key\""
        fi
    done
    mapfile -t extra < <(for key in "${!have[@]}"; do
                             [[ -z ${want[$key]+x} ]] && printf '%s\n' "$key"
                         done | LC_ALL=C sort)
    for key in "${extra[@]}"; do
        warn "$loc: not used by the code: \"$key\""
    done
    unset have fuzzy empty

    mo=$BUILD/locale/$loc.mo
    if [[ ! -f $mo ]]; then
        warn "$loc: $mo not built (make)"
    elif [[ $mo -ot $po ]]; then
        warn "$loc: $mo is older than $po (make)"
    fi
done

if ((fails > 0)); then
    echo "locales: $fails problem(s)"
    exit 1
fi
echo "locales: ${#po_files[@]} locales, ${#want_keys[@]} messages, all translated"
exit 0

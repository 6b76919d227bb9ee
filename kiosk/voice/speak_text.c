/* Numbers, money, dates, times and codes as spoken words (speak_text.h). */
#include "voice/speak_text.h"

#include <ctype.h>
#include <string.h>

/* The output being written: never overruns, remembers a cut. */
typedef struct {
    char *p;
    size_t len, n;
    bool cut;
} sb_t;

static void sb_init(sb_t *b, char *out, size_t len)
{
    b->p = out;
    b->len = len;
    b->n = 0;
    b->cut = len == 0;
    if (len)
        out[0] = '\0';
}

/* Appends S whole, or as much of it as fits cut before a UTF-8 lead byte. */
static void sb_put(sb_t *b, const char *s)
{
    if (b->cut)
        return;
    size_t sl = strlen(s);
    if (b->n + sl < b->len) {
        memcpy(b->p + b->n, s, sl + 1);
        b->n += sl;
        return;
    }
    size_t room = b->len - 1 - b->n;
    while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
        room--;
    memcpy(b->p + b->n, s, room);
    b->n += room;
    b->p[b->n] = '\0';
    b->cut = true;
}

static int sb_done(sb_t *b)
{
    return b->cut ? -1 : 0;
}

static int fail_arg(char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    return -1;
}

speak_lang_t speak_lang_of(const char *locale)
{
    if (locale && locale[0] == 'z' && locale[1] == 'h' && (locale[2] == '\0' || locale[2] == '_'))
        return SPEAK_ZH;
    if (locale && locale[0] == 'k' && locale[1] == 'o' && (locale[2] == '\0' || locale[2] == '_'))
        return SPEAK_KO;
    return SPEAK_EN;
}

/* ---- Mandarin ------------------------------------------------------------ */

static const char *const zh_digit[10] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
static const char *const zh_place[4] = {"", "十", "百", "千"};
/* Units of the four-digit groups, lowest first: 1, 10^4, 10^8, 10^12. */
static const char *const zh_group[4] = {"", "万", "亿", "万亿"};

#define SPEAK_MAX 10000000000000000LL   /* 10^16: four groups of four digits */

/* One group of four digits G (1..9999). FIRST: the group starts the whole
 * number (a leading 1 before 十 is dropped, a leading 2 before 百 is 两).
 * A 2 before 千 is always 两 ("一万两千"); before 十 and alone it is 二. */
static void zh_group_words(sb_t *b, int g, bool first)
{
    static const int pow10[4] = {1, 10, 100, 1000};
    bool started = false, zero = false;
    for (int place = 3; place >= 0; place--) {
        int d = g / pow10[place] % 10;
        if (d == 0) {
            zero = started;
            continue;
        }
        if (zero)
            sb_put(b, "零");
        zero = false;
        bool lead = first && !started;
        if (place == 1 && d == 1 && lead)
            ;                                   /* "十二", not "一十二" */
        else if (d == 2 && (place == 3 || (place == 2 && lead)))
            sb_put(b, "两");
        else
            sb_put(b, zh_digit[d]);
        sb_put(b, zh_place[place]);
        started = true;
    }
}

/* N >= 0, < 10^16. COUNT: a lone 2 is 两 (before a measure word). */
static void zh_number(sb_t *b, long long n, bool count)
{
    if (n == 0) {
        sb_put(b, zh_digit[0]);
        return;
    }
    if (n == 2 && count) {
        sb_put(b, "两");
        return;
    }
    int g[4];
    for (int k = 0; k < 4; k++) {
        g[k] = (int)(n % 10000);
        n /= 10000;
    }
    bool started = false, gap = false;
    for (int k = 3; k >= 0; k--) {
        if (g[k] == 0) {
            gap = started;
            continue;
        }
        /* One 零 for any run of zeros between two spoken digits. */
        if (started && (gap || g[k] < 1000))
            sb_put(b, "零");
        gap = false;
        if (k > 0 && g[k] == 2)
            sb_put(b, "两");                    /* "两万", "两亿" */
        else
            zh_group_words(b, g[k], !started);
        sb_put(b, zh_group[k]);
        started = true;
    }
}

/* ---- Korean -------------------------------------------------------------- */

/* Sino-Korean digits and places: numbers as values, minutes, seconds,
 * dates. Zero is 영 as a value, 공 when a code is spelled (as phone numbers
 * are read). */
static const char *const ko_digit[10] = {"영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"};
static const char *const ko_code_digit[10] = {"공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"};
static const char *const ko_place[4] = {"", "십", "백", "천"};
static const char *const ko_group[4] = {"", "만", "억", "조"};

/* One group G (1..9999): a 1 before 십, 백 and 천 is not said ("천십",
 * "백일"); zeros are never said inside a number. */
static void ko_group_words(sb_t *b, int g)
{
    static const int pow10[4] = {1, 10, 100, 1000};
    for (int place = 3; place >= 0; place--) {
        int d = g / pow10[place] % 10;
        if (d == 0)
            continue;
        if (!(d == 1 && place > 0))
            sb_put(b, ko_digit[d]);
        sb_put(b, ko_place[place]);
    }
}

/* N >= 0, < 10^16, Sino-Korean: "구백십사", "만 이천", "일억". A space after
 * each group unit (만, 억, 조), as Korean writes large numbers; a lone 1
 * before 만 is not said ("만", "만 일"), before 억 and 조 it is. */
static void ko_number(sb_t *b, long long n)
{
    if (n == 0) {
        sb_put(b, ko_digit[0]);
        return;
    }
    int g[4];
    for (int k = 0; k < 4; k++) {
        g[k] = (int)(n % 10000);
        n /= 10000;
    }
    bool started = false;
    for (int k = 3; k >= 0; k--) {
        if (g[k] == 0)
            continue;
        if (started)
            sb_put(b, " ");
        if (!(k == 1 && g[k] == 1))
            ko_group_words(b, g[k]);
        sb_put(b, ko_group[k]);
        started = true;
    }
}

/* Native Korean numbers, for counting before a counter word ("두 건", "세
 * 시간") and for the hour of a clock time ("아홉 시"): 1..99 in the
 * counting forms 한 두 세 네 ... 스무; 0 and from 100 on, Sino-Korean. */
static void ko_count(sb_t *b, long long n)
{
    static const char *const ones[10] = {"", "한", "두", "세", "네", "다섯", "여섯", "일곱",
                                         "여덟", "아홉"};
    static const char *const tens[10] = {"", "열", "스물", "서른", "마흔", "쉰", "예순",
                                         "일흔", "여든", "아흔"};
    if (n <= 0 || n >= 100) {
        ko_number(b, n);
        return;
    }
    if (n == 20) {
        sb_put(b, "스무");
        return;
    }
    sb_put(b, tens[n / 10]);
    sb_put(b, ones[n % 10]);
}

/* ---- English ------------------------------------------------------------- */

static const char *const en_small[20] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen"};
static const char *const en_tens[10] = {"", "", "twenty", "thirty", "forty", "fifty",
                                        "sixty", "seventy", "eighty", "ninety"};
static const char *const en_scale[6] = {"", " thousand", " million", " billion",
                                        " trillion", " quadrillion"};

static void en_below_100(sb_t *b, int r)
{
    if (r < 20) {
        sb_put(b, en_small[r]);
        return;
    }
    sb_put(b, en_tens[r / 10]);
    if (r % 10) {
        sb_put(b, "-");
        sb_put(b, en_small[r % 10]);
    }
}

static void en_below_1000(sb_t *b, int g)
{
    if (g >= 100) {
        sb_put(b, en_small[g / 100]);
        sb_put(b, " hundred");
        if (g % 100)
            sb_put(b, " and ");
    }
    if (g % 100)
        en_below_100(b, g % 100);
}

/* N >= 0, < 10^16; British "and" before a last group below 100. */
static void en_number(sb_t *b, long long n)
{
    if (n == 0) {
        sb_put(b, en_small[0]);
        return;
    }
    int g[6];
    for (int k = 0; k < 6; k++) {
        g[k] = (int)(n % 1000);
        n /= 1000;
    }
    bool started = false;
    for (int k = 5; k >= 0; k--) {
        if (g[k] == 0)
            continue;
        if (started)
            sb_put(b, k == 0 && g[k] < 100 ? " and " : " ");
        en_below_1000(b, g[k]);
        sb_put(b, en_scale[k]);
        started = true;
    }
}

/* ---- Numbers and money --------------------------------------------------- */

static const char *negative_word(speak_lang_t lang)
{
    return lang == SPEAK_ZH ? "负" : lang == SPEAK_KO ? "마이너스 " : "minus ";
}

static int number_common(speak_lang_t lang, long long n, bool count, char *out, size_t len)
{
    if (n <= -SPEAK_MAX || n >= SPEAK_MAX)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    if (n < 0) {
        sb_put(&b, negative_word(lang));
        n = -n;
    }
    if (lang == SPEAK_ZH)
        zh_number(&b, n, count);
    else if (lang == SPEAK_KO && count)
        ko_count(&b, n);
    else if (lang == SPEAK_KO)
        ko_number(&b, n);
    else
        en_number(&b, n);
    return sb_done(&b);
}

int speak_number(speak_lang_t lang, long long n, char *out, size_t len)
{
    return number_common(lang, n, false, out, len);
}

int speak_count(speak_lang_t lang, long long n, char *out, size_t len)
{
    return number_common(lang, n, true, out, len);
}

/* The first unit spoken counts with 两, later ones read the digit:
 * "两角二分", "一元二角". */
static void zh_small_unit(sb_t *b, int d, bool first, const char *unit)
{
    sb_put(b, d == 2 && first ? "两" : zh_digit[d]);
    sb_put(b, unit);
}

int speak_amount(speak_lang_t lang, long long fen, char *out, size_t len)
{
    if (fen <= -SPEAK_MAX || fen >= SPEAK_MAX)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    if (fen < 0) {
        sb_put(&b, negative_word(lang));
        fen = -fen;
    }
    long long yuan = fen / 100;
    int jiao = (int)(fen / 10 % 10), f = (int)(fen % 10);
    if (lang == SPEAK_KO) {
        /* As the screen shows it, decimal point and all: "구백십사 점 칠칠
         * 위안"; a trailing zero of the fen is not said ("팔십이 점 이"). */
        ko_number(&b, yuan);
        if (jiao || f) {
            sb_put(&b, " 점 ");
            sb_put(&b, ko_digit[jiao]);
            if (f)
                sb_put(&b, ko_digit[f]);
        }
        sb_put(&b, " 위안");
        return sb_done(&b);
    }
    if (lang == SPEAK_EN) {
        if (yuan > 0 || fen == 0) {
            en_number(&b, yuan);
            sb_put(&b, " yuan");
        }
        if (fen % 100) {
            if (yuan > 0)
                sb_put(&b, " and ");
            en_below_100(&b, (int)(fen % 100));
            sb_put(&b, " fen");
        }
        return sb_done(&b);
    }
    if (fen == 0) {
        sb_put(&b, "零元");
        return sb_done(&b);
    }
    bool first = true;
    if (yuan > 0) {
        zh_number(&b, yuan, true);
        sb_put(&b, "元");
        first = false;
    }
    if (jiao > 0) {
        zh_small_unit(&b, jiao, first, "角");
        first = false;
    } else if (yuan > 0 && f > 0) {
        sb_put(&b, "零");
    }
    if (f > 0)
        zh_small_unit(&b, f, first, "分");
    return sb_done(&b);
}

/* ---- Dates, times, durations --------------------------------------------- */

static const char *const zh_wday[7] = {"日", "一", "二", "三", "四", "五", "六"};
static const char *const ko_wday[7] = {"일요일", "월요일", "화요일", "수요일", "목요일",
                                       "금요일", "토요일"};
static const char *const en_wday[7] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
static const char *const en_month[12] = {"January", "February", "March", "April", "May",
                                          "June", "July", "August", "September",
                                          "October", "November", "December"};
static const char *const en_ordinal_small[20] = {
    "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
    "sixteenth", "seventeenth", "eighteenth", "nineteenth"};

static void en_ordinal(sb_t *b, int d)
{
    if (d < 20) {
        sb_put(b, en_ordinal_small[d]);
    } else if (d % 10 == 0) {
        sb_put(b, d == 20 ? "twentieth" : "thirtieth");
    } else {
        sb_put(b, en_tens[d / 10]);
        sb_put(b, "-");
        sb_put(b, en_ordinal_small[d % 10]);
    }
}

int speak_date(speak_lang_t lang, int month, int day, int wday, char *out, size_t len)
{
    if (month < 1 || month > 12 || day < 1 || day > 31 || wday < -1 || wday > 6)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    if (lang == SPEAK_ZH) {
        zh_number(&b, month, false);
        sb_put(&b, "月");
        zh_number(&b, day, false);
        sb_put(&b, "日");
        if (wday >= 0) {
            sb_put(&b, " 星期");
            sb_put(&b, zh_wday[wday]);
        }
        return sb_done(&b);
    }
    if (lang == SPEAK_KO) {
        /* 6월 and 10월 are said 유월 and 시월. */
        if (month == 6)
            sb_put(&b, "유");
        else if (month == 10)
            sb_put(&b, "시");
        else
            ko_number(&b, month);
        sb_put(&b, "월 ");
        ko_number(&b, day);
        sb_put(&b, "일");
        if (wday >= 0) {
            sb_put(&b, " ");
            sb_put(&b, ko_wday[wday]);
        }
        return sb_done(&b);
    }
    if (wday >= 0) {
        sb_put(&b, en_wday[wday]);
        sb_put(&b, " ");
    }
    sb_put(&b, "the ");
    en_ordinal(&b, day);
    sb_put(&b, " of ");
    sb_put(&b, en_month[month - 1]);
    return sb_done(&b);
}

static void zh_time(sb_t *b, int hour, int minute)
{
    const char *period = hour < 6 ? "凌晨" : hour < 12 ? "上午" : hour == 12 ? "中午"
                         : hour < 18 ? "下午" : "晚上";
    sb_put(b, period);
    zh_number(b, hour > 12 ? hour - 12 : hour, true);   /* "两点" */
    sb_put(b, "点");
    if (minute == 30) {
        sb_put(b, "半");
    } else if (minute > 0) {
        if (minute < 10)
            sb_put(b, "零");
        zh_number(b, minute, false);
        sb_put(b, "分");
    }
}

/* "오전 아홉 시 삼십 분": the hour in native numbers on a 12-hour clock,
 * the minutes in Sino-Korean; 새벽 before six, 낮 for the twelve o'clock
 * hour, 밤 for the midnight hour and from nine in the evening. */
static void ko_time(sb_t *b, int hour, int minute)
{
    const char *period = hour == 0 ? "밤" : hour < 6 ? "새벽" : hour < 12 ? "오전"
                         : hour == 12 ? "낮" : hour < 18 ? "오후" : hour < 21 ? "저녁" : "밤";
    sb_put(b, period);
    sb_put(b, " ");
    ko_count(b, hour % 12 == 0 ? 12 : hour % 12);
    sb_put(b, " 시");
    if (minute > 0) {
        sb_put(b, " ");
        ko_number(b, minute);
        sb_put(b, " 분");
    }
}

static void en_time(sb_t *b, int hour, int minute)
{
    if (minute == 0 && hour == 0) {
        sb_put(b, "midnight");
        return;
    }
    if (minute == 0 && hour == 12) {
        sb_put(b, "noon");
        return;
    }
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    int next = h12 % 12 + 1;
    if (minute == 0) {
        en_below_100(b, h12);
        sb_put(b, " o'clock");
    } else if (minute == 15 || minute == 30) {
        sb_put(b, minute == 15 ? "quarter past " : "half past ");
        en_below_100(b, h12);
    } else if (minute == 45) {
        sb_put(b, "quarter to ");
        en_below_100(b, next);
    } else {
        en_below_100(b, h12);
        sb_put(b, minute < 10 ? " oh " : " ");
        en_below_100(b, minute);
    }
    sb_put(b, hour < 12 ? " in the morning" : hour < 18 ? " in the afternoon"
                                                        : " in the evening");
}

int speak_time(speak_lang_t lang, int hour, int minute, char *out, size_t len)
{
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    if (lang == SPEAK_ZH)
        zh_time(&b, hour, minute);
    else if (lang == SPEAK_KO)
        ko_time(&b, hour, minute);
    else
        en_time(&b, hour, minute);
    return sb_done(&b);
}

static void en_unit(sb_t *b, long long n, const char *unit, bool *started)
{
    if (*started)
        sb_put(b, " ");
    en_number(b, n);
    sb_put(b, " ");
    sb_put(b, unit);
    if (n != 1)
        sb_put(b, "s");
    *started = true;
}

int speak_duration(speak_lang_t lang, long long seconds, char *out, size_t len)
{
    if (seconds < 0 || seconds >= SPEAK_MAX)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    long long h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    if (lang == SPEAK_EN) {
        bool started = false;
        if (h)
            en_unit(&b, h, "hour", &started);
        if (m)
            en_unit(&b, m, "minute", &started);
        if (s || !started)
            en_unit(&b, s, "second", &started);
        return sb_done(&b);
    }
    if (lang == SPEAK_KO) {
        /* "두 시간 이 분 사십삼 초": hours counted, minutes and seconds read. */
        if (h) {
            ko_count(&b, h);
            sb_put(&b, " 시간");
        }
        if (m) {
            if (h)
                sb_put(&b, " ");
            ko_number(&b, m);
            sb_put(&b, " 분");
        }
        if (s || (!h && !m)) {
            if (h || m)
                sb_put(&b, " ");
            ko_number(&b, s);
            sb_put(&b, " 초");
        }
        return sb_done(&b);
    }
    if (h) {
        zh_number(&b, h, true);
        sb_put(&b, "小时");
    }
    if (m) {
        zh_number(&b, m, true);
        sb_put(&b, s ? "分" : "分钟");          /* "两分四十三秒", "一分钟" */
    }
    if (s || (!h && !m)) {
        zh_number(&b, s, true);
        sb_put(&b, "秒");
    }
    return sb_done(&b);
}

/* ---- Codes and personal data --------------------------------------------- */

static void spell_char(sb_t *b, speak_lang_t lang, char c)
{
    if (isdigit((unsigned char)c)) {
        sb_put(b, lang == SPEAK_ZH ? zh_digit[c - '0']
                  : lang == SPEAK_KO ? ko_code_digit[c - '0'] : en_small[c - '0']);
    } else {
        char l[2] = {(char)toupper((unsigned char)c), '\0'};
        sb_put(b, l);
    }
}

static bool spoken_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The spoken characters of S from index FROM on (counting spoken ones
 * only), with a pause every four when PAUSE. */
static void spell(sb_t *b, speak_lang_t lang, const char *s, size_t from, bool pause)
{
    size_t i = 0;
    bool any = false;
    for (; *s; s++) {
        if (!spoken_char(*s))
            continue;
        if (i++ < from)
            continue;
        if (any)
            sb_put(b, pause && (i - from - 1) % 4 == 0 ? (lang == SPEAK_ZH ? "，" : ", ")
                      : (lang == SPEAK_EN ? " " : ""));
        spell_char(b, lang, *s);
        any = true;
    }
}

static size_t spoken_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += spoken_char(*s);
    return n;
}

int speak_digits(speak_lang_t lang, const char *code, char *out, size_t len)
{
    if (!code)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    spell(&b, lang, code, 0, true);
    return sb_done(&b);
}

int speak_tail(speak_lang_t lang, const char *number, char *out, size_t len)
{
    if (!number)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    size_t n = spoken_len(number);
    if (n < 5)
        return sb_done(&b);
    sb_put(&b, lang == SPEAK_ZH ? "尾号" : lang == SPEAK_KO ? "끝자리 " : "ending in ");
    spell(&b, lang, number, n - 4, false);
    return sb_done(&b);
}

int speak_personal(speak_lang_t lang, speak_out_t output, speak_personal_t kind,
                   const char *value, char *out, size_t len)
{
    if (!value)
        return fail_arg(out, len);
    bool private_ear = output == SPEAK_HEADPHONES;
    switch (kind) {
    case SPEAK_NAME:
        if (private_ear) {
            sb_t b;
            sb_init(&b, out, len);
            sb_put(&b, value);
            return sb_done(&b);
        }
        if (len)
            out[0] = '\0';
        return 0;
    case SPEAK_PHONE:
    case SPEAK_ACCOUNT:
        if (private_ear)
            return speak_digits(lang, value, out, len);
        return speak_tail(lang, value, out, len);
    case SPEAK_IDNUM:
        return speak_tail(lang, value, out, len);
    }
    return fail_arg(out, len);
}

/* ---- screen text --------------------------------------------------------- */

/* Length of the separator at S (0: none): ASCII space and punctuation, and
 * the CJK punctuation the screens use. */
static size_t separator_len(const char *s)
{
    static const char *const wide[] = {"，", "、", "：", "；", "（", "）", "。", "　"};
    if (strchr(" ,:;()/\t\n", *s) && *s)
        return 1;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (!strncmp(s, wide[i], strlen(wide[i])))
            return strlen(wide[i]);
    return 0;
}

/* "¥82.27" at W (N bytes): its fen in *FEN and the bytes it took, or 0. */
static size_t money_at(const char *w, size_t n, long long *fen)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && w[i] == '-')
        neg = true, i++;
    if (n - i < 3 || strncmp(w + i, "\xC2\xA5", 2))
        return 0;
    i += 2;
    long long yuan = 0;
    size_t d0 = i;
    while (i < n && isdigit((unsigned char)w[i]) && i - d0 < 12)
        yuan = yuan * 10 + (w[i++] - '0');
    if (i == d0)
        return 0;
    long long f = 0;
    if (i + 1 < n && w[i] == '.' && isdigit((unsigned char)w[i + 1])) {
        i++;
        f = (w[i++] - '0') * 10;
        if (i < n && isdigit((unsigned char)w[i]))
            f += w[i++] - '0';
    }
    *fen = (neg ? -1 : 1) * (yuan * 100 + f);
    return i;
}

int speak_screen_text(speak_lang_t lang, const char *in, char *out, size_t len)
{
    if (!in)
        return fail_arg(out, len);
    sb_t b;
    sb_init(&b, out, len);
    char word[256], said[512];
    while (*in) {
        size_t sep = separator_len(in);
        if (sep) {
            memcpy(word, in, sep);
            word[sep] = '\0';
            sb_put(&b, word);
            in += sep;
            continue;
        }
        size_t n = 0;
        while (in[n] && !separator_len(in + n))
            n++;
        size_t take = n < sizeof word - 1 ? n : sizeof word - 1;
        while (take > 0 && take < n && ((unsigned char)in[take] & 0xC0) == 0x80)
            take--;                                  /* cut at a character */
        memcpy(word, in, take);
        word[take] = '\0';
        in += n;
        long long fen;
        size_t m;
        if (strchr(word, '*')) {                     /* masked: before anything else */
            bool digit = false;
            for (const char *p = word; *p; p++)
                digit |= isdigit((unsigned char)*p) != 0;
            if (digit && speak_tail(lang, word, said, sizeof said) == 0)
                sb_put(&b, said);                    /* else: a masked name, unsaid */
        } else if ((m = money_at(word, take, &fen)) && speak_amount(lang, fen, said, sizeof said) == 0) {
            sb_put(&b, said);
            sb_put(&b, word + m);
        } else {
            sb_put(&b, word);
        }
    }
    return sb_done(&b);
}

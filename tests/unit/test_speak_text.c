/* voice/speak_text.c: numbers, money, dates, times and codes as a person
 * says them, and the privacy rule of speech. Table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "voice/speak_text.h"

typedef struct {
    long long n;
    const char *zh, *en;
} num_case_t;

static void check_num(int (*fn)(speak_lang_t, long long, char *, size_t), const num_case_t *c,
                      size_t count)
{
    char out[256];
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(fn(SPEAK_ZH, c[i].n, out, sizeof out), 0);
        if (strcmp(out, c[i].zh))
            fail_msg("%lld: zh \"%s\", want \"%s\"", c[i].n, out, c[i].zh);
        if (!c[i].en)
            continue;
        assert_int_equal(fn(SPEAK_EN, c[i].n, out, sizeof out), 0);
        if (strcmp(out, c[i].en))
            fail_msg("%lld: en \"%s\", want \"%s\"", c[i].n, out, c[i].en);
    }
}

static void numbers_zero_and_boundaries(void **state)
{
    static const num_case_t c[] = {
        {0, "零", "zero"},
        {1, "一", "one"},
        {2, "二", "two"},
        {9, "九", "nine"},
        {10, "十", "ten"},
        {11, "十一", "eleven"},
        {12, "十二", "twelve"},
        {19, "十九", "nineteen"},
        {20, "二十", "twenty"},
        {21, "二十一", "twenty-one"},
        {22, "二十二", "twenty-two"},
        {99, "九十九", "ninety-nine"},
        {100, "一百", "one hundred"},
        {101, "一百零一", "one hundred and one"},
        {102, "一百零二", "one hundred and two"},
        {110, "一百一十", "one hundred and ten"},
        {111, "一百一十一", "one hundred and eleven"},
        {120, "一百二十", "one hundred and twenty"},
        {200, "两百", "two hundred"},
        {222, "两百二十二", "two hundred and twenty-two"},
        {914, "九百一十四", "nine hundred and fourteen"},
        {999, "九百九十九", "nine hundred and ninety-nine"},
        {1000, "一千", "one thousand"},
        {1001, "一千零一", "one thousand and one"},
        {1010, "一千零一十", "one thousand and ten"},
        {1100, "一千一百", "one thousand one hundred"},
        {1200, "一千二百", "one thousand two hundred"},
        {2000, "两千", "two thousand"},
        {2002, "两千零二", "two thousand and two"},
        {2200, "两千二百", "two thousand two hundred"},
        {9999, "九千九百九十九", NULL},
        {10000, "一万", "ten thousand"},
        {10001, "一万零一", "ten thousand and one"},
        {10010, "一万零一十", NULL},
        {10100, "一万零一百", NULL},
        {11000, "一万一千", NULL},
        {12000, "一万两千", NULL},
        {20000, "两万", "twenty thousand"},
        {22000, "两万两千", NULL},
        {100000, "十万", "one hundred thousand"},
        {100001, "十万零一", NULL},
        {110000, "十一万", NULL},
        {220000, "二十二万", NULL},
        {1000000, "一百万", "one million"},
        {1001000, "一百万一千", NULL},
        {1000100, "一百万零一百", NULL},
        {2000000, "两百万", NULL},
        {12000000, "一千二百万", NULL},
        {100000000, "一亿", "one hundred million"},
        {100000001, "一亿零一", NULL},
        {100010000, "一亿零一万", NULL},
        {200000000, "两亿", NULL},
        {1000000000000LL, "一万亿", "one trillion"},
        {-5, "负五", "minus five"},
        {9999999999999999LL, "九千九百九十九万亿九千九百九十九亿九千九百九十九万九千九百九十九", NULL},
    };
    check_num(speak_number, c, sizeof c / sizeof c[0]);
}

static void counts_say_liang(void **state)
{
    static const num_case_t c[] = {
        {2, "两", "two"},
        {12, "十二", NULL},
        {22, "二十二", NULL},
        {102, "一百零二", NULL},
        {200, "两百", NULL},
        {0, "零", NULL},
    };
    check_num(speak_count, c, sizeof c / sizeof c[0]);
}

static void amounts_in_yuan_jiao_fen(void **state)
{
    static const num_case_t c[] = {
        {91477, "九百一十四元七角七分", "nine hundred and fourteen yuan and seventy-seven fen"},
        {0, "零元", "zero yuan"},
        {1, "一分", "one fen"},
        {2, "两分", "two fen"},
        {10, "一角", "ten fen"},
        {20, "两角", NULL},
        {22, "两角二分", NULL},
        {50, "五角", "fifty fen"},
        {100, "一元", "one yuan"},
        {105, "一元零五分", "one yuan and five fen"},
        {120, "一元二角", NULL},
        {200, "两元", "two yuan"},
        {222, "两元二角二分", NULL},
        {1000, "十元", "ten yuan"},
        {1200, "十二元", NULL},
        {10000, "一百元", NULL},
        {20050, "两百元五角", NULL},
        {100001, "一千元零一分", NULL},
        {1000000, "一万元", NULL},
        {-500, "负五元", "minus five yuan"},
    };
    check_num(speak_amount, c, sizeof c / sizeof c[0]);
}

static void dates_and_weekdays(void **state)
{
    char out[128];
    assert_int_equal(speak_date(SPEAK_ZH, 12, 20, 0, out, sizeof out), 0);
    assert_string_equal(out, "十二月二十日 星期日");
    assert_int_equal(speak_date(SPEAK_ZH, 2, 2, 2, out, sizeof out), 0);
    assert_string_equal(out, "二月二日 星期二");
    assert_int_equal(speak_date(SPEAK_ZH, 1, 10, -1, out, sizeof out), 0);
    assert_string_equal(out, "一月十日");
    assert_int_equal(speak_date(SPEAK_ZH, 11, 31, 6, out, sizeof out), 0);
    assert_string_equal(out, "十一月三十一日 星期六");
    assert_int_equal(speak_date(SPEAK_EN, 12, 20, 0, out, sizeof out), 0);
    assert_string_equal(out, "Sunday the twentieth of December");
    assert_int_equal(speak_date(SPEAK_EN, 3, 1, -1, out, sizeof out), 0);
    assert_string_equal(out, "the first of March");
    assert_int_equal(speak_date(SPEAK_EN, 5, 23, 3, out, sizeof out), 0);
    assert_string_equal(out, "Wednesday the twenty-third of May");
    assert_int_equal(speak_date(SPEAK_ZH, 13, 1, 0, out, sizeof out), -1);
    assert_string_equal(out, "");
    assert_int_equal(speak_date(SPEAK_ZH, 1, 0, 0, out, sizeof out), -1);
    assert_int_equal(speak_date(SPEAK_ZH, 1, 1, 7, out, sizeof out), -1);
}

static void times_of_day(void **state)
{
    static const struct {
        int h, m;
        const char *zh, *en;
    } c[] = {
        {9, 30, "上午九点半", "half past nine in the morning"},
        {0, 0, "凌晨零点", "midnight"},
        {5, 5, "凌晨五点零五分", "five oh five in the morning"},
        {6, 0, "上午六点", "six o'clock in the morning"},
        {12, 0, "中午十二点", "noon"},
        {12, 30, "中午十二点半", "half past twelve in the afternoon"},
        {14, 2, "下午两点零二分", "two oh two in the afternoon"},
        {14, 15, "下午两点十五分", "quarter past two in the afternoon"},
        {15, 0, "下午三点", "three o'clock in the afternoon"},
        {17, 45, "下午五点四十五分", "quarter to six in the afternoon"},
        {11, 45, "上午十一点四十五分", "quarter to twelve in the morning"},
        {18, 10, "晚上六点十分", "six ten in the evening"},
        {23, 59, "晚上十一点五十九分", "eleven fifty-nine in the evening"},
        {2, 0, "凌晨两点", "two o'clock in the morning"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        assert_int_equal(speak_time(SPEAK_ZH, c[i].h, c[i].m, out, sizeof out), 0);
        if (strcmp(out, c[i].zh))
            fail_msg("%d:%02d zh \"%s\", want \"%s\"", c[i].h, c[i].m, out, c[i].zh);
        assert_int_equal(speak_time(SPEAK_EN, c[i].h, c[i].m, out, sizeof out), 0);
        if (strcmp(out, c[i].en))
            fail_msg("%d:%02d en \"%s\", want \"%s\"", c[i].h, c[i].m, out, c[i].en);
    }
    assert_int_equal(speak_time(SPEAK_ZH, 24, 0, out, sizeof out), -1);
    assert_int_equal(speak_time(SPEAK_ZH, 1, 60, out, sizeof out), -1);
    assert_int_equal(speak_time(SPEAK_EN, -1, 0, out, sizeof out), -1);
}

static void durations(void **state)
{
    static const num_case_t c[] = {
        {163, "两分四十三秒", "two minutes forty-three seconds"},
        {60, "一分钟", "one minute"},
        {120, "两分钟", "two minutes"},
        {17, "十七秒", "seventeen seconds"},
        {2, "两秒", "two seconds"},
        {0, "零秒", "zero seconds"},
        {3600, "一小时", "one hour"},
        {3660, "一小时一分钟", "one hour one minute"},
    };
    check_num(speak_duration, c, sizeof c / sizeof c[0]);
    char out[32];
    assert_int_equal(speak_duration(SPEAK_ZH, -1, out, sizeof out), -1);
}

static void codes_digit_by_digit(void **state)
{
    char out[256];
    assert_int_equal(speak_digits(SPEAK_ZH, "0018", out, sizeof out), 0);
    assert_string_equal(out, "零零一八");
    assert_int_equal(speak_digits(SPEAK_ZH, "20261220", out, sizeof out), 0);
    assert_string_equal(out, "二零二六，一二二零");
    assert_int_equal(speak_digits(SPEAK_ZH, "hk-7a3", out, sizeof out), 0);
    assert_string_equal(out, "HK七A，三");
    assert_int_equal(speak_digits(SPEAK_EN, "A12 3", out, sizeof out), 0);
    assert_string_equal(out, "A one two three");
    assert_int_equal(speak_digits(SPEAK_EN, "123456", out, sizeof out), 0);
    assert_string_equal(out, "one two three four, five six");
    assert_int_equal(speak_digits(SPEAK_ZH, "", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(speak_digits(SPEAK_ZH, NULL, out, sizeof out), -1);
}

static void tails_mask_numbers(void **state)
{
    char out[128];
    assert_int_equal(speak_tail(SPEAK_ZH, "13912340018", out, sizeof out), 0);
    assert_string_equal(out, "尾号零零一八");
    assert_int_equal(speak_tail(SPEAK_EN, "139 1234 0018", out, sizeof out), 0);
    assert_string_equal(out, "ending in zero zero one eight");
    assert_int_equal(speak_tail(SPEAK_ZH, "37020319680312031X", out, sizeof out), 0);
    assert_string_equal(out, "尾号零三一X");
    /* Four characters or fewer: the tail would be the whole number. */
    assert_int_equal(speak_tail(SPEAK_ZH, "0018", out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void privacy_rule(void **state)
{
    char out[256];
    /* Loudspeaker: no name, tails only. */
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_LOUDSPEAKER, SPEAK_NAME, "张三明", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_LOUDSPEAKER, SPEAK_PHONE, "13812345678", out, sizeof out), 0);
    assert_string_equal(out, "尾号五六七八");
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_LOUDSPEAKER, SPEAK_ACCOUNT, "3702031056", out, sizeof out), 0);
    assert_string_equal(out, "尾号一零五六");
    assert_int_equal(speak_personal(SPEAK_EN, SPEAK_LOUDSPEAKER, SPEAK_IDNUM, "370203196803120315", out, sizeof out), 0);
    assert_string_equal(out, "ending in zero three one five");
    /* Headphones: more, but an ID number is still only its tail. */
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_HEADPHONES, SPEAK_NAME, "张三明", out, sizeof out), 0);
    assert_string_equal(out, "张三明");
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_HEADPHONES, SPEAK_PHONE, "13812345678", out, sizeof out), 0);
    assert_string_equal(out, "一三八一，二三四五，六七八");
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_HEADPHONES, SPEAK_IDNUM, "370203196803120315", out, sizeof out), 0);
    assert_string_equal(out, "尾号零三一五");
    assert_int_equal(speak_personal(SPEAK_ZH, SPEAK_HEADPHONES, SPEAK_IDNUM, NULL, out, sizeof out), -1);
}

static void screen_text_made_speakable(void **state)
{
    char out[256];
    assert_int_equal(speak_screen_text(SPEAK_ZH, "水费 ¥82.27", out, sizeof out), 0);
    assert_string_equal(out, "水费 八十二元二角七分");
    assert_int_equal(speak_screen_text(SPEAK_ZH, "合计：¥914.77元", out, sizeof out), 0);
    assert_string_equal(out, "合计：九百一十四元七角七分元");
    assert_int_equal(speak_screen_text(SPEAK_EN, "Total ¥2", out, sizeof out), 0);
    assert_string_equal(out, "Total two yuan");
    /* Masked values: a number's tail, a name not at all. */
    assert_int_equal(speak_screen_text(SPEAK_ZH, "户号 3702**1056，户主 张*国", out, sizeof out), 0);
    assert_string_equal(out, "户号 尾号一零五六，户主 ");
    assert_int_equal(speak_screen_text(SPEAK_ZH, "138****5678", out, sizeof out), 0);
    assert_string_equal(out, "尾号五六七八");
    assert_int_equal(speak_screen_text(SPEAK_ZH, "3702**********123X", out, sizeof out), 0);
    assert_string_equal(out, "尾号一二三X");
    assert_int_equal(speak_screen_text(SPEAK_EN, "Pay bills", out, sizeof out), 0);
    assert_string_equal(out, "Pay bills");
    assert_int_equal(speak_screen_text(SPEAK_EN, "¥", out, sizeof out), 0);
    assert_string_equal(out, "¥");
    assert_int_equal(speak_screen_text(SPEAK_EN, NULL, out, sizeof out), -1);
}

static void short_buffers_cut_cleanly(void **state)
{
    char out[8];
    /* "九百一十四元" is 18 bytes: the cut keeps whole characters. */
    assert_int_equal(speak_amount(SPEAK_ZH, 91477, out, sizeof out), -1);
    assert_string_equal(out, "九百");
    char one[1] = {'x'};
    assert_int_equal(speak_number(SPEAK_ZH, 5, one, sizeof one), -1);
    assert_int_equal(one[0], '\0');
    assert_int_equal(speak_number(SPEAK_ZH, 5, one, 0), -1);
    char big[64];
    assert_int_equal(speak_number(SPEAK_ZH, 10000000000000000LL, big, sizeof big), -1);
    assert_string_equal(big, "");
}

static void locales_pick_language(void **state)
{
    assert_int_equal(speak_lang_of("zh_CN"), SPEAK_ZH);
    assert_int_equal(speak_lang_of("zh"), SPEAK_ZH);
    assert_int_equal(speak_lang_of("en"), SPEAK_EN);
    assert_int_equal(speak_lang_of("zhx"), SPEAK_EN);
    assert_int_equal(speak_lang_of("ko"), SPEAK_KO);
    assert_int_equal(speak_lang_of("ko_KR"), SPEAK_KO);
    assert_int_equal(speak_lang_of("kor"), SPEAK_EN);
    assert_int_equal(speak_lang_of(NULL), SPEAK_EN);
}

/* ---- Korean ---- */

typedef struct {
    long long n;
    const char *ko;
} ko_case_t;

static void check_ko(int (*fn)(speak_lang_t, long long, char *, size_t), const ko_case_t *c,
                     size_t count)
{
    char out[256];
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(fn(SPEAK_KO, c[i].n, out, sizeof out), 0);
        if (strcmp(out, c[i].ko))
            fail_msg("%lld: ko \"%s\", want \"%s\"", c[i].n, out, c[i].ko);
    }
}

static void korean_numbers_and_counts(void **state)
{
    static const ko_case_t num[] = {
        {0, "영"}, {1, "일"}, {2, "이"}, {10, "십"}, {11, "십일"}, {16, "십육"},
        {20, "이십"}, {99, "구십구"}, {100, "백"}, {101, "백일"}, {110, "백십"},
        {914, "구백십사"}, {1000, "천"}, {1010, "천십"}, {2002, "이천이"},
        {9999, "구천구백구십구"}, {10000, "만"}, {10001, "만 일"}, {12000, "만 이천"},
        {20000, "이만"}, {110000, "십일만"}, {100000000, "일억"},
        {123456789, "일억 이천삼백사십오만 육천칠백팔십구"}, {1000000000000LL, "일조"},
        {-5, "마이너스 오"},
    };
    check_ko(speak_number, num, sizeof num / sizeof num[0]);
    /* Counting before a counter word: native forms up to 99. */
    static const ko_case_t cnt[] = {
        {0, "영"}, {1, "한"}, {2, "두"}, {3, "세"}, {4, "네"}, {5, "다섯"}, {10, "열"},
        {11, "열한"}, {12, "열두"}, {20, "스무"}, {21, "스물한"}, {34, "서른네"},
        {99, "아흔아홉"}, {100, "백"}, {123, "백이십삼"},
    };
    check_ko(speak_count, cnt, sizeof cnt / sizeof cnt[0]);
}

static void korean_amounts(void **state)
{
    static const ko_case_t c[] = {
        {91477, "구백십사 점 칠칠 위안"},
        {8228, "팔십이 점 이팔 위안"},
        {8220, "팔십이 점 이 위안"},
        {105, "일 점 영오 위안"},
        {50, "영 점 오 위안"},
        {7, "영 점 영칠 위안"},
        {0, "영 위안"},
        {100, "일 위안"},
        {20000, "이백 위안"},
        {1234500, "만 이천삼백사십오 위안"},
        {-150, "마이너스 일 점 오 위안"},
    };
    check_ko(speak_amount, c, sizeof c / sizeof c[0]);
}

static void korean_dates_and_times(void **state)
{
    char out[128];
    static const struct { int m, d, w; const char *ko; } dates[] = {
        {12, 20, 0, "십이월 이십일 일요일"},
        {1, 1, 4, "일월 일일 목요일"},
        {6, 6, 6, "유월 육일 토요일"},
        {10, 31, -1, "시월 삼십일일"},
        {11, 30, 1, "십일월 삼십일 월요일"},
    };
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        assert_int_equal(speak_date(SPEAK_KO, dates[i].m, dates[i].d, dates[i].w, out, sizeof out), 0);
        if (strcmp(out, dates[i].ko))
            fail_msg("%d/%d: ko \"%s\", want \"%s\"", dates[i].m, dates[i].d, out, dates[i].ko);
    }
    static const struct { int h, m; const char *ko; } times[] = {
        {9, 30, "오전 아홉 시 삼십 분"},
        {9, 0, "오전 아홉 시"},
        {14, 5, "오후 두 시 오 분"},
        {12, 0, "낮 열두 시"},
        {12, 45, "낮 열두 시 사십오 분"},
        {0, 0, "밤 열두 시"},
        {0, 10, "밤 열두 시 십 분"},
        {4, 15, "새벽 네 시 십오 분"},
        {6, 0, "오전 여섯 시"},
        {11, 59, "오전 열한 시 오십구 분"},
        {18, 20, "저녁 여섯 시 이십 분"},
        {21, 0, "밤 아홉 시"},
        {23, 1, "밤 열한 시 일 분"},
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        assert_int_equal(speak_time(SPEAK_KO, times[i].h, times[i].m, out, sizeof out), 0);
        if (strcmp(out, times[i].ko))
            fail_msg("%d:%02d: ko \"%s\", want \"%s\"", times[i].h, times[i].m, out, times[i].ko);
    }
    static const ko_case_t dur[] = {
        {0, "영 초"}, {17, "십칠 초"}, {60, "일 분"}, {163, "이 분 사십삼 초"},
        {7200, "두 시간"}, {3661, "한 시간 일 분 일 초"},
    };
    check_ko(speak_duration, dur, sizeof dur / sizeof dur[0]);
    assert_int_equal(speak_time(SPEAK_KO, 24, 0, out, sizeof out), -1);
    assert_int_equal(speak_date(SPEAK_KO, 13, 1, -1, out, sizeof out), -1);
}

static void korean_codes_tails_and_screen_text(void **state)
{
    char out[256];
    assert_int_equal(speak_digits(SPEAK_KO, "0123", out, sizeof out), 0);
    assert_string_equal(out, "공일이삼");
    assert_int_equal(speak_digits(SPEAK_KO, "P3TW-8HNC", out, sizeof out), 0);
    assert_string_equal(out, "P삼TW, 팔HNC");
    assert_int_equal(speak_digits(SPEAK_KO, "138 0013 8000", out, sizeof out), 0);
    assert_string_equal(out, "일삼팔공, 공일삼팔, 공공공");
    assert_int_equal(speak_tail(SPEAK_KO, "13800130018", out, sizeof out), 0);
    assert_string_equal(out, "끝자리 공공일팔");
    assert_int_equal(speak_tail(SPEAK_KO, "0018", out, sizeof out), 0);
    assert_string_equal(out, "");
    /* The privacy rule holds in Korean too. */
    assert_int_equal(speak_personal(SPEAK_KO, SPEAK_LOUDSPEAKER, SPEAK_NAME, "김영희", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(speak_personal(SPEAK_KO, SPEAK_LOUDSPEAKER, SPEAK_PHONE, "13800130018", out, sizeof out), 0);
    assert_string_equal(out, "끝자리 공공일팔");
    assert_int_equal(speak_personal(SPEAK_KO, SPEAK_HEADPHONES, SPEAK_IDNUM, "37020219800101001X", out, sizeof out), 0);
    assert_string_equal(out, "끝자리 공공일X");
    assert_int_equal(speak_screen_text(SPEAK_KO, "금액: ¥914.77, 고객번호 3702**1056", out, sizeof out), 0);
    assert_string_equal(out, "금액: 구백십사 점 칠칠 위안, 고객번호 끝자리 일공오육");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_zero_and_boundaries),
        cmocka_unit_test(counts_say_liang),
        cmocka_unit_test(amounts_in_yuan_jiao_fen),
        cmocka_unit_test(dates_and_weekdays),
        cmocka_unit_test(times_of_day),
        cmocka_unit_test(durations),
        cmocka_unit_test(codes_digit_by_digit),
        cmocka_unit_test(tails_mask_numbers),
        cmocka_unit_test(privacy_rule),
        cmocka_unit_test(screen_text_made_speakable),
        cmocka_unit_test(short_buffers_cut_cleanly),
        cmocka_unit_test(locales_pick_language),
        cmocka_unit_test(korean_numbers_and_counts),
        cmocka_unit_test(korean_amounts),
        cmocka_unit_test(korean_dates_and_times),
        cmocka_unit_test(korean_codes_tails_and_screen_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

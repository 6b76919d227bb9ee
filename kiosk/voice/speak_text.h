/* What the kiosk says, before any sound: numbers, money, dates, times, codes
 * and personal data turned into the words a person would say, in Mandarin,
 * Korean or English. Plain C, no SDL, no allocation, no global state: every
 * function is pure and safe from any thread.
 *
 * Owns: the reading rules (零 and 两/二 in Mandarin numbers, 元角分,
 * 上午/下午, digit-by-digit codes; in Korean the Sino-Korean and native
 * numbers, amounts read with their decimal point, 오전/오후) and the one privacy rule of speech
 * (speak_personal): what of a name, ID number, phone or account number may
 * be spoken through the loudspeaker and what only into headphones.
 *
 * Errors: every writer fills OUT (size LEN) with a NUL-terminated string and
 * returns 0; -1 when an argument is out of range (OUT is then "") or OUT is
 * too short (OUT then holds a prefix cut at a UTF-8 character boundary).
 * Nothing is logged. */
#ifndef KIOSK_VOICE_SPEAK_TEXT_H
#define KIOSK_VOICE_SPEAK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { SPEAK_ZH, SPEAK_EN, SPEAK_KO } speak_lang_t;

/* Where the words go: the loudspeaker is heard by the whole hall, the
 * headphone jack only by the resident. */
typedef enum { SPEAK_LOUDSPEAKER, SPEAK_HEADPHONES } speak_out_t;

/* The kinds of personal data the privacy rule knows. */
typedef enum {
    SPEAK_NAME,        /* a resident's name */
    SPEAK_IDNUM,       /* resident ID number (18 characters) */
    SPEAK_PHONE,       /* mobile or fixed phone number */
    SPEAK_ACCOUNT,     /* utility account number */
} speak_personal_t;

/* The language of a locale name: "zh_CN", "zh" -> SPEAK_ZH; "ko", "ko_KR"
 * -> SPEAK_KO; anything else (en, en_GB, unknown) -> SPEAK_EN. */
speak_lang_t speak_lang_of(const char *locale);

/* A whole number as a value: 2 -> "二", 10 -> "十", 110 -> "一百一十",
 * 1010 -> "一千零一十", 20000 -> "两万", 12000 -> "一万两千"; "minus"/"负"
 * for negatives. English: "one thousand and ten". Korean (Sino-Korean):
 * 1010 -> "천십", 12000 -> "만 이천", 0 -> "영", "마이너스" for negatives.
 * |N| < 10^16. */
int speak_number(speak_lang_t lang, long long n, char *out, size_t len);
/* The same number counting things before a measure word: a lone 2 is "两"
 * ("两项", "两点"), otherwise as speak_number. English as speak_number.
 * Korean: native counting forms for 1..99 ("한", "두", "스무", "스물한"),
 * Sino-Korean for 0 and from 100 on. */
int speak_count(speak_lang_t lang, long long n, char *out, size_t len);

/* An amount of money in fen: 91477 -> "九百一十四元七角七分", 105 ->
 * "一元零五分", 50 -> "五角", 0 -> "零元", 200 -> "两元". English:
 * "nine hundred and fourteen yuan seventy-seven" style, "zero yuan".
 * Korean reads the amount as the screen shows it, with its decimal point
 * (how Korean speakers read ¥914.77 or $9.50): "구백십사 점 칠칠 위안",
 * 105 -> "일 점 영오 위안", 820 -> "팔 점 이 위안", 0 -> "영 위안". */
int speak_amount(speak_lang_t lang, long long fen, char *out, size_t len);

/* A date: MONTH 1..12, DAY 1..31, WDAY 0..6 (0 = Sunday) or -1 to leave the
 * weekday out: "十二月二十日 星期日"; English "Sunday 20 December";
 * Korean "십이월 이십일 일요일" (6 and 10 as 유월, 시월). */
int speak_date(speak_lang_t lang, int month, int day, int wday, char *out, size_t len);
/* A clock time, HOUR 0..23, MINUTE 0..59: "上午九点半", "下午两点零五分",
 * "中午十二点", "凌晨零点"; English "half past nine in the morning",
 * "five past two in the afternoon", "noon", "midnight"; Korean "오전 아홉 시
 * 삼십 분" (hour in native numbers; 새벽 0-5, 낮 12, 오후, 저녁 18-20, 밤 21-0). */
int speak_time(speak_lang_t lang, int hour, int minute, char *out, size_t len);
/* A length of time in whole seconds >= 0: "两分四十三秒", "一分钟",
 * "十七秒"; English "2 minutes 43 seconds" in words; Korean "이 분 사십삼 초",
 * "두 시간". */
int speak_duration(speak_lang_t lang, long long seconds, char *out, size_t len);

/* A code read one character at a time: digits as words ("零一二", Korean
 * "공일이" with 공 for zero as in phone numbers), ASCII
 * letters upper-cased and spoken as letters, other characters skipped; a
 * pause ("，" / ", ") after every fourth character so a long code can be
 * followed. "" reads as "". */
int speak_digits(speak_lang_t lang, const char *code, char *out, size_t len);
/* The masked tail of a number: its last four letters or digits, spoken
 * one by one: "尾号零零一八" / "ending in zero zero one eight" / "끝자리
 * 공공일팔" (an ID
 * number's check character X included). Other characters in NUMBER are
 * ignored; fewer than 5 letters and digits in all speak nothing of it (a
 * short number's tail is the whole number): OUT "" and 0. */
int speak_tail(speak_lang_t lang, const char *number, char *out, size_t len);

/* Text from the screen (a button's label, a row) made fit to be spoken:
 * "¥82.27" is read as money (speak_amount), and a word holding a '*' (a
 * value masked for the screen, "3702**1056", "张*国") is spoken as its
 * tail (speak_tail) when it holds a digit, else not at all: a masked
 * screen value shows more than the loudspeaker may say. Words are split at
 * spaces and punctuation; everything else is copied. */
int speak_screen_text(speak_lang_t lang, const char *in, char *out, size_t len);

/* The one privacy rule for speech. What may be said of VALUE (of KIND)
 * through OUTPUT:
 *   loudspeaker: a name is never spoken (OUT ""); ID, phone and account
 *                numbers only as their tail (speak_tail);
 *   headphones:  the name in full; phone and account numbers digit by
 *                digit; an ID number still only as its tail (no journey
 *                needs it read out, and a jack can be overheard).
 * Every screen speaks personal data only through this function. */
int speak_personal(speak_lang_t lang, speak_out_t output, speak_personal_t kind,
                   const char *value, char *out, size_t len);

#endif

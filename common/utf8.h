/* UTF-8, strictly: the one decoder every program here uses (kiosk, hub,
 * drivers, kioskctl). A sequence is valid only in its shortest form, never a
 * UTF-16 surrogate (U+D800..U+DFFF) and never past U+10FFFF. Callers that
 * accept bad bytes decide themselves what to do with them (most read each as
 * one U+FFFD, see utf8_next). Pure: no allocation, no state, any thread. */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes the sequence at S (LEN bytes available) into *CP. Returns its byte
 * length (1-4), or -1 when it is not a valid sequence (bad lead or
 * continuation byte, overlong, surrogate, beyond U+10FFFF, cut short by LEN,
 * or LEN 0); *CP is then untouched. */
int utf8_decode(const char *s, size_t len, uint32_t *cp);

/* The lenient reading: like utf8_decode, but a bad byte reads as U+FFFD of
 * length 1, so a loop always advances. LEN must be at least 1. */
int utf8_next(const char *s, size_t len, uint32_t *cp);

/* LEN bytes at S are valid UTF-8 (a NUL byte is valid: U+0000). */
bool utf8_valid(const char *s, size_t len);

/* Writes CP (at most U+10FFFF, not a surrogate) as UTF-8 into OUT; returns
 * the byte count (1-4), or 0 for a value that has no encoding. */
size_t utf8_encode(uint32_t cp, char out[4]);

/* The largest N' <= N such that S[N'] does not continue a sequence: where a
 * string of at least N bytes may be cut to keep whole characters. */
size_t utf8_floor(const char *s, size_t n);

/* Copies SRC (NULL = "") into DST of SIZE bytes, always terminated when SIZE
 * > 0; a SRC that does not fit is cut at a character boundary. Returns true
 * when it was cut. */
bool utf8_copy(char *dst, size_t size, const char *src);

#endif

/* The 18-character resident ID number (GB 11643): 17 digits and a check
 * character by ISO 7064 MOD 11-2 ('0'-'9' or 'X'; 'x' is read as 'X').
 * Used by the ID-card driver, the hub's validation and its demo seed.
 * Pure: no state, any thread. Never log an ID number unmasked (mask.h). */
#ifndef COMMON_IDNUM_H
#define COMMON_IDNUM_H

#include <stdbool.h>

/* The check character for the first 17 characters of ID, or 0 when they are
 * not 17 digits (a shorter string stops at its NUL). */
char idnum_check_char(const char *id);

/* ID is exactly 18 characters: 17 digits and the matching check character.
 * NULL or any other shape is false. */
bool idnum_valid(const char *id);

#endif

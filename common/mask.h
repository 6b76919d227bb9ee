/* Masking of personal data, shared by the kiosk (screens, receipts, logs)
 * and the hub (every API response). Each function writes a NUL-terminated
 * result into OUT (size OUTLEN, truncated if short) and never copies more of
 * the input than it shows. Plain C, no dependencies. */
#ifndef KIOSK_MASK_H
#define KIOSK_MASK_H

#include <stddef.h>

/* "370202199001011234" -> "3702**********1234": first 4 and last 4 shown;
 * 8 or fewer characters: all but the last 2 hidden. */
void mask_id(const char *id, char *out, size_t outlen);
/* "张三明" -> "张*明", "张三" -> "张*", "Li Wei" -> "L****i"; UTF-8 aware. */
void mask_name(const char *name, char *out, size_t outlen);
/* "13812345678" -> "138****5678". */
void mask_phone(const char *phone, char *out, size_t outlen);
/* Keeps the compound and the building and hides the unit and the flat:
 * "幸福里小区3号楼2单元501" -> "幸福里小区3号楼****". Without a building marker
 * (号楼, 栋, 幢) only the first four characters stay. */
void mask_address(const char *addr, char *out, size_t outlen);

#endif

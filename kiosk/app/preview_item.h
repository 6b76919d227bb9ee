/* The item a staff console preview shows (kiosk --preview, app/preview.h):
 * one content item as GET /v1/content and the bundles carry it
 * (docs/api.md "Content"), as a draft may be: id and published optional.
 *
 * Pure: no I/O, no globals; any thread. Errors: -1 with ERR naming the
 * field and what is wrong ("title: missing or not a string"); nothing is
 * partly filled on error that a caller could show. */
#ifndef KIOSK_APP_PREVIEW_ITEM_H
#define KIOSK_APP_PREVIEW_ITEM_H

#include <stddef.h>
#include <time.h>
#include "services/info/hub_info.h"

typedef struct {
    info_item_t item;       /* kind: notice, event, lecture, library, guide or alert */
    char locale[16];        /* its "locale", "" when it has none */
    char image[65];         /* its first picture's SHA-256 (hex), "" when it has none */
} preview_item_t;

/* The JSON object of LEN bytes into OUT; a draft without "published" is
 * dated NOW. 0, or -1 with ERR. */
int preview_item_parse(const char *json, size_t len, time_t now, preview_item_t *out, char *err,
                       size_t errlen);

#endif

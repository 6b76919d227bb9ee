/* A request body on its way in: kept in memory, or, for routes whose bodies
 * may be large (assets, screenshots), written to an unlinked file in the
 * spool directory and mapped only when the handler runs. Every byte held
 * counts against the hub's budget for all connections (HELD, capped at
 * CAP), reserved before it is stored and given back by upload_free. One
 * connection's thread uses an upload; HELD is shared (atomic). */
#ifndef HUB_UPLOAD_H
#define HUB_UPLOAD_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct upload upload_t;

/* A body of at most MAX bytes; SPOOL_DIR non-NULL: on disk there. NULL if out of memory. */
upload_t *upload_new(size_t max, const char *spool_dir, atomic_llong *held, long long cap);
/* Reserves N more bytes of the budget up front (a Content-Length). 0, or -1
 * when the budget is spent (nothing reserved). */
int upload_reserve(upload_t *u, size_t n);
/* Appends N bytes. Past MAX, or past the budget, the rest is dropped and
 * upload_status says why. */
void upload_add(upload_t *u, const char *data, size_t n);
/* 0 while all is well; 413 (larger than MAX), 503 (budget spent) or 500
 * (the spool file could not be written). */
int upload_status(const upload_t *u);
/* The body, NUL-terminated, and its length; valid until upload_free. NULL
 * (status 500) if the spool file cannot be mapped. */
const char *upload_body(upload_t *u, size_t *len);
void upload_free(upload_t *u);

#endif

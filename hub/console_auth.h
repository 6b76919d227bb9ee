/* Console sessions, CSRF tokens and the sign-in lockout. A session is a
 * 32-byte random id in an HttpOnly, SameSite=Strict cookie ("kc_session",
 * Path=/console, Secure under TLS); the hub keeps only its SHA-256, the
 * account, a CSRF token (synchronizer: returned by sign-in and /me, sent
 * back as X-CSRF-Token on every state change) and when it was last used.
 * A session ends on sign-out, after the idle time, after CONSOLE_MAX_AGE_S
 * in all, when its account is disabled, or when the password changes.
 * Lockout: CONSOLE_FAILS_NAME wrong passwords for an account, or
 * CONSOLE_FAILS_ADDR from one address, within CONSOLE_LOCK_S lock it (every
 * attempt refused, right password or not) until the window has passed -
 * except from a browser that signed the account in before. After a right
 * password the browser gets a device cookie ("kc_device", 32 random bytes,
 * sent only to the sign-in route, kept CONSOLE_DEVICE_MAX_AGE_S since its
 * last use; the hub keeps its SHA-256 per account). Such a browser's wrong
 * passwords count only against itself (CONSOLE_FAILS_DEVICE), and the
 * account's and the address's locks do not apply to it: a stranger who
 * guesses at a name locks out strangers, not the staff member at the
 * usual laptop (OWASP's "device cookies" against lockout abuse).
 * Runs on the request's worker thread and connection; no state of its own. */
#ifndef HUB_CONSOLE_AUTH_H
#define HUB_CONSOLE_AUTH_H

#include <stdbool.h>
#include "hub.h"
#include "staff.h"

#define CONSOLE_COOKIE "kc_session"
#define CONSOLE_MAX_AGE_S (12 * 3600)
#define CONSOLE_FAILS_NAME 5
#define CONSOLE_FAILS_ADDR 20
#define CONSOLE_LOCK_S (15 * 60)
#define CONSOLE_DEVICE_COOKIE "kc_device"
#define CONSOLE_DEVICE_MAX_AGE_S (180 * 86400)
#define CONSOLE_FAILS_DEVICE 5

/* A new session for S from REQ's address: the cookie header value goes into
 * RESP->set_cookie, the CSRF token (64 hex) into CSRF. 0, or -1 on a
 * database error. */
int console_session_new(hub_req_t *req, hub_resp_t *resp, const staff_t *s, char csrf[65]);

/* The signed-in staff member of REQ into OUT (and the session's CSRF token
 * into CSRF, may be NULL). STATE_CHANGE: the request must also carry the
 * session's X-CSRF-Token and, when it has an Origin, come from the hub's own.
 * 0, or the error status with RESP filled (401 not signed in or expired,
 * 403 csrf). The session's idle time restarts. */
int console_session_check(hub_req_t *req, hub_resp_t *resp, bool state_change, staff_t *out,
                          char csrf[65]);

/* Ends REQ's session and clears its cookie in RESP. */
void console_session_end(hub_req_t *req, hub_resp_t *resp);
/* Ends every session of NAME but REQ's own (a password change). */
void console_sessions_drop(hub_req_t *req, const char *name, bool keep_own);

/* Whether REQ carries a device cookie that signed NAME in within
 * CONSOLE_DEVICE_MAX_AGE_S; its hash into DEVICE ("" when not). */
bool console_device_known(hub_req_t *req, const char *name, char device[65]);
/* Seconds NAME is locked for REQ (0: not locked). DEVICE: the hash of a
 * known device cookie (its own count only), or NULL/"" (the account's and
 * the address's counts). */
int console_locked(hub_req_t *req, const char *name, const char *device);
/* Records a wrong password for NAME from REQ's address and DEVICE (as for
 * console_locked). True if this one locked the account, the address or the
 * device. */
bool console_failed(hub_req_t *req, const char *name, const char *device);
/* A right password: NAME's failures are forgotten. */
void console_failures_clear(hub_req_t *req, const char *name);
/* A right password: REQ's browser is remembered as one of NAME's devices
 * (its device cookie, or a new one, into RESP->set_cookie2). 0, or -1 on a
 * database error (nothing to send). In the caller's transaction. */
int console_device_remember(hub_req_t *req, hub_resp_t *resp, const char *name);

#endif

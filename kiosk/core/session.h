/* A resident's session: from the first touch to the end of use.
 *
 *   IDLE --touch--> ACTIVE --no input for idle_ms--> WARNING
 *   WARNING --touch ("continue")--> ACTIVE
 *   WARNING --warning_ms pass--> IDLE (ended: reason "timeout")
 *   ACTIVE/WARNING --session_end()--> IDLE (ended: reason given)
 *
 * Everything personal lives in session_t.pii and is wiped with explicit_bzero
 * when the session ends, whatever the reason. Plain C, no SDL. */
#ifndef KIOSK_SESSION_H
#define KIOSK_SESSION_H

#include <stdint.h>
#include <time.h>
#include "core/config.h"
#include "rescode.h"

typedef enum { SESSION_IDLE, SESSION_ACTIVE, SESSION_WARNING } session_state_t;
typedef enum { SESSION_EV_NONE, SESSION_EV_STARTED, SESSION_EV_WARN,
               SESSION_EV_RESUMED, SESSION_EV_ENDED } session_event_t;

/* Personal data held only for the session. Fixed buffers so a wipe is one
 * explicit_bzero over the struct and nothing personal sits in the heap. */
typedef struct {
    char name[64];
    char id_number[24];
    char phone[24];
    char account[40];
    /* A community resident code shown this session (rescode.h's payload):
     * it proves who the resident is to the hub, like the ID card. */
    char rescode[RESCODE_MAX + 1];
} session_pii_t;

typedef struct {
    session_state_t state;
    uint64_t idle_ms, warning_ms;
    uint64_t last_input_ms;
    uint64_t warning_since_ms;
    time_t started_wall;
    int screens_visited;
    char end_reason[16];      /* of the last ended session */
    /* Per-session choices: the next resident gets the defaults again. */
    char locale[16];
    /* The resident's text size and colour choices: -1 not chosen (kiosk.ini's
     * [ui] theme applies), 0 off, 1 on. Independent: large text in high
     * contrast is large text's layout in the contrast theme's colours. */
    signed char large, contrast;
    session_pii_t pii;
} session_t;

void session_init(session_t *s, int idle_s, int warning_s);

/* Any touch or key. Starts a session when idle, leaves the warning. */
session_event_t session_input(session_t *s, uint64_t now_ms, time_t wall);

/* Activity that is not a touch (a payment in progress on screen): an
 * ACTIVE session's idle time starts again. No-op in other states. */
void session_touch(session_t *s, uint64_t now_ms);

/* Advances time. Returns WARN when the warning starts, ENDED when it ran out
 * (the PII is wiped by then and end_reason is "timeout"). */
session_event_t session_tick(session_t *s, uint64_t now_ms);

/* Ends a session now (e.g. "done", "staff"); wipes the PII. No-op when idle. */
void session_end(session_t *s, const char *reason);

/* Milliseconds until session_tick has something to do; UINT64_MAX if never. */
uint64_t session_next_deadline(const session_t *s, uint64_t now_ms);

/* Whole seconds of the warning left, rounded up (0 when not warning). */
int session_warning_left(const session_t *s, uint64_t now_ms);

/* 1 if any byte of the PII block is non-zero (for tests and self-checks). */
int session_pii_present(const session_t *s);

#endif

#include "core/session.h"

#include <stdio.h>
#include <string.h>

static void wipe(session_t *s);

void session_init(session_t *s, int idle_s, int warning_s)
{
    explicit_bzero(s, sizeof *s);
    wipe(s);
    s->state = SESSION_IDLE;
    s->idle_ms = (uint64_t)idle_s * 1000u;
    s->warning_ms = (uint64_t)warning_s * 1000u;
}

static void wipe(session_t *s)
{
    explicit_bzero(&s->pii, sizeof s->pii);
    s->locale[0] = '\0';
    s->large = -1;             /* "not chosen": the configured default applies */
    s->contrast = -1;
}

session_event_t session_input(session_t *s, uint64_t now_ms, time_t wall)
{
    s->last_input_ms = now_ms;
    switch (s->state) {
    case SESSION_IDLE:
        wipe(s);
        s->state = SESSION_ACTIVE;
        s->started_wall = wall;
        s->screens_visited = 0;
        return SESSION_EV_STARTED;
    case SESSION_WARNING:
        s->state = SESSION_ACTIVE;
        return SESSION_EV_RESUMED;
    default:
        return SESSION_EV_NONE;
    }
}

void session_end(session_t *s, const char *reason)
{
    if (s->state == SESSION_IDLE) return;
    s->state = SESSION_IDLE;
    snprintf(s->end_reason, sizeof s->end_reason, "%s", reason);
    wipe(s);
}

session_event_t session_tick(session_t *s, uint64_t now_ms)
{
    if (s->state == SESSION_ACTIVE && now_ms - s->last_input_ms >= s->idle_ms) {
        s->state = SESSION_WARNING;
        s->warning_since_ms = now_ms;
        return SESSION_EV_WARN;
    }
    if (s->state == SESSION_WARNING && now_ms - s->warning_since_ms >= s->warning_ms) {
        session_end(s, "timeout");
        return SESSION_EV_ENDED;
    }
    return SESSION_EV_NONE;
}

uint64_t session_next_deadline(const session_t *s, uint64_t now_ms)
{
    uint64_t due;
    if (s->state == SESSION_ACTIVE) due = s->last_input_ms + s->idle_ms;
    else if (s->state == SESSION_WARNING) due = s->warning_since_ms + s->warning_ms;
    else return UINT64_MAX;
    return due > now_ms ? due - now_ms : 0;
}

int session_warning_left(const session_t *s, uint64_t now_ms)
{
    if (s->state != SESSION_WARNING) return 0;
    uint64_t end = s->warning_since_ms + s->warning_ms;
    if (now_ms >= end) return 0;
    return (int)((end - now_ms + 999) / 1000);
}

int session_pii_present(const session_t *s)
{
    const unsigned char *p = (const unsigned char *)&s->pii;
    for (size_t i = 0; i < sizeof s->pii; i++)
        if (p[i]) return 1;
    return 0;
}

void session_touch(session_t *s, uint64_t now_ms)
{
    if (s->state == SESSION_ACTIVE) s->last_input_ms = now_ms;
}

/* A real hub process for the kiosk's end-to-end tests: build/hub --demo on a
 * free loopback port with a fresh database in a temp dir, stopped (or
 * killed) by the test. The demo device's token is HUBPROC_TOKEN, which the
 * test writes to the hub's demo token file (hub/demo_token.h) before the
 * first start; a demo hub left to itself makes a random one. */
#ifndef KIOSK_TEST_HUBPROC_H
#define KIOSK_TEST_HUBPROC_H

#include <sys/types.h>

#define HUBPROC_TOKEN "demo-01.0000000000000000000000000000000000000000000000000000000000000001"

typedef struct {
    pid_t pid;
    int port;
    char dir[128];        /* temp dir holding hub.db */
    char db[192];
    char url[64];         /* http://127.0.0.1:PORT */
    char content_key[65]; /* "" or the public key content bundles are signed with */
    char config[256];     /* "" or a hub.ini passed with --config (e.g. a [payment]
                           * section naming a simulator); read before the other
                           * options, which win over it */
} hubproc_t;

/* Starts the hub (a fresh database unless H->dir is already set and holds
 * one: then the same database is used again, for restart tests; PORT too
 * when set). When the test runs on the fake clock, the hub's clock starts
 * at the kiosk's (clock_wall_ms, via --now), so both sides agree on the date
 * whatever the machine's; otherwise both use the real clock. The hub dies
 * with the test process (PR_SET_PDEATHSIG), even one killed with SIGKILL.
 * Returns 0, or -1 with a message on stderr. */
int hubproc_start(hubproc_t *h);
/* SIGTERM and wait; the temp dir stays (hubproc_cleanup removes it). */
void hubproc_stop(hubproc_t *h);
/* SIGKILL and wait. */
void hubproc_kill(hubproc_t *h);
void hubproc_cleanup(hubproc_t *h);
/* A loopback TCP port the OS chose and that was free a moment ago (bound to
 * port 0, then closed), for a listener the hub opens from its hub.ini (the
 * payment notifications' notify_port). -1 on error. */
int hubproc_free_port(void);

/* Runs SQL that yields one integer on the hub's database (read-only, the hub
 * may be running). Returns the value, or -1 on error. */
long long hubproc_sql_int(const hubproc_t *h, const char *sql);
/* Same, for SQL that yields one text value, copied into BUF. 0 or -1. */
int hubproc_sql_text(const hubproc_t *h, const char *sql, char *buf, int len);
/* POST /v1/demo/behaviour with JSON BODY; returns the HTTP status, or -1. */
int hubproc_behaviour(const hubproc_t *h, const char *body);
/* POST PATH with JSON BODY (an Idempotency-Key is made); the HTTP status, or -1. */
int hubproc_post(const hubproc_t *h, const char *path, const char *body);
/* GET PATH (e.g. "/v1/demo/pay/NO"); returns the HTTP status, or -1. */
int hubproc_get(const hubproc_t *h, const char *path);

#endif

/* Hub tests: a real hub (libmicrohttpd on a free loopback port, its own temp
 * database) inside the test process, and a small libcurl client. */
#ifndef HUBTEST_H
#define HUBTEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include "hub.h"

typedef struct {
    hub_t *hub;
    char dir[64];           /* temp dir holding hub.db */
    char base[64];          /* "http://127.0.0.1:PORT" */
    char token[160];        /* device "test-01" */
    char token2[160];       /* device "test-02" */
    unsigned char content_sk[64];   /* signs content bundles; its public key is the hub's */
    /* With demo data: the demo residents as the SQL files give them, in
     * clear (tables residents(id, name, id_number, phone) and
     * accounts(id, holder, address)), kept apart from the hub's database, where they
     * are sealed and hashed. ATTACH it to read them. */
    char clear_db[96];
    char content_pk[65];
} hubtest_t;

/* The hub's clock at the start of every suite: 2026-11-29 09:30 China time
 * (a Sunday), unless $HUB_TEST_NOW names another (hub_clock_parse's forms). */
#define HUBTEST_NOW 1795915800

/* Starts a hub with DEMO data or an empty one, its clock anchored at
 * HUBTEST_NOW (see above). Fails the test on error. */
hubtest_t *hubtest_start(bool demo);
/* Same, with the connection limit and the idle/slow-client timeout given. */
hubtest_t *hubtest_start_with(bool demo, int max_connections, int timeout_s);
void hubtest_stop(hubtest_t *t);

typedef struct {
    int status;             /* HTTP status, 0 if the request failed */
    char *body;             /* malloc'd, NUL-terminated */
    cJSON *json;            /* parsed body or NULL */
    char etag[80];
    bool replayed;          /* Idempotent-Replayed: true */
    int retry_after;        /* Retry-After seconds, 0 if none */
} hubtest_resp_t;

/* METHOD PATH (may carry a query) as device TOKEN (NULL: no Authorization),
 * with KEY as Idempotency-Key (NULL: none) and BODY (NULL: none); EXTRA is
 * one more "Name: value" header or NULL. */
hubtest_resp_t hubtest_req(hubtest_t *t, const char *method, const char *path,
                           const char *token, const char *key, const char *body,
                           const char *extra);
/* Shorthands as device test-01: GET, and POST with a fresh unique key. */
hubtest_resp_t hubtest_get(hubtest_t *t, const char *path);
hubtest_resp_t hubtest_post(hubtest_t *t, const char *path, const char *body);
void hubtest_free(hubtest_resp_t *r);

/* {"manifest": MANIFEST, "signature": ...} signed with the hub's content key
 * (malloc'd). */
char *hubtest_bundle_body(const hubtest_t *t, const char *manifest);

/* The error code of an error body ("" if none). */
const char *hubtest_error_code(const hubtest_resp_t *r);
/* A number/string member by dotted path ("order.state"); NULL if absent. */
const cJSON *hubtest_at(const cJSON *j, const char *dotted);

#endif

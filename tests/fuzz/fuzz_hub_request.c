/* libFuzzer target for the hub's request handling: routing, authentication,
 * idempotency and every handler's parsing and validation, without a socket.
 * Input: "METHOD PATH\n" then "Name: value" header lines, a blank line, and
 * the body. The device header is added when the input asks for "@auth".
 * Invariants: every answer has a status from 200 to 599 and, unless 304, a
 * JSON body; every error body has error.code and error.message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api.h"
#include "auth.h"
#include "db.h"
#include "pii.h"
#include "server.h"

static hub_t *hub;
static char auth_header[256];

static void init(void)
{
    char dir[] = "/tmp/fuzz-hub-XXXXXX", path[64], err[600], token[200];
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/hub.db", dir);
    setenv("HUB_LOG", "quiet", 1);
    if (db_init(path, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
    sqlite3 *db = db_thread();
    if (auth_device_add(db, "fuzz-01", token, sizeof token) != 0) abort();
    demo_seed_bills(db);
    demo_seed_housekeeping(db, hub_now());
    demo_seed_content(db, hub_now());
    pii_protect_all(db);              /* as a demo hub stores them */
    /* Fuzzing must not grow the database without bound: no fsync, memory journal. */
    db_exec(db, "PRAGMA synchronous=OFF");
    hub_config_t cfg = {.listen_addr = "127.0.0.1", .demo = true, .max_connections = 100};
    hub = hub_new(&cfg);
    snprintf(auth_header, sizeof auth_header, "Authorization: Bearer %s", token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!hub) init();
    if (size > 70000) return 0;
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *line_end = memchr(buf, '\n', size);
    if (!line_end) { free(buf); return 0; }
    *line_end = '\0';
    char method[16] = "", path[600] = "";
    if (sscanf(buf, "%15s %599s", method, path) != 2) { free(buf); return 0; }

    const char *headers[12];
    int nh = 0;
    char *p = line_end + 1, *end = buf + size;
    while (p < end && nh < 10) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = '\0';
        if (!*p) { p = nl + 1; break; }
        if (!strcmp(p, "@auth")) headers[nh++] = auth_header;
        else headers[nh++] = p;
        p = nl + 1;
    }
    headers[nh] = NULL;
    const char *body = p < end ? p : "";
    size_t blen = p < end ? (size_t)(end - p) : 0;

    hub_resp_t r = hub_handle(hub, method, path, headers, body, blen);
    if (r.status < 200 || r.status > 599) abort();
    if (!r.not_modified) {
        if (!r.body) abort();
        cJSON *j = cJSON_Parse(r.body);
        if (!j) abort();
        if (r.status >= 400) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
            if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "code")) ||
                !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")))
                abort();
        }
        cJSON_Delete(j);
    }
    free(r.body);
    free(buf);
    return 0;
}

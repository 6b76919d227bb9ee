#include "hubtest.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api.h"
#include "auth.h"
#include "db.h"
#include "pii.h"
#include "server.h"

static atomic_int key_seq;

hubtest_t *hubtest_start(bool demo)
{
    return hubtest_start_with(demo, 200, 5);
}

hubtest_t *hubtest_start_with(bool demo, int max_connections, int timeout_s)
{
    setenv("HUB_LOG", "quiet", 0);
    /* Every suite starts the hub's clock at one moment, never today's date:
     * HUBTEST_NOW, or $HUB_TEST_NOW (the time-travel check runs the suites at
     * month and year ends and leap days with it). */
    const char *when = getenv("HUB_TEST_NOW");
    int64_t start = HUBTEST_NOW;
    if (when && *when && hub_clock_parse(when, &start) != 0) fail_msg("HUB_TEST_NOW: bad time \"%s\"", when);
    hub_clock_anchor(start);
    hubtest_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/hub-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    hub_config_t cfg = {.listen_addr = "127.0.0.1", .port = 0, .demo = demo, .threads = 4,
                        .max_connections = max_connections, .conn_timeout_s = timeout_s};
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    assert_true(sodium_init() >= 0);
    crypto_sign_keypair(pk, t->content_sk);
    sodium_bin2hex(t->content_pk, sizeof t->content_pk, pk, sizeof pk);
    snprintf(cfg.content_keys[0], sizeof cfg.content_keys[0], "%s", t->content_pk);
    cfg.n_content_keys = 1;
    /* The suites test behaviour, not throttling (test_hub_limits does): rates
     * no suite reaches, one header deadline with the idle timeout. */
    for (int i = 0; i < RATE_CLASSES; i++) cfg.rate[i] = (hub_rate_t){1000000, 100000};
    cfg.header_timeout_s = timeout_s;
    snprintf(cfg.db_path, sizeof cfg.db_path, "%s/hub.db", t->dir);
    char err[600];
    if (db_init(cfg.db_path, err, sizeof err) != 0) fail_msg("db_init: %s", err);
    sqlite3 *db = db_thread();
    assert_int_equal(auth_device_add(db, "test-01", t->token, sizeof t->token), 0);
    assert_int_equal(auth_device_add(db, "test-02", t->token2, sizeof t->token2), 0);
    if (demo) {
        int64_t now = hub_now();
        assert_int_equal(demo_seed_bills(db), 0);
        assert_int_equal(demo_seed_housekeeping(db, now), 0);
        assert_int_equal(demo_seed_content(db, now), 0);
        snprintf(t->clear_db, sizeof t->clear_db, "%s/clear.db", t->dir);
        char sql[300];
        snprintf(sql, sizeof sql, "ATTACH '%s' AS clear;"
                 "CREATE TABLE clear.residents AS SELECT id, name, id_number, phone FROM residents;"
                 "CREATE TABLE clear.accounts AS SELECT id, holder, address FROM accounts;"
                 "DETACH clear;", t->clear_db);
        assert_int_equal(db_exec(db, sql), 0);
        assert_int_equal(pii_protect_all(db), SQLITE_OK);
    }
    t->hub = hub_start(&cfg, err, sizeof err);
    if (!t->hub) fail_msg("hub_start: %s", err);
    snprintf(t->base, sizeof t->base, "http://127.0.0.1:%d", hub_port(t->hub));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return t;
}

void hubtest_stop(hubtest_t *t)
{
    hub_stop(t->hub);
    db_close_all();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", t->dir);
    free(t);
}

typedef struct { char *buf; size_t len; } sink_t;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
    sink_t *s = user;
    char *nb = realloc(s->buf, s->len + sz * n + 1);
    if (!nb) return 0;
    s->buf = nb;
    memcpy(s->buf + s->len, p, sz * n);
    s->len += sz * n;
    s->buf[s->len] = '\0';
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *user)
{
    hubtest_resp_t *r = user;
    size_t len = sz * n;
    if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
        int l = (int)len - 5;
        const char *v = p + 5;
        while (l > 0 && *v == ' ') v++, l--;
        while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == '\n')) l--;
        snprintf(r->etag, sizeof r->etag, "%.*s", l, v);
    }
    if (len > 20 && strncasecmp(p, "Idempotent-Replayed: true", 25) == 0) r->replayed = true;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) r->retry_after = atoi(p + 12);
    return len;
}

hubtest_resp_t hubtest_req(hubtest_t *t, const char *method, const char *path,
                           const char *token, const char *key, const char *body,
                           const char *extra)
{
    hubtest_resp_t r = {0};
    sink_t s = {0};
    char url[1024], h[256];
    snprintf(url, sizeof url, "%s%s", t->base, path);
    CURL *c = curl_easy_init();
    struct curl_slist *hdr = NULL;
    if (token) { snprintf(h, sizeof h, "Authorization: Bearer %s", token); hdr = curl_slist_append(hdr, h); }
    if (key) { snprintf(h, sizeof h, "Idempotency-Key: %s", key); hdr = curl_slist_append(hdr, h); }
    if (extra) hdr = curl_slist_append(hdr, extra);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        r.status = (int)code;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    r.body = s.buf ? s.buf : strdup("");
    r.json = cJSON_Parse(r.body);
    return r;
}

char *hubtest_bundle_body(const hubtest_t *t, const char *manifest)
{
    unsigned char sig[crypto_sign_BYTES];
    char hex[129];
    crypto_sign_detached(sig, NULL, (const unsigned char *)manifest, strlen(manifest), t->content_sk);
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "manifest", manifest);
    cJSON_AddStringToObject(o, "signature", hex);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return body;
}

hubtest_resp_t hubtest_get(hubtest_t *t, const char *path)
{
    return hubtest_req(t, "GET", path, t->token, NULL, NULL, NULL);
}

hubtest_resp_t hubtest_post(hubtest_t *t, const char *path, const char *body)
{
    char key[40];
    snprintf(key, sizeof key, "test-key-%d", atomic_fetch_add(&key_seq, 1));
    return hubtest_req(t, "POST", path, t->token, key, body, NULL);
}

void hubtest_free(hubtest_resp_t *r)
{
    free(r->body);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof *r);
}

const cJSON *hubtest_at(const cJSON *j, const char *dotted)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", dotted);
    const cJSON *cur = j;
    char *save = NULL;   /* strtok_r: racing test threads call this at once */
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
        cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(tok))
                                 : cJSON_GetObjectItemCaseSensitive(cur, tok);
    return cur;
}

const char *hubtest_error_code(const hubtest_resp_t *r)
{
    const cJSON *c = hubtest_at(r->json, "error.code");
    return cJSON_IsString(c) ? c->valuestring : "";
}

/* docs/api.md is the contract: every endpoint it lists exists with that
 * method, every route the hub serves is listed, authenticated endpoints
 * refuse a request without a token, and a bare request to each endpoint
 * answers either 2xx or one of the statuses and error codes its section
 * documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hubtest.h"

#define MAX_EP 128

typedef struct {
    char method[8];
    char pattern[128];
    char *section;          /* text up to the next endpoint heading */
} endpoint_t;

static endpoint_t eps[MAX_EP];
static int neps;
static char *doc;

static void load_doc(void)
{
    FILE *fp = fopen("docs/api.md", "r");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    doc = malloc((size_t)n + 1);
    assert_int_equal(fread(doc, 1, (size_t)n, fp), (size_t)n);
    doc[n] = '\0';
    fclose(fp);
    neps = 0;
    for (char *p = strstr(doc, "\n### `"); p && neps < MAX_EP; p = strstr(p + 1, "\n### `")) {
        endpoint_t *e = &eps[neps];
        if (sscanf(p + 6, "%7s %127[^`]`", e->method, e->pattern) != 2) continue;
        e->section = p + 1;
        neps++;
    }
    /* Cut each section at the next heading of the same or a higher level. */
    for (int i = 0; i < neps; i++) {
        char *end = strstr(eps[i].section + 4, "\n## ");
        char *next = strstr(eps[i].section + 4, "\n### ");
        if (next && (!end || next < end)) end = next;
        if (end) *end = '\0';
    }
}

static int setup(void **state)
{
    load_doc();
    *state = hubtest_start(true);
    return 0;
}

static int teardown(void **state)
{
    hubtest_stop(*state);
    free(doc);
    return 0;
}

static void every_documented_endpoint_exists(void **state)
{
    assert_true(neps >= 15);
    for (int i = 0; i < neps; i++) {
        bool found = false;
        for (const hub_route_t *r = hub_routes; r->method; r++)
            if (!strcmp(r->method, eps[i].method) && !strcmp(r->pattern, eps[i].pattern)) found = true;
        if (!found) fail_msg("documented but not served: %s %s", eps[i].method, eps[i].pattern);
    }
}

static void every_route_is_documented(void **state)
{
    for (const hub_route_t *r = hub_routes; r->method; r++) {
        bool found = false;
        for (int i = 0; i < neps; i++)
            if (!strcmp(r->method, eps[i].method) && !strcmp(r->pattern, eps[i].pattern)) found = true;
        if (!found) fail_msg("served but not documented: %s %s", r->method, r->pattern);
    }
}

/* The pattern with every {param} replaced by a value that exists in no table. */
static void concrete(const char *pattern, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 12 < len; p++) {
        if (*p == '{') {
            const char *v = "999999";
            memcpy(out + o, v, strlen(v));
            o += strlen(v);
            while (*p && *p != '}') p++;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

static void auth_is_as_documented(void **state)
{
    hubtest_t *t = *state;
    for (const hub_route_t *r = hub_routes; r->method; r++) {
        if (!(r->flags & ROUTE_AUTH)) continue;
        char path[160];
        concrete(r->pattern, path, sizeof path);
        hubtest_resp_t resp = hubtest_req(t, r->method, path, NULL, "doc-key", "{}", NULL);
        if (resp.status != 401) fail_msg("%s %s answered %d without a token", r->method, r->pattern, resp.status);
        hubtest_free(&resp);
    }
}

static void bare_requests_answer_as_documented(void **state)
{
    hubtest_t *t = *state;
    for (int i = 0; i < neps; i++) {
        char path[160];
        concrete(eps[i].pattern, path, sizeof path);
        hubtest_resp_t r = strcmp(eps[i].method, "POST") == 0 ? hubtest_post(t, path, "{}")
                                                              : hubtest_get(t, path);
        /* The console's page is HTML, documented as such. */
        bool page = !strcmp(eps[i].pattern, "/console/") && r.status == 200;
        if (r.status == 0 || (!r.json && !page))
            fail_msg("%s %s: no JSON answer (status %d)", eps[i].method, path, r.status);
        if (r.status >= 300) {
            char st[16];
            snprintf(st, sizeof st, "%d", r.status);
            const char *code = hubtest_error_code(&r);
            if (!strstr(eps[i].section, st) && !strstr(doc, st))
                fail_msg("%s %s: status %d is not documented", eps[i].method, path, r.status);
            /* Written `CODE` or `422 CODE` in the docs. */
            char quoted[80];
            snprintf(quoted, sizeof quoted, "%s`", code);
            /* Either this section or the conventions name the code. */
            if (!*code || (!strstr(eps[i].section, quoted) && !strstr(doc, quoted)))
                fail_msg("%s %s: error code \"%s\" is not documented", eps[i].method, path, code);
        }
        hubtest_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_documented_endpoint_exists),
        cmocka_unit_test(every_route_is_documented),
        cmocka_unit_test(auth_is_as_documented),
        cmocka_unit_test(bare_requests_answer_as_documented),
    };
    return cmocka_run_group_tests_name("hub_doc", tests, setup, teardown);
}

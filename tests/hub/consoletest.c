/* Staff-console test support for the console suites (see consoletest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "consoletest.h"
#include "db.h"
#include "support/signerproc.h"

void consoletest_add(const char *name, staff_role_t role, const char *groups, const char *pw)
{
    char err[200];
    if (staff_add(db_thread(), name, role, groups, pw, hub_now(), err, sizeof err) != 0)
        fail_msg("staff_add %s: %s", name, err);
}

hub_resp_t consoletest_call(hub_t *hub, const char *method, const char *path, const char *body,
                            const char *h1, const char *h2, const char *h3)
{
    const char *headers[6] = {0};
    int n = 0;
    if (body) headers[n++] = "Content-Type: application/json";
    if (h1) headers[n++] = h1;
    if (h2) headers[n++] = h2;
    if (h3) headers[n++] = h3;
    return hub_handle(hub, method, path, headers, body, body ? strlen(body) : 0);
}

hub_resp_t consoletest_call_as(hub_t *hub, const char *method, const char *path, const char *body,
                               const consoletest_sess_t *s, bool csrf)
{
    return consoletest_call(hub, method, path, body, s ? s->cookie : NULL, s && csrf ? s->csrf : NULL, NULL);
}

hub_resp_t consoletest_login_raw(hub_t *hub, const char *name, const char *pw)
{
    char body[300];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
    return consoletest_call(hub, "POST", "/console/api/login", body, NULL, NULL, NULL);
}

consoletest_sess_t consoletest_login_after(hub_t *hub, const char *name, const char *pw, const char *others)
{
    consoletest_sess_t s;
    memset(&s, 0, sizeof s);
    hub_resp_t r = consoletest_login_raw(hub, name, pw);
    if (r.status != 200) fail_msg("login %s: %d %s", name, r.status, r.body);
    const char *v = strstr(r.set_cookie, "kc_session=");
    assert_non_null(v);
    snprintf(s.cookie, sizeof s.cookie, "Cookie: %s%.75s", others, v);
    cJSON *j = cJSON_Parse(r.body);
    snprintf(s.csrf, sizeof s.csrf, "X-CSRF-Token: %s", cJSON_GetObjectItem(j, "csrf")->valuestring);
    cJSON_Delete(j);
    free(r.body);
    return s;
}

consoletest_sess_t consoletest_login(hub_t *hub, const char *name, const char *pw)
{
    return consoletest_login_after(hub, name, pw, "");
}

void consoletest_kiosk_group(hub_t *hub, const consoletest_sess_t *s, const char *kiosk, const char *group)
{
    char path[96], body[96];
    snprintf(path, sizeof path, "/console/api/kiosks/%s/group", kiosk);
    snprintf(body, sizeof body, "{\"group\":\"%s\"}", group);
    hub_resp_t r = consoletest_call_as(hub, "POST", path, body, s, true);
    assert_int_equal(r.status, 200);
    free(r.body);
}

const char *consoletest_code_of(const hub_resp_t *r, char *buf, size_t len)
{
    cJSON *j = cJSON_Parse(r->body);
    const cJSON *c = hubtest_at(j, "error.code");
    snprintf(buf, len, "%s", cJSON_IsString(c) ? c->valuestring : "");
    cJSON_Delete(j);
    return buf;
}

void consoletest_expect(hub_resp_t r, int status, const char *code, const char *in_message)
{
    cJSON *j = cJSON_Parse(r.body);
    const cJSON *c = hubtest_at(j, "error.code"), *m = hubtest_at(j, "error.message");
    if (r.status != status || (code && (!cJSON_IsString(c) || strcmp(c->valuestring, code))) ||
        (in_message && (!cJSON_IsString(m) || !strstr(m->valuestring, in_message))))
        fail_msg("wanted %d %s '%s', got %d %s", status, code ? code : "", in_message ? in_message : "",
                 r.status, r.body);
    cJSON_Delete(j);
    free(r.body);
}

const char *consoletest_build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

pid_t consoletest_signer_start(const hubtest_t *t, char sock[108])
{
    char key[128], hex[129], bin[160];
    snprintf(key, sizeof key, "%s/content.key", t->dir);
    snprintf(sock, 108, "%s/signer.sock", t->dir);
    sodium_bin2hex(hex, sizeof hex, t->content_sk, 64);
    FILE *fp = fopen(key, "w");
    assert_non_null(fp);
    fputs(hex, fp);
    fclose(fp);
    chmod(key, 0600);
    snprintf(bin, sizeof bin, "%s/hub", consoletest_build_dir());
    pid_t pid = signerproc_start(bin, key, sock);
    assert_true(pid >= 0);
    assert_int_equal(access(sock, F_OK), 0);
    return pid;
}

void consoletest_signer_stop(pid_t pid)
{
    signerproc_stop(pid);
}

hub_t *consoletest_signed_hub(const hubtest_t *t, pid_t *signer, char *sock)
{
    char path[108];
    *signer = consoletest_signer_start(t, path);
    if (sock) snprintf(sock, sizeof path, "%s", path);
    hub_config_t cfg = *hub_config(t->hub);
    snprintf(cfg.console_signer, sizeof cfg.console_signer, "%s", path);
    hub_t *hub = hub_new(&cfg);
    assert_non_null(hub);
    return hub;
}

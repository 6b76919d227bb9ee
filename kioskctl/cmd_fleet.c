/* kioskctl fleet: staff's view of the kiosks through the hub (docs/api.md
 * "Fleet"), with a staff token (`build/hub staff add NAME`).
 *
 *   kioskctl fleet status --hub URL --token-file F [--table]
 *   kioskctl fleet command --hub URL --token-file F KIOSK KIND [ARGS_JSON]
 *   kioskctl fleet update --hub URL --token-file F (KIOSK | --group G) --version V
 *   kioskctl fleet screenshot --hub URL --token-file F ID --out FILE.png
 *   (or the token in $KIOSK_STAFF_TOKEN; see ctl_staff_token)
 *
 * JSON on standard output (the hub's answer), or a table with --table.
 * Exit 1 when the hub refuses (its error code is passed on), 3 when it does
 * not answer, 2 for bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/clock.h"
#include "debver.h"
#include "kioskctl.h"
#include "net/hub_api.h"

#define TIMEOUT_MS 15000

/* The arguments that are neither options nor option values. */
static int positionals(int argc, char **argv, char **out, int max)
{
    static const char *const with_value[] = {"--hub", "--token", "--token-file", "--out", "--group",
                                             "--version", NULL};
    int n = 0;
    for (int i = 2; i < argc; i++) {
        bool opt = false;
        for (int k = 0; with_value[k]; k++)
            if (!strcmp(argv[i], with_value[k])) opt = true;
        if (opt) { i++; continue; }
        if (!strcmp(argv[i], "--table")) continue;
        if (n < max) out[n] = argv[i];
        n++;
    }
    return n;
}

/* Exit status and error line for a failed request. */
static int request_error(const hub_status_t *st)
{
    if (st->result == HUB_REFUSED)
        return ctl_error(CTL_FAIL, st->code, "the hub refused (%d): %s", st->http, st->message);
    return ctl_error(CTL_DEVICE, "hub_unreachable", "no usable answer from the hub: %s (%s)",
                     st->code, st->message);
}

static const char *str_or(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

static void print_table(const cJSON *fleet, long long now)
{
    printf("%-16s %-8s %-10s %-20s %-10s %-12s %-20s %s\n", "KIOSK", "STATE", "LAST", "CONTENT",
           "VERSION", "SCREEN", "LAST UPDATE", "FAULTS");
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(fleet, "kiosks")) {
        const cJSON *last = cJSON_GetObjectItemCaseSensitive(k, "last_heartbeat");
        char ago[16] = "never";
        if (cJSON_IsNumber(last)) snprintf(ago, sizeof ago, "%llds ago", now - (long long)last->valuedouble);
        char faults[160] = "";
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(k, "faults")) {
            if (!cJSON_IsString(f)) continue;
            size_t n = strlen(faults);
            snprintf(faults + n, sizeof faults - n, "%s%s", n ? "," : "", f->valuestring);
        }
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(k, "update");
        char upd[64] = "-";
        if (cJSON_IsObject(u))
            snprintf(upd, sizeof upd, "%s %s", str_or(u, "outcome", "?"), str_or(u, "version", "?"));
        printf("%-16s %-8s %-10s %-20s %-10s %-12s %-20s %s\n", str_or(k, "id", "?"),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "online")) ? "online" : "OFFLINE",
               ago, str_or(k, "content_version", "-"), str_or(k, "version", "-"),
               str_or(k, "screen", "-"), upd, faults[0] ? faults : "-");
    }
}

static int fleet_status(hub_fleet_t *f, bool table)
{
    hub_status_t st;
    const char *out;
    hub_fleet_request(f, "GET", "/v1/admin/fleet", NULL, NULL, 0, NULL, &out, NULL, &st);
    if (st.result != HUB_OK) return request_error(&st);
    cJSON *j = cJSON_Parse(out);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return ctl_error(CTL_DEVICE, "garbage", "the hub's answer is not a JSON object");
    }
    if (table) {
        const cJSON *now = cJSON_GetObjectItemCaseSensitive(j, "time");
        print_table(j, cJSON_IsNumber(now) ? (long long)now->valuedouble : (long long)clock_wall());
        cJSON_Delete(j);
    } else {
        ctl_print(j);
    }
    return CTL_OK;
}

/* Posts command KIND with ARGS (an object, taken) for KIOSK. The hub's
 * answer parsed into *ANSWER on success; ST says how it went. -1 for a bad
 * KIOSK (nothing sent). */
static int post_command(hub_fleet_t *f, const char *kiosk, const char *kind, cJSON *args,
                        cJSON **answer, hub_status_t *st)
{
    *answer = NULL;
    /* The kiosk id goes into the path: only the characters an id may hold. */
    for (const char *p = kiosk; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p)) {
            cJSON_Delete(args);
            return -1;
        }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "kind", kind);
    cJSON_AddItemToObject(body, "args", args);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char path[256], key[40];
    snprintf(path, sizeof path, "/v1/admin/devices/%s/commands", kiosk);
    hub_new_key("ctl-", key, sizeof key);
    const char *out;
    hub_fleet_request(f, "POST", path, "application/json", text, text ? strlen(text) : 0, key,
                      &out, NULL, st);
    cJSON_free(text);
    if (st->result == HUB_OK) *answer = cJSON_Parse(out);
    return 0;
}

static int fleet_command(hub_fleet_t *f, const char *kiosk, const char *kind, const char *args_json)
{
    cJSON *args = cJSON_Parse(args_json ? args_json : "{}");
    if (!cJSON_IsObject(args)) {
        cJSON_Delete(args);
        return ctl_error(CTL_USAGE, "usage", "ARGS_JSON must be a JSON object");
    }
    hub_status_t st;
    cJSON *j;
    if (post_command(f, kiosk, kind, args, &j, &st) != 0)
        return ctl_error(CTL_USAGE, "usage", "KIOSK is a device id (A-Z a-z 0-9 _ -)");
    if (st.result != HUB_OK) return request_error(&st);
    if (!j) return ctl_error(CTL_DEVICE, "garbage", "the hub's answer is not JSON");
    ctl_print(j);
    return CTL_OK;
}

/* update VERSION for one kiosk, or for each kiosk of GROUP (as the hub's
 * fleet list says): {"update": {"version", "commands": [{"kiosk",
 * "command"} or {"kiosk", "error"}]}}. Exit 1 if any was refused. */
static int fleet_update(hub_fleet_t *f, const char *kiosk, const char *group, const char *version)
{
    if (!debver_ok(version))
        return ctl_error(CTL_USAGE, "usage", "--version: a Debian version (1 to %d of 0-9 A-Z a-z . + ~ -,"
                         " starting with a digit, no epoch)", DEBVER_MAX);
    cJSON *targets = cJSON_CreateArray();
    if (group) {
        hub_status_t st;
        const char *out;
        hub_fleet_request(f, "GET", "/v1/admin/fleet", NULL, NULL, 0, NULL, &out, NULL, &st);
        if (st.result != HUB_OK) {
            cJSON_Delete(targets);
            return request_error(&st);
        }
        cJSON *fl = cJSON_Parse(out);
        const cJSON *k;
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(fl, "kiosks")) {
            const char *g = str_or(k, "group", NULL), *id = str_or(k, "id", NULL);
            if (g && id && strcmp(g, group) == 0) cJSON_AddItemToArray(targets, cJSON_CreateString(id));
        }
        cJSON_Delete(fl);
        if (cJSON_GetArraySize(targets) == 0) {
            cJSON_Delete(targets);
            return ctl_error(CTL_FAIL, "unknown_group", "no kiosk in group %s", group);
        }
    } else {
        cJSON_AddItemToArray(targets, cJSON_CreateString(kiosk));
    }
    cJSON *o = cJSON_CreateObject(), *u = cJSON_AddObjectToObject(o, "update");
    cJSON_AddStringToObject(u, "version", version);
    cJSON *cmds = cJSON_AddArrayToObject(u, "commands");
    int rc = CTL_OK;
    const cJSON *t;
    cJSON_ArrayForEach(t, targets) {
        cJSON *args = cJSON_CreateObject(), *ans, *r = cJSON_CreateObject();
        cJSON_AddStringToObject(args, "version", version);
        cJSON_AddStringToObject(r, "kiosk", t->valuestring);
        hub_status_t st;
        if (post_command(f, t->valuestring, "update", args, &ans, &st) != 0) {
            cJSON_AddStringToObject(r, "error", "usage");
            rc = CTL_USAGE;
        } else if (st.result != HUB_OK) {
            cJSON_AddStringToObject(r, "error", st.result == HUB_REFUSED ? st.code : "hub_unreachable");
            if (rc == CTL_OK) rc = st.result == HUB_REFUSED ? CTL_FAIL : CTL_DEVICE;
        } else {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ans, "command"), "id");
            if (cJSON_IsNumber(id)) cJSON_AddNumberToObject(r, "command", id->valuedouble);
            else cJSON_AddNullToObject(r, "command");
        }
        cJSON_Delete(ans);
        cJSON_AddItemToArray(cmds, r);
    }
    cJSON_Delete(targets);
    ctl_print(o);
    return rc;
}

static int fleet_screenshot(hub_fleet_t *f, const char *id, const char *file)
{
    char *end;
    long long n = strtoll(id, &end, 10);
    if (!*id || *end || n < 1) return ctl_error(CTL_USAGE, "usage", "ID is a screenshot id");
    char path[64];
    snprintf(path, sizeof path, "/v1/admin/screenshots/%lld", n);
    hub_status_t st;
    const char *out;
    size_t len;
    hub_fleet_request(f, "GET", path, NULL, NULL, 0, NULL, &out, &len, &st);
    if (st.result != HUB_OK) return request_error(&st);
    FILE *fp = fopen(file, "wb");
    if (!fp || fwrite(out, 1, len, fp) != len || fclose(fp) != 0) {
        if (fp) fclose(fp);
        return ctl_error(CTL_FAIL, "write_failed", "cannot write %s", file);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "screenshot", (double)n);
    cJSON_AddNumberToObject(o, "bytes", (double)len);
    cJSON_AddStringToObject(o, "out", file);
    ctl_print(o);
    return CTL_OK;
}

int cmd_fleet(int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : "";
    const char *hub = ctl_opt(argc, argv, "--hub");
    char token[256];
    char *pos[4];
    int np = positionals(argc, argv, pos, 4);
    int tk = ctl_staff_token(argc, argv, token, sizeof token);
    if (tk == -2) return CTL_USAGE;
    if (!hub || tk != 0)
        return ctl_error(CTL_USAGE, "usage", "fleet %s needs --hub URL and a staff token "
                         "(--token-file FILE or KIOSK_STAFF_TOKEN)", sub);
    bool ok_args = (!strcmp(sub, "status") && np == 0) ||
                   (!strcmp(sub, "command") && (np == 2 || np == 3)) ||
                   (!strcmp(sub, "update") && ctl_opt(argc, argv, "--version") &&
                    (np == 1) != (ctl_opt(argc, argv, "--group") != NULL)) ||
                   (!strcmp(sub, "screenshot") && np == 1 && ctl_opt(argc, argv, "--out"));
    if (!ok_args)
        return ctl_error(CTL_USAGE, "usage",
                         "kioskctl fleet status|command KIOSK KIND [ARGS_JSON]|"
                         "update (KIOSK|--group G) --version V|screenshot ID --out FILE"
                         " --hub URL --token-file F");
    hub_fleet_t *f = hub_fleet_new(hub, token, TIMEOUT_MS, NULL);
    if (!f) return ctl_error(CTL_FAIL, "memory", "out of memory");
    int rc;
    if (!strcmp(sub, "status")) rc = fleet_status(f, ctl_flag(argc, argv, "--table"));
    else if (!strcmp(sub, "command")) rc = fleet_command(f, pos[0], pos[1], np == 3 ? pos[2] : NULL);
    else if (!strcmp(sub, "update"))
        rc = fleet_update(f, np == 1 ? pos[0] : NULL, ctl_opt(argc, argv, "--group"), ctl_opt(argc, argv, "--version"));
    else rc = fleet_screenshot(f, pos[0], ctl_opt(argc, argv, "--out"));
    hub_fleet_free(f);
    return rc;
}

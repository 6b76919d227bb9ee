/* kioskctl queue list [--state S] [--limit N]
 * kioskctl queue show ID [--reveal]
 * kioskctl queue retry ID
 * kioskctl queue drop ID
 * (each with [--config FILE], default kiosk.ini: [kiosk] var_dir and
 * [outbox] key_file are read from it)
 *
 * The kiosk's outbox (kiosk/outbox/outbox.h) for staff:
 *   list   {"counts":{"queued","sending","done","dead"},"items":[ITEM...]}
 *          newest first, at most --limit (default 50), only state S if given;
 *   show   {"item":ITEM} with "idem_key" and "body": the JSON text of the
 *          body, or for a sealed one (personal data) "[encrypted, N bytes]"
 *          unless --reveal (which opens it with the key file);
 *   retry  a dead (or queued) item is due again now, attempts reset:
 *          {"retried":ID}; the running kiosk picks it up within a second;
 *   drop   deletes a queued, dead or done item: {"dropped":ID}.
 * ITEM: {"id","kind","method","path","state","attempts","next_try","created",
 *        "updated","http","last_error","sealed","body_len"} (times in Unix ms).
 * Exit: 0 ok; 1 no such item (not_found) or not in a state that allows it
 * (wrong_state: a sending item is the kiosk's); 2 usage or a bad config
 * (usage, config); 3 the database or key cannot be used (database, key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "kioskctl.h"
#include "paths.h"
#include "outbox/outbox.h"
#include "outbox/seal.h"
#include "store/store.h"

#define QUEUE_USAGE "usage: kioskctl queue list [--state S] [--limit N] | show ID [--reveal] | " \
                    "retry ID | drop ID [--config FILE]"

static cJSON *queue_item_json(const outbox_item_t *it)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)it->id);
    cJSON_AddStringToObject(o, "kind", it->kind);
    cJSON_AddStringToObject(o, "method", it->method);
    cJSON_AddStringToObject(o, "path", it->path);
    cJSON_AddStringToObject(o, "state", outbox_state_name(it->state));
    cJSON_AddNumberToObject(o, "attempts", it->attempts);
    cJSON_AddNumberToObject(o, "next_try", (double)it->next_try_ms);
    cJSON_AddNumberToObject(o, "created", (double)it->created_ms);
    cJSON_AddNumberToObject(o, "updated", (double)it->updated_ms);
    cJSON_AddNumberToObject(o, "http", it->http);
    cJSON_AddStringToObject(o, "last_error", it->last_error);
    cJSON_AddBoolToObject(o, "sealed", it->sealed);
    cJSON_AddNumberToObject(o, "body_len", it->body_len);
    return o;
}

/* A positive item id from TEXT, or -1. */
static long long queue_parse_id(const char *text)
{
    char *end;
    errno = 0;
    long long v = text ? strtoll(text, &end, 10) : -1;
    if (!text || errno || end == text || *end || v <= 0) return -1;
    return v;
}

static int queue_list(store_t *st, int argc, char **argv)
{
    const char *state = ctl_opt(argc, argv, "--state"), *limit = ctl_opt(argc, argv, "--limit");
    int only = -1, max = 50;
    if (state && (only = outbox_state_parse(state)) < 0)
        return ctl_error(CTL_USAGE, "usage", "--state: one of queued, sending, done, dead");
    if (limit && ((max = atoi(limit)) < 1 || max > 10000))
        return ctl_error(CTL_USAGE, "usage", "--limit: 1-10000");
    outbox_counts_t c;
    outbox_item_t *items = calloc((size_t)max, sizeof *items);
    if (!items) return ctl_error(CTL_FAIL, "memory", "out of memory");
    int n = outbox_counts(st, &c) == 0 ? outbox_list(st, only, items, max) : -1;
    if (n < 0) {
        free(items);
        return ctl_error(CTL_DEVICE, "database", "cannot read the outbox: %s",
                         sqlite3_errmsg(store_db(st)));
    }
    cJSON *o = cJSON_CreateObject(), *counts = cJSON_AddObjectToObject(o, "counts");
    cJSON_AddNumberToObject(counts, "queued", c.queued);
    cJSON_AddNumberToObject(counts, "sending", c.sending);
    cJSON_AddNumberToObject(counts, "done", c.done);
    cJSON_AddNumberToObject(counts, "dead", c.dead);
    cJSON *arr = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(arr, queue_item_json(&items[i]));
    free(items);
    ctl_print(o);
    return CTL_OK;
}

static int queue_show(store_t *st, const config_t *cfg, long long id, int argc, char **argv)
{
    bool reveal = ctl_flag(argc, argv, "--reveal");
    outbox_key_t key;
    char err[512], *body = NULL;
    outbox_item_t it;

    if (reveal && outbox_key_load(cfg->outbox_key_file, false, &key, err, sizeof err) != 0)
        return ctl_error(CTL_DEVICE, "key", "%s", err);
    int rc = outbox_get(st, id, reveal ? &key : NULL, &it, &body, err, sizeof err);
    if (reveal) outbox_key_wipe(&key);
    if (rc == OUTBOX_NOT_FOUND) return ctl_error(CTL_FAIL, "not_found", "%s", err);
    if (rc != 0) return ctl_error(CTL_DEVICE, strstr(err, "open") ? "key" : "database", "%s", err);
    cJSON *o = cJSON_CreateObject(), *item = queue_item_json(&it);
    cJSON_AddStringToObject(item, "idem_key", it.idem_key);
    if (body) {
        cJSON_AddStringToObject(item, "body", body);
        explicit_bzero(body, strlen(body));
        free(body);
    } else {
        char what[64];
        snprintf(what, sizeof what, "[encrypted, %d bytes]", it.body_len);
        cJSON_AddStringToObject(item, "body", what);
    }
    cJSON_AddItemToObject(o, "item", item);
    /* The printed text may hold the revealed body: wipe it after printing. */
    char *s = cJSON_PrintUnformatted(o);
    if (s) {
        puts(s);
        fflush(stdout);
        explicit_bzero(s, strlen(s));
        free(s);
    }
    for (cJSON *f = item->child; f; f = f->next)
        if (cJSON_IsString(f) && f->valuestring) explicit_bzero(f->valuestring, strlen(f->valuestring));
    cJSON_Delete(o);
    return CTL_OK;
}

/* The result of a staff retry/drop as kioskctl's output. */
static int queue_done(int rc, const char *what, long long id, store_t *st)
{
    if (rc == OUTBOX_NOT_FOUND) return ctl_error(CTL_FAIL, "not_found", "no item %lld", id);
    if (rc == OUTBOX_WRONG_STATE)
        return ctl_error(CTL_FAIL, "wrong_state", "item %lld cannot be %s in its state "
                         "(sending items are the kiosk's; done items are not sent again)",
                         id, strcmp(what, "retried") == 0 ? "retried" : "dropped");
    if (rc != 0)
        return ctl_error(CTL_DEVICE, "database", "%s", sqlite3_errmsg(store_db(st)));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, what, (double)id);
    ctl_print(o);
    return CTL_OK;
}

int cmd_queue(int argc, char **argv)
{
    const char *path = ctl_opt(argc, argv, "--config");
    const char *sub = argc >= 2 ? argv[1] : NULL;
    config_t cfg;
    char err[512], db[CONFIG_STR + 16];
    struct stat sb;

    if (!sub || (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "retry") &&
                 strcmp(sub, "drop")))
        return ctl_error(CTL_USAGE, "usage", QUEUE_USAGE);
    long long id = 0;
    if (strcmp(sub, "list") && (id = queue_parse_id(argc >= 3 ? argv[2] : NULL)) < 0)
        return ctl_error(CTL_USAGE, "usage", "%s needs an item id (%s)", sub, QUEUE_USAGE);

    config_defaults(&cfg);
    if (config_load(&cfg, path ? path : paths.kiosk_config, err, sizeof err) != 0)
        return ctl_error(CTL_USAGE, "config", "%s", err);
    log_set_level(LOG_WARN);
    /* Never create a database here: a wrong var_dir is an error, not an
     * empty queue. */
    snprintf(db, sizeof db, "%s/kiosk.db", cfg.var_dir);
    if (stat(db, &sb) != 0)
        return ctl_error(CTL_DEVICE, "database", "%s: %s", db, strerror(errno));
    store_t *st;
    if (store_open(cfg.var_dir, &st, err, sizeof err) != 0)
        return ctl_error(CTL_DEVICE, "database", "%s", err);

    int rc;
    if (!strcmp(sub, "list")) rc = queue_list(st, argc, argv);
    else if (!strcmp(sub, "show")) rc = queue_show(st, &cfg, id, argc, argv);
    else if (!strcmp(sub, "retry")) rc = queue_done(outbox_retry(st, id, clock_wall_ms()), "retried", id, st);
    else rc = queue_done(outbox_drop(st, id), "dropped", id, st);
    store_close(st);
    return rc;
}

#include "console_workflow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "db.h"

const console_wf_step_t console_wf_edit = {"edit", {"draft", "approved", NULL}, "", STAFF_WRITE_DRAFT};
const console_wf_step_t console_wf_approve = {"approve", {"draft", NULL, NULL}, "approved", STAFF_PUBLISH};
const console_wf_step_t console_wf_publish = {"publish", {"approved", NULL, NULL}, "published", STAFF_PUBLISH};
const console_wf_step_t console_wf_withdraw = {"withdraw", {"published", NULL, NULL}, "withdrawn", STAFF_PUBLISH};

const console_wf_step_t *console_wf_find(const console_wf_step_t *const *steps, size_t n, const char *action)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(steps[i]->action, action)) return steps[i];
    return NULL;
}

bool console_wf_may_all(const staff_t *s, staff_perm_t perm, const cJSON *row)
{
    const cJSON *groups = cJSON_GetObjectItem(row, "groups");
    if (!cJSON_IsArray(groups) || !groups->child) return false;
    for (const cJSON *g = groups->child; g; g = g->next)
        if (!cJSON_IsString(g) || !staff_may(s, perm, g->valuestring)) return false;
    return true;
}

const char *console_wf_state(const cJSON *row)
{
    const cJSON *v = cJSON_GetObjectItem(row, "state");
    return cJSON_IsString(v) ? v->valuestring : "";
}

int console_wf_session(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, staff_perm_t perm,
                       const char *id_text, staff_t *s, long long *id)
{
    if (console_session_check(req, resp, true, s, NULL) != 0) return -1;
    if (id_text) {
        char *end = NULL;
        *id = strtoll(id_text, &end, 10);
        if (!*id_text || *end || *id < 1 || *id >= k->id_max) {
            hub_error(resp, 404, "not_found", "no such %s", k->noun);
            return -1;
        }
    }
    if (!staff_may(s, perm, NULL)) {
        if (perm == STAFF_WRITE_DRAFT) hub_error(resp, 403, "forbidden", "a viewer cannot write %s", k->nouns);
        else hub_error(resp, 403, "forbidden", "only a publisher may do this to a %s", k->noun);
        return -1;
    }
    return 0;
}

bool console_wf_begin(hub_req_t *req, hub_resp_t *resp)
{
    if (db_exec(req->db, "BEGIN IMMEDIATE") == 0) return true;
    resp->retry_after = 1;
    hub_error(resp, 503, "busy", "the hub is busy; try again");
    return false;
}

int console_wf_abort(hub_req_t *req, hub_resp_t *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    console_wf_rollback(req);
    return hub_error(resp, status, code, "%s", msg);
}

/* The article of WORD: "an approved", "a draft". */
static const char *an(const char *word)
{
    return strchr("aeiou", word[0]) && word[0] ? "an" : "a";
}

static bool state_in(const char *state, const console_wf_step_t *step)
{
    for (int i = 0; i < 3 && step->from[i]; i++)
        if (!strcmp(state, step->from[i])) return true;
    return false;
}

cJSON *console_wf_open(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, const console_wf_step_t *step,
                       const staff_t *s, long long id)
{
    bool err;
    if (!console_wf_begin(req, resp)) return NULL;
    cJSON *row = k->load(req->db, id, &err);
    if (!row) {
        if (err) console_wf_abort(req, resp, 500, "storage", "cannot read the %s", k->noun);
        else console_wf_abort(req, resp, 404, "not_found", "no such %s", k->noun);
        return NULL;
    }
    const char *state = console_wf_state(row);
    if (!console_wf_may_all(s, step->perm, row))
        console_wf_abort(req, resp, 403, "forbidden", "this %s is for groups that are not yours", k->noun);
    else if (!state_in(state, step) && !step->to[0])
        console_wf_abort(req, resp, 409, "wrong_state", "%s %s %s cannot be edited; write a new one", an(state), state,
                         k->noun);
    else if (!state_in(state, step))
        console_wf_abort(req, resp, 409, "wrong_state", "only %s %s %s can be %s; this one is %s", an(step->from[0]),
                         step->from[0], k->noun, step->to, state);
    else
        return row;
    cJSON_Delete(row);
    return NULL;
}

void console_wf_finish(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, const staff_t *s,
                       const char *action, long long id, const cJSON *before, int status)
{
    bool err;
    cJSON *after = k->load(req->db, id, &err);
    if (!after) {
        console_wf_abort(req, resp, 500, "storage", "cannot read the %s back", k->noun);
        return;
    }
    char *bt = before ? cJSON_PrintUnformatted(before) : NULL, *at = cJSON_PrintUnformatted(after);
    char target[64];
    snprintf(target, sizeof target, "%s %lld", k->noun, id);
    console_log_change(req->db, req->now, s->name, req->addr, action, target, bt, at);
    free(bt);
    free(at);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, k->noun, after);
    hub_reply(resp, status, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the change could not be stored; try again");
    }
}

cJSON *console_wf_row(sqlite3_stmt *st, const console_wf_col_t *cols, int n)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        int type = sqlite3_column_type(st, i);
        if (type == SQLITE_NULL) cJSON_AddNullToObject(o, cols[i].name);
        else if (cols[i].as == 'j') cJSON_AddItemToObject(o, cols[i].name, cJSON_Parse((const char *)sqlite3_column_text(st, i)));
        else if (cols[i].as == 'b') cJSON_AddBoolToObject(o, cols[i].name, sqlite3_column_int(st, i) != 0);
        else if (type == SQLITE_INTEGER) cJSON_AddNumberToObject(o, cols[i].name, (double)sqlite3_column_int64(st, i));
        else cJSON_AddStringToObject(o, cols[i].name, (const char *)sqlite3_column_text(st, i));
    }
    return o;
}

cJSON *console_wf_select(sqlite3 *db, const char *sql, long long id, const console_wf_col_t *cols, int n, bool *db_err)
{
    sqlite3_stmt *st = NULL;
    cJSON *o = NULL;
    *db_err = true;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) o = console_wf_row(st, cols, n);
    *db_err = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_finalize(st);
    return o;
}

void console_wf_list(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, const char *sql,
                     const console_wf_col_t *cols, int n)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the %s", k->nouns);
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, k->nouns);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *row = console_wf_row(st, cols, n);
        if (console_wf_may_all(&s, STAFF_SEE_FLEET, row)) cJSON_AddItemToArray(arr, row);
        else cJSON_Delete(row);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the %s", k->nouns);
        return;
    }
    hub_reply(resp, 200, o);
}

void console_wf_rollback(hub_req_t *req)
{
    db_exec(req->db, "ROLLBACK");
}

int console_wf_expire(sqlite3 *db, long long cid, long long now)
{
    if (cid <= 0) return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "UPDATE content SET expires = :now WHERE id = :cid"
                               " AND (expires IS NULL OR expires > :now)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, now - 1);
    sqlite3_bind_int64(st, 2, cid);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The workflow every piece of console content shares (notices, playlists,
 * events, lectures, library items, guides): its states (draft, approved,
 * published, withdrawn), the step each request takes between them and the
 * right it needs, and the skeleton around it: the session with its CSRF
 * token and the role, the id from the path, one BEGIN IMMEDIATE, the row
 * loaded, the right on every group of the row, the state the step starts
 * from, and at the end the change-log entry with the row before and after,
 * the answer and COMMIT. A module describes its rows once (its columns,
 * console_wf_col_t, read by console_wf_row / console_wf_select; its
 * console_wf_kind_t) and its steps (console_wf_step_t); it writes only
 * what its step changes in between. Notices (console_notice.c) take
 * their kind, rows, steps, BEGIN and finish from here, with id_max
 * CONSOLE_NOTICE_ID_SPAN and console_wf_rollback after
 * console_publish_group has answered a refusal; their own are the
 * session, open and list, whose messages (and, for the list, a read
 * error midway answered with the rows read so far) differ from these.
 * Runs on the request's worker thread and database connection; no state
 * of its own. Every function that fails has answered RESP and, when it had
 * opened the transaction, rolled it back: the caller only cleans up. */
#ifndef HUB_CONSOLE_WORKFLOW_H
#define HUB_CONSOLE_WORKFLOW_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include "hub.h"
#include "staff.h"

/* One kind of row. */
typedef struct {
    const char *noun;      /* "playlist": messages, the change-log target "playlist 7", the answer's key */
    const char *nouns;     /* "playlists": "a viewer cannot write playlists" */
    long long id_max;      /* ids taken from a path: 1 .. id_max - 1 */
    /* Row ID as JSON with at least "groups" (array of names) and "state";
     * NULL when there is none (*DB_ERR false) or on a database error (true). */
    cJSON *(*load)(sqlite3 *db, long long id, bool *db_err);
} console_wf_kind_t;

/* One step a request takes. FROM: the states it starts from (up to 3,
 * NULL-terminated when fewer); TO: the state after it, for messages ("" for
 * an edit: the module says what an edit leaves); PERM: the right it needs,
 * in general and on every group of the row. */
typedef struct {
    const char *action;    /* "publish": the path's {action}, the change-log action "<noun>_publish" */
    const char *from[3];
    const char *to;
    staff_perm_t perm;
} console_wf_step_t;

/* The usual steps: edit (draft or approved; an approved one edited is a
 * draft again), approve, publish (approved), withdraw (published). */
extern const console_wf_step_t console_wf_edit, console_wf_approve, console_wf_publish, console_wf_withdraw;

/* The step called ACTION among the N STEPS, or NULL. */
const console_wf_step_t *console_wf_find(const console_wf_step_t *const *steps, size_t n, const char *action);

/* The signed-in staff member of a request that changes something (CSRF
 * checked) into S, who must have PERM in general (a viewer does not write).
 * ID_TEXT (may be NULL: no id in the path) into *ID, 1 .. K->id_max - 1.
 * 0, or -1 with RESP answered (401, 403 csrf or forbidden, 404 not_found). */
int console_wf_session(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, staff_perm_t perm,
                       const char *id_text, staff_t *s, long long *id);

/* BEGIN IMMEDIATE; false with RESP 503 busy (Retry-After 1). */
bool console_wf_begin(hub_req_t *req, hub_resp_t *resp);

/* BEGIN, then row ID of K, which S must have STEP's right on for every
 * group and whose state must be one of STEP's. The row (the caller
 * deletes it) inside the open transaction, or NULL with RESP answered
 * (503, 500 storage, 404 not_found, 403 forbidden, 409 wrong_state) and
 * nothing open. */
cJSON *console_wf_open(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, const console_wf_step_t *step,
                       const staff_t *s, long long id);

/* ROLLBACK and RESP answered with STATUS CODE and the message; STATUS. */
int console_wf_abort(hub_req_t *req, hub_resp_t *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Ends a change to row ID of K inside the open transaction: reads the row
 * back, logs ACTION ("playlist_publish") by S with BEFORE (NULL for a new
 * row) and the row after, answers {"<noun>": row} with STATUS and COMMITs
 * (a failed read: ROLLBACK, 500; a failed commit: ROLLBACK, 503). */
void console_wf_finish(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, const staff_t *s,
                       const char *action, long long id, const cJSON *before, int status);

/* A column of a row as JSON: its name, and how its value reads: 'v' as
 * stored (integer or text), 'j' JSON text parsed, 'b' 0/1 as false/true.
 * NULL is null whatever the kind. */
typedef struct {
    const char *name;
    char as;
} console_wf_col_t;

/* The current row of ST (its columns in the order of COLS, N of them) as
 * a JSON object. */
cJSON *console_wf_row(sqlite3_stmt *st, const console_wf_col_t *cols, int n);

/* The one row SQL selects (its one parameter bound to ID) as
 * console_wf_row makes it, or NULL: none (*DB_ERR false) or a database
 * error (true). A kind's load() in one line. */
cJSON *console_wf_select(sqlite3 *db, const char *sql, long long id, const console_wf_col_t *cols, int n, bool *db_err);

/* A list route: the signed-in staff member's session, then the rows SQL
 * selects (no parameters) read with COLS, only those whose every group
 * the account may see, answered {"<K's nouns>": [...]} (500 storage on a
 * database error, 401 without a session). */
void console_wf_list(hub_req_t *req, hub_resp_t *resp, const console_wf_kind_t *k, const char *sql,
                     const console_wf_col_t *cols, int n);

/* ROLLBACK of the open transaction when RESP has been answered already
 * (a step's own refusal, such as the signer's 503). */
void console_wf_rollback(hub_req_t *req);

/* Does S have PERM on every group of ROW ("groups": a non-empty array)? */
bool console_wf_may_all(const staff_t *s, staff_perm_t perm, const cJSON *row);

/* ROW's "state", or "". */
const char *console_wf_state(const cJSON *row);

/* Content item CID (a row of the hub's content) expires a second before
 * NOW, unless it already has: the kiosks drop it at their next poll, the
 * row stays (registrations, proof of play). CID <= 0: nothing. 0 or -1. */
int console_wf_expire(sqlite3 *db, long long cid, long long now);

#endif

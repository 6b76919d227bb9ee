/* The store writer: the UI thread's database writes, made on a worker
 * thread of their own so that a frame never waits on SQLite or an fsync.
 *
 * Owns: one worker thread, its own connection to var_dir/kiosk.db (WAL,
 * synchronous=NORMAL) and a bounded in-memory queue of write jobs. Each
 * drain of the queue commits its jobs in at most two transactions: the
 * records that may lose their last seconds on a power cut (proof of play,
 * its prune, the session log, the street content cache) at NORMAL, and the
 * durable ones (settings that must survive a power cut: the night
 * schedule) at synchronous=FULL, set for that transaction only.
 *
 * Queue full (STORE_WRITER_QUEUE jobs: the database has been stuck for a
 * while): the oldest proof-of-play record is dropped and counted
 * (store_writer_dropped), never the caller blocked. Other jobs are not
 * dropped for a record; they are refused (-1) only when nothing can go.
 *
 * Threads: store_writer_start and store_writer_stop for the owner (the UI
 * thread); the enqueue calls, store_writer_flush and store_writer_dropped
 * for any thread. A job with a DONE_EVENT posts an SDL user event of that
 * type (worker_post) once committed or failed: user.code 0 or -1,
 * user.data1 a malloc'd long long holding the caller's TAG (freed with
 * free).
 *
 * Errors: a failed transaction is logged (once per distinct error) and its
 * jobs are dropped; their DONE_EVENT says -1. */
#ifndef KIOSK_STORE_WRITER_H
#define KIOSK_STORE_WRITER_H

#include <SDL.h>
#include <stdbool.h>
#include <time.h>
#include "store/proof_of_play.h"

#define STORE_WRITER_QUEUE 256

typedef struct store_writer store_writer_t;

/* Opens its connection to VAR_DIR's database and starts the thread.
 * NULL with ERR saying why (database cannot open, no thread). */
store_writer_t *store_writer_start(const char *var_dir, char *err, int errlen);
/* Commits everything queued, stops the thread, closes. NULL is fine. */
void store_writer_stop(store_writer_t *w);

/* Enqueue calls: 0 when queued, -1 when W is NULL, out of memory or
 * refused (above). They never touch the database themselves. */
int store_writer_pop(store_writer_t *w, const pop_record_t *r);
int store_writer_pop_prune(store_writer_t *w, time_t before);
int store_writer_session_log(store_writer_t *w, time_t started, time_t ended,
                             const char *end_reason, int screens_visited);
/* N settings KEYS[i] = VALUES[i], committed together (DURABLE: at
 * synchronous=FULL). DONE_EVENT 0: no event. */
int store_writer_settings(store_writer_t *w, const char *const *keys,
                          const char *const *values, int n, bool durable,
                          Uint32 done_event, long long tag);

/* Waits until every job queued before the call is committed (or failed),
 * up to TIMEOUT_MS. 0, or -1 on timeout or a NULL W. For tests and tools:
 * the UI thread never needs it. */
int store_writer_flush(store_writer_t *w, int timeout_ms);
/* Proof-of-play records dropped because the queue was full. */
long long store_writer_dropped(store_writer_t *w);

#endif

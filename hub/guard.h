/* The header deadline: a request's headers must all arrive within a fixed
 * time of the connection opening (or of the previous answer on it), however
 * the bytes trickle in - libmicrohttpd's own timeout restarts on every byte.
 * Owns a record per open connection (libmicrohttpd's socket context) and a
 * housekeeping thread that shuts down the socket of every connection past
 * its deadline; libmicrohttpd then closes it as a client hang-up. Records
 * are opened and closed from libmicrohttpd's threads (the list is behind a
 * mutex); the per-request marks are atomic. */
#ifndef HUB_GUARD_H
#define HUB_GUARD_H

typedef struct guard guard_t;
typedef struct guard_conn guard_conn_t;

/* Starts the housekeeping thread. NULL if it cannot start. */
guard_t *guard_start(int header_timeout_s);
/* Stops the thread and frees what is left (after the daemon has stopped). */
void guard_stop(guard_t *g);

/* A new connection on socket FD; its deadline starts now. NULL if out of
 * memory (the connection is then not watched). */
guard_conn_t *guard_open(guard_t *g, int fd);
/* The connection is closing (before libmicrohttpd closes FD). */
void guard_close(guard_t *g, guard_conn_t *c);
/* The current request's headers are complete: no deadline until the answer. */
void guard_headers_done(guard_conn_t *c);
/* The answer is sent: the next request's deadline starts now. */
void guard_request_done(guard_conn_t *c);

#endif

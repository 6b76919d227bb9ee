/* A TCP fault proxy for tests: listens on 127.0.0.1 (a free port), forwards
 * every connection to a target, and injects faults per request, by a mode
 * the test changes at run time (in-process thread; no HTTP parsing beyond
 * finding the end of the response headers).
 *
 * A "request" is the first bytes the client sends after the previous
 * response began (curl keeps connections alive; a mode change applies to
 * the next request on every connection). Modes:
 *   PASS      forward both ways;
 *   DROP      close the client's connection; nothing reaches the target;
 *   DELAY     wait delay_ms, then forward;
 *   RESET     forward the request, then answer the client with a TCP RST
 *             (SO_LINGER 0) instead of the response: the target acted,
 *             the client does not know;
 *   HTTP500   answer 500 with an error body, nothing forwarded;
 *   TRUNCATE  forward the request, pass the response headers and 3 bytes
 *             of the body, then close: the target acted, the client got
 *             half an answer;
 *   CHAOS     each request draws one of the six above (from a seeded PRNG). */
#ifndef KIOSK_TEST_FAULTPROXY_H
#define KIOSK_TEST_FAULTPROXY_H

typedef enum {
    FP_PASS, FP_DROP, FP_DELAY, FP_RESET, FP_HTTP500, FP_TRUNCATE, FP_CHAOS
} fp_mode_t;

typedef struct faultproxy faultproxy_t;

/* Starts a proxy to 127.0.0.1:TARGET_PORT in mode PASS. NULL on error. */
faultproxy_t *faultproxy_start(int target_port);
int faultproxy_port(const faultproxy_t *p);
/* "http://127.0.0.1:PORT" in BUF. */
void faultproxy_url(const faultproxy_t *p, char *buf, int len);
/* MODE from now on; DELAY_MS for FP_DELAY (and the delay CHAOS draws). */
void faultproxy_set_mode(faultproxy_t *p, fp_mode_t mode, int delay_ms);
void faultproxy_seed(faultproxy_t *p, unsigned seed);
/* Requests seen, and faults injected (every mode but PASS). */
long faultproxy_requests(faultproxy_t *p);
long faultproxy_faults(faultproxy_t *p);
/* Closes every connection, joins the threads, frees P. NULL is fine. */
void faultproxy_stop(faultproxy_t *p);

#endif

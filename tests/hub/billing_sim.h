/* A simulated utility billing system for the hub's tests: the protocol of
 * docs/api.md "Billing system protocol", run inside the test process
 * (libmicrohttpd on a free loopback port). It checks every request as the
 * protocol says a billing system must: the hub's id, a timestamp within
 * 300 s of the hub's clock (hub_now), the HMAC-SHA256 signature over
 * method, path, timestamp and body, the route, the JSON body field by
 * field; a bad signature is 401 and counted. A write-off is credited once
 * per (transaction, bill): the same again answers "credited" and credits
 * nothing; a reversal (POST /reversals) takes a credit back once per refund
 * number. Threads: a thread per connection; the controls are safe from
 * the test's thread. */
#ifndef BILLING_SIM_H
#define BILLING_SIM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct billing_sim billing_sim_t;

/* Starts the simulator with the hub's id and key (KEYLEN bytes); fails the
 * test on error. */
billing_sim_t *bsim_start(const char *hub_id, const unsigned char *key, size_t keylen);
void bsim_stop(billing_sim_t *s);
/* "http://127.0.0.1:PORT" */
const char *bsim_url(const billing_sim_t *s);

/* The utility's data. */
void bsim_add_account(billing_sim_t *s, const char *utility, const char *account, const char *holder,
                      const char *address);
void bsim_add_bill(billing_sim_t *s, const char *utility, const char *account, const char *ref,
                   const char *period, long long amount_fen, long long late_fee_fen, bool paid);

/* Behaviour: the next N write-offs answer 503 and credit nothing. */
void bsim_fail_writeoffs(billing_sim_t *s, int n);
/* Gone: every request answers 503. */
void bsim_gone(billing_sim_t *s, bool gone);

/* Counts. */
int bsim_credits(billing_sim_t *s);          /* bills credited (each once) */
int bsim_reversals(billing_sim_t *s);        /* credits taken back (each once) */
int bsim_writeoff_calls(billing_sim_t *s);   /* POST /writeoffs and /reversals received */
int bsim_fetches(billing_sim_t *s);          /* GET /accounts/... answered 200 */
int bsim_bad_requests(billing_sim_t *s);     /* refused: signature, clock, id, body */
/* Whether bill REF is paid at the utility. */
bool bsim_bill_paid(billing_sim_t *s, const char *ref);

#endif

/* Staff-console test support shared by the console suites (test_hub_console,
 * test_hub_console_items, test_hub_console_reports, test_hub_playlists,
 * test_hub_pictures): staff accounts, console requests through hub_handle
 * (no socket) with a session's cookie and CSRF token, logging in, the error
 * code of an answer, and `hub signer` beside the hub for what is published.
 *
 * Owns: nothing between calls; a session is a value the suite keeps, a
 * signer a child process the suite stops (consoletest_signer_stop).
 * Threads: call from the test's thread (staff accounts use db_thread()).
 * Errors: none returned; anything unexpected fails the running test
 * through cmocka, as the suites' own helpers did. */
#ifndef CONSOLETEST_H
#define CONSOLETEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "hubtest.h"
#include "server.h"
#include "staff.h"

typedef struct {
    char cookie[160];              /* "Cookie: kc_session=..." */
    char csrf[100];                /* "X-CSRF-Token: ..." */
} consoletest_sess_t;

/* Adds staff account NAME (ROLE, kiosk GROUPS or NULL, password PW). */
void consoletest_add(const char *name, staff_role_t role, const char *groups, const char *pw);

/* METHOD PATH on HUB with up to three extra header lines (NULL: none) and
 * a JSON BODY (NULL: none). */
hub_resp_t consoletest_call(hub_t *hub, const char *method, const char *path, const char *body,
                            const char *h1, const char *h2, const char *h3);
/* The same as session S (NULL: none), with its CSRF token when CSRF. */
hub_resp_t consoletest_call_as(hub_t *hub, const char *method, const char *path, const char *body,
                               const consoletest_sess_t *s, bool csrf);

/* POST /console/api/login for NAME with PW: the answer as it is. */
hub_resp_t consoletest_login_raw(hub_t *hub, const char *name, const char *pw);
/* A session of NAME (the login must succeed). */
consoletest_sess_t consoletest_login(hub_t *hub, const char *name, const char *pw);
/* The same, its cookie line sending the cookies OTHERS ("a=1; ") before
 * the session's. */
consoletest_sess_t consoletest_login_after(hub_t *hub, const char *name, const char *pw, const char *others);

/* Puts KIOSK in kiosk group GROUP as session S (an admin's): 200. */
void consoletest_kiosk_group(hub_t *hub, const consoletest_sess_t *s, const char *kiosk, const char *group);

/* error.code of an answer's body, in BUF ("" if none). */
const char *consoletest_code_of(const hub_resp_t *r, char *buf, size_t len);
/* The answer R has STATUS and error code CODE (R's body is not freed). */
#define consoletest_assert_error(r, st, code) do { char cb_[64]; \
        assert_int_equal((r).status, st); \
        assert_string_equal(consoletest_code_of(&(r), cb_, sizeof cb_), code); } while (0)
/* The answer R has STATUS, error code CODE (unless NULL) and IN_MESSAGE in
 * its error message (unless NULL); R's body is freed. */
void consoletest_expect(hub_resp_t r, int status, const char *code, const char *in_message);

/* The build directory ($BUILD, else "build"). */
const char *consoletest_build_dir(void);
/* `hub signer` with T's content key on T's dir/signer.sock (its path in
 * SOCK), dying with this process; its pid. */
pid_t consoletest_signer_start(const hubtest_t *t, char sock[108]);
/* Stops it (signerproc_stop). */
void consoletest_signer_stop(pid_t pid);
/* A new hub with T's settings and a signer started for it (*SIGNER; its
 * socket path in SOCK unless NULL): what publishes signed bundles. The
 * caller stops both. */
hub_t *consoletest_signed_hub(const hubtest_t *t, pid_t *signer, char *sock);

#endif

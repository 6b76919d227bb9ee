/* A hub.ini for a hub process whose payments go to one of the providers'
 * simulators running in the test's own process (tests/hub/alipay_sim.h,
 * wechat_sim.h): the [payment] section and its 0600 secrets file, for the
 * kiosk's end-to-end suites and figures that start the hub with
 * tests/support/hubproc.h. Owns nothing after it returns; any thread.
 * Errors: -1 with a message on stderr (a file that cannot be written). */
#ifndef SIM_HUBINI_H
#define SIM_HUBINI_H

#include <stddef.h>
#include "alipay_sim.h"
#include "wechat_sim.h"

typedef struct {
    const char *provider;       /* "alipay", "wechat" or "none" */
    alipay_sim_t *ali;          /* the simulator whose keys go to the secrets: */
    wechat_sim_t *wx;           /* ALI or WX, one of them */
    int notify_port;            /* the hub's notification listener (an OS-chosen free port) */
    int timeout_ms;             /* [payment] timeout_ms: the hub's wait for one answer */
} sim_hubini_t;

/* Writes DIR/hub.ini and DIR/provider.secrets as O says; CONFIG gets the
 * hub.ini's path, NOTIFY_URL the URL the providers post to. 0 or -1. */
int sim_hubini_write(const char *dir, const sim_hubini_t *o, char *config, size_t config_len,
                     char *notify_url, size_t url_len);

#endif

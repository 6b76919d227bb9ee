/* The payment provider's notifications (pay.h): a listener of its own,
 * apart from the kiosks' API, because the provider posts a form without a
 * device token or an Idempotency-Key and wants a plain "success" back.
 * Every notification is verified with the provider's key before anything
 * happens; a verified one is applied like a verified answer (api_pay_apply),
 * so it may come before, after or instead of the answer, and as often as
 * the provider repeats it. */
#include "pay.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "db.h"
#include "log.h"

#define NOTICE_MAX (16 * 1024)

struct pay_notify {
    struct MHD_Daemon *daemon;
    int port;
};

typedef struct { char buf[NOTICE_MAX + 1]; size_t len; bool too_big; } body_t;

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            text[0] == '{' ? "application/json" : "text/plain; charset=utf-8");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* pay_header_fn over the connection's request headers. */
static const char *header(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    body_t *b = *con_cls;
    if (!b) {
        if (strcmp(method, "POST") != 0) return answer(c, 405, "fail");
        if (!(b = calloc(1, sizeof *b))) return MHD_NO;
        *con_cls = b;
        return MHD_YES;
    }
    if (*size) {
        if (b->len + *size > NOTICE_MAX) b->too_big = true;
        else memcpy(b->buf + b->len, data, *size), b->len += *size;
        *size = 0;
        return MHD_YES;
    }
    /* WeChat Pay reads the status and wants JSON; Alipay reads "success". */
    bool wx = header(c, "Wechatpay-Signature") != NULL;
    const char *ok = wx ? "{\"code\":\"SUCCESS\",\"message\":\"OK\"}" : "success";
    const char *failed = wx ? "{\"code\":\"FAIL\",\"message\":\"refused\"}" : "fail";
    /* Whichever configured provider's signature it bears: each refuses
     * what is not its own (another shape, headers or key). */
    const pay_provider_t *ps[2];
    int np = pay_providers(ps), i = 0;
    pay_notice_t n;
    while (!b->too_big && i < np && ps[i]->verify_notice(b->buf, b->len, header, c, &n) != 0) i++;
    if (b->too_big || i == np) {
        hub_log("pay", "a notification was refused: not signed by a provider, or not ours");
        return answer(c, 400, failed);
    }
    sqlite3 *db = db_thread();
    /* A WAITING notice changes nothing; the rest are applied like answers. */
    if (!db || (n.result.outcome != PAY_WAITING &&
                api_pay_apply(db, n.out_trade_no, &n.result, false, hub_now()) != 0))
        return answer(c, 500, failed);          /* the provider sends it again */
    return answer(c, 200, ok);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    free(*con_cls);
    *con_cls = NULL;
}

pay_notify_t *pay_notify_start(const char *addr, int port, char *err, size_t errlen)
{
    pay_notify_t *n = calloc(1, sizeof *n);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (!n || inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "[payment] notify_listen %s is not an IPv4 address", addr);
        free(n);
        return NULL;
    }
    n->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                 on_request, n, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, n,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!n->daemon) {
        snprintf(err, errlen, "cannot listen for payment notifications on %s:%d", addr, port);
        free(n);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(n->daemon, MHD_DAEMON_INFO_BIND_PORT);
    n->port = info ? info->port : port;
    return n;
}

int pay_notify_bound_port(const pay_notify_t *n) { return n->port; }

void pay_notify_stop(pay_notify_t *n)
{
    if (!n) return;
    MHD_stop_daemon(n->daemon);
    free(n);
}

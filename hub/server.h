/* The HTTP side of the hub (libmicrohttpd): request bodies, routing,
 * authentication, idempotency, transactions, JSON errors, limits. */
#ifndef HUB_SERVER_H
#define HUB_SERVER_H

#include "hub.h"

/* A hub that does not listen: for hub_handle in tests and fuzzing. The
 * database must have been set up with db_init. Free with hub_stop. */
hub_t *hub_new(const hub_config_t *cfg);

/* Starts listening. Returns the hub, or NULL with ERR. The port actually
 * bound (useful with port 0) is hub_port(). */
hub_t *hub_start(const hub_config_t *cfg, char *err, int errlen);
int hub_port(const hub_t *hub);
void hub_stop(hub_t *hub);

/* Handles one request without a network (tests, fuzzing): METHOD PATH with
 * HEADERS ("Name: value" lines) and BODY. Returns the response; free body. */
hub_resp_t hub_handle(hub_t *hub, const char *method, const char *path,
                      const char *const *headers, const char *body, size_t len);

#endif

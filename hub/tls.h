/* HTTPS material for the hub: the certificate chain and private key files
 * named in hub.ini [tls], read into memory for libmicrohttpd (GnuTLS). The
 * key file must be readable by its owner only (mode 0600 or stricter). */
#ifndef HUB_TLS_H
#define HUB_TLS_H

#include <stddef.h>
#include "hub.h"

/* 0 with *CERT and *KEY malloc'd PEM text, or both NULL when CFG names
 * neither file (plain HTTP); -1 with a message in ERR when only one is
 * named, a file cannot be read, the key is open to others, or this
 * libmicrohttpd was built without TLS. */
int tls_load(const hub_config_t *cfg, char **cert, char **key, char *err, size_t errlen);

#endif

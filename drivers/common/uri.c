#include "uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *prefix; uri_kind_t kind; } schemes[] = {
    {"serial:", URI_SERIAL}, {"tcp://", URI_TCP}, {"file:", URI_FILE}, {"usb:", URI_USB},
    {"evdev:", URI_EVDEV}, {"v4l2:", URI_V4L2}, {"image:", URI_IMAGE},
};

const char *uri_kind_name(uri_kind_t k)
{
    static const char *names[] = {"serial", "tcp", "file", "usb", "evdev", "v4l2", "image"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

static int parse_int(const char *s, size_t n, long lo, long hi, long *out)
{
    if (n == 0 || n > 9) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* "?key=v&key=v" options: baud (serial) and timeout (all). */
static int parse_query(const char *q, uri_t *u, char *err, int errlen)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        long v;
        if (!eq) {
            snprintf(err, errlen, "option \"%.*s\" has no value", (int)len, q);
            return -1;
        }
        size_t klen = (size_t)(eq - q), vlen = len - klen - 1;
        if (klen == 4 && !strncmp(q, "baud", 4) && u->kind == URI_SERIAL) {
            static const long ok[] = {9600, 19200, 38400, 57600, 115200};
            int found = 0;
            if (parse_int(eq + 1, vlen, 1, 10000000, &v) == 0)
                for (size_t i = 0; i < 5; i++) found |= ok[i] == v;
            if (!found) {
                snprintf(err, errlen, "baud must be 9600, 19200, 38400, 57600 or 115200");
                return -1;
            }
            u->baud = (int)v;
        } else if (klen == 7 && !strncmp(q, "timeout", 7)) {
            if (parse_int(eq + 1, vlen, 1, 600000, &v) != 0) {
                snprintf(err, errlen, "timeout must be 1 to 600000 milliseconds");
                return -1;
            }
            u->timeout_ms = (int)v;
        } else {
            snprintf(err, errlen, "unknown option \"%.*s\"", (int)klen, q);
            return -1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

int uri_parse(const char *s, uri_t *out, char *err, int errlen)
{
    memset(out, 0, sizeof *out);
    out->baud = 115200;
    size_t i;
    for (i = 0; i < sizeof schemes / sizeof *schemes; i++)
        if (!strncmp(s, schemes[i].prefix, strlen(schemes[i].prefix))) break;
    if (i == sizeof schemes / sizeof *schemes) {
        snprintf(err, errlen, "unknown scheme in \"%s\" (serial: tcp:// file: usb: evdev: v4l2: image:)", s);
        return -1;
    }
    out->kind = schemes[i].kind;
    const char *rest = s + strlen(schemes[i].prefix);
    const char *q = strchr(rest, '?');
    size_t plen = q ? (size_t)(q - rest) : strlen(rest);
    if (plen == 0 || plen >= URI_PATH_MAX) {
        snprintf(err, errlen, "%s needs a %s of 1 to %d bytes", schemes[i].prefix,
                 out->kind == URI_TCP ? "host:port" : "path", URI_PATH_MAX - 1);
        return -1;
    }
    if (out->kind == URI_TCP) {
        const char *colon = memrchr(rest, ':', plen);
        long port;
        if (!colon || colon == rest || parse_int(colon + 1, plen - (size_t)(colon - rest) - 1, 1, 65535, &port) != 0) {
            snprintf(err, errlen, "tcp:// needs host:port with a port of 1-65535");
            return -1;
        }
        snprintf(out->path, sizeof out->path, "%.*s", (int)(colon - rest), rest);
        out->port = (int)port;
    } else {
        snprintf(out->path, sizeof out->path, "%.*s", (int)plen, rest);
    }
    return parse_query(q ? q + 1 : NULL, out, err, errlen);
}

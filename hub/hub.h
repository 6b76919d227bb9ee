/* The hub: the platform API kiosks talk to (HTTP + JSON under /v1).
 * Framework types shared by the server (server.c), the route table
 * (routes.c) and the API modules (api_*.c). docs/api.md is the contract. */
#ifndef HUB_H
#define HUB_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUB_MAX_BODY (64 * 1024)   /* larger request bodies get 413 */
#define HUB_MAX_PARAMS 4
#define HUB_MAX_CONTENT_KEYS 8

typedef struct hub hub_t;

/* Rate-limit classes of the routes (hub_route_t.flags), each a token bucket
 * per device: look-ups of residents, payments, content reads, fleet. */
enum { RATE_LOOKUP, RATE_PAY, RATE_CONTENT, RATE_FLEET, RATE_CLASSES };

typedef struct {
    int per_minute;                /* tokens added per minute; 0: the default */
    int burst;                     /* bucket size; 0: the default */
} hub_rate_t;

typedef struct {
    char db_path[512];
    char listen_addr[64];          /* "127.0.0.1" */
    int port;                      /* 0: pick a free port (printed) */
    bool demo;                     /* seed demo data, enable the /v1/demo routes */
    int threads;                   /* worker threads (MHD thread pool) */
    int max_connections;           /* above this: 503 JSON */
    int conn_timeout_s;            /* idle/slow client timeout */
    /* Ed25519 public keys (64 hex digits each) a published content bundle's
     * signature must verify with; none: every publish is refused. */
    char content_keys[HUB_MAX_CONTENT_KEYS][65];
    int n_content_keys;
    /* Personal data (retention.c): kept this long, then purged by the hub;
     * 0 = the default. */
    int retain_bookings_days;      /* after the booked slot ended */
    int retain_registrations_days; /* after the event started (or the sign-up, without a start) */
    int retain_help_days;          /* a help request's contact phone, after the request */
    int retain_idempotency_hours;  /* stored answers (at least 24: a key lives 24 h) */
    int retain_audit_days;         /* rows of the audit of look-ups, after the look-up */
    int retain_alerts_days;        /* fleet alerts of bursts of misses, after raised */
    /* Limits (hub/limits.c: 0 = the default of hub_limits_defaults). */
    int per_ip_connections;        /* open connections per client address */
    int header_timeout_s;          /* whole request headers within this, from the
                                    * connection's start or its previous request */
    long long max_buffered;        /* request body bytes held across all connections */
    char spool_dir[512];           /* large uploads go to files here; "" = $TMPDIR or /tmp */
    hub_rate_t rate[RATE_CLASSES];
    int miss_alert_count;          /* more "not found" look-ups than this from one device */
    int miss_alert_minutes;        /* within this many minutes raise a fleet alert */
    /* HTTPS (both set) or plain HTTP (both empty). The key file must be 0600. */
    char tls_cert[512];
    char tls_key[512];
    /* The staff console (console_*.c; hub.ini [console]). */
    char console_dir[512];         /* its static files; "" = the source tree's hub/console/www */
    int console_idle_min;          /* a session ends after this idle time; 0 = 15 */
    bool console_secure_cookie;    /* Secure cookies without the hub's own TLS (behind a TLS proxy) */
    bool console_trust_proxy;      /* the client address is the proxy's X-Real-IP header */
    char console_signer[108];      /* the content signer's Unix socket (signer.h); "" = none */
    /* Previews (console_preview.h): the kiosk binary that draws them ("" =
     * off), the kiosk.ini it reads ("" = its default), the screen sizes
     * ("" = CONSOLE_PREVIEW_SIZES_DEFAULT), previews at once (0 = 1) and
     * seconds each render may take (0 = 20). */
    char console_preview_kiosk[512];
    char console_preview_config[512];
    char console_preview_sizes[128];
    int console_preview_max;
    int console_preview_timeout_s;
} hub_config_t;

typedef struct {
    char id[64];                   /* authenticated device id, "" if none */
} hub_device_t;

/* One request as a handler sees it. Everything is owned by the server and
 * valid during the handler call only. */
typedef struct {
    hub_t *hub;
    sqlite3 *db;                   /* this worker thread's connection */
    const char *method;            /* "GET", "POST" */
    const char *path;
    const char *params[HUB_MAX_PARAMS];   /* {name} parts of the route, in order */
    int nparams;
    const char *body;              /* raw body (NUL-terminated), "" for none */
    size_t body_len;
    cJSON *json;                   /* parsed body object for POST, else NULL */
    hub_device_t device;
    void *conn;                    /* struct MHD_Connection *, for query/header */
    int64_t now;                   /* request time, unix seconds (hub_now) */
    /* A look-up's handler may name its audit kind and a finer outcome
     * (static strings; NULL: from the route and the status), e.g. why a
     * resident code was refused, which the device's answer never says. */
    const char *audit_kind;
    const char *audit_detail;
    /* A handler that refused a resident's proof (a check-in code that is
     * not the phone's) names what was to be proven: a keyed hash, never the
     * number. The audit then counts the answer as a miss, whatever its
     * status, and records it against that key (audit_proof_miss). */
    char proof_miss[65];
    char addr[64];                 /* the client's address ("local" for hub_handle) */
} hub_req_t;

typedef struct {
    int status;
    char *body;                    /* malloc'd JSON text, owned by the response */
    char etag[80];                 /* "" = none */
    bool not_modified;             /* 304 for If-None-Match */
    /* A binary answer (a PNG): BODY holds BODY_LEN bytes of CONTENT_TYPE (a
     * static string). NULL = JSON text, its length strlen(BODY). */
    const char *content_type;
    size_t body_len;
    int retry_after;               /* > 0: a Retry-After header (429, 503) */
    char set_cookie[256];          /* "" = none; else a Set-Cookie header (console) */
    char set_cookie2[256];         /* "" = none; else a second one (the console's device cookie) */
    char disposition[128];         /* "" = none; else a Content-Disposition header (a download) */
    bool console;                  /* a console answer: CSP and the other browser headers */
} hub_resp_t;

/* Query-string parameter, or NULL. */
const char *hub_query(const hub_req_t *req, const char *key);
/* Request header, or NULL. */
const char *hub_header(const hub_req_t *req, const char *name);

/* Responses. hub_reply takes ownership of OBJ (deleted). */
int hub_reply(hub_resp_t *resp, int status, cJSON *obj);
/* {"error":{"code":CODE,"message":...}} with STATUS. Returns STATUS. */
int hub_error(hub_resp_t *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets an ETag from the body (kept if the handler set it already: it must
 * then be the one hub_etag gave the same body) and answers 304 when the
 * client has it. */
void hub_etag(const hub_req_t *req, hub_resp_t *resp);

/* Handler: fills RESP; the return value is ignored (resp->status counts).
 * A POST handler runs inside a transaction that is committed only when the
 * status is below 400 and rolled back otherwise (nothing half-written). */
typedef void (*hub_handler_t)(hub_req_t *req, hub_resp_t *resp);

enum {
    ROUTE_AUTH = 1 << 0,           /* device token required (else 401) */
    ROUTE_DEMO = 1 << 1,           /* exists only with demo on */
    ROUTE_STAFF = 1 << 2,          /* staff token required (else 401); req.device.id = the
                                    * staff member's name */
    ROUTE_RAW = 1 << 3,            /* POST body is not JSON: req.json stays NULL, the
                                    * handler reads req.body / req.body_len */
    /* Rate class (no class flag: content). A look-up is also audited. */
    ROUTE_LOOKUP = 1 << 4,         /* finds a resident's data: bills, bookings */
    ROUTE_PAY = 1 << 5,
    ROUTE_FLEET = 1 << 6,          /* heartbeats, commands, screenshots, staff views */
    ROUTE_DURABLE = 1 << 7,        /* money: hook and handler commit at synchronous=FULL */
    /* The staff console (a browser): no token and no Idempotency-Key; the
     * handler checks the session cookie and CSRF token itself (console_auth),
     * runs its own transactions, and is rate-limited per client address. */
    ROUTE_CONSOLE = 1 << 8,
    /* With ROUTE_CONSOLE: the console's own files (the page, its scripts and
     * style). Counted in a bucket of their own at the content rate: one
     * page load fetches some twenty of them, and several staff behind one
     * office address must not use up the API's budget by opening the page. */
    ROUTE_STATIC = 1 << 9,
};

typedef struct {
    const char *method;
    const char *pattern;           /* "/v1/payments/{out_trade_no}" */
    hub_handler_t handler;
    unsigned flags;
    /* Optional: runs before the handler and outside its transaction (a demo
     * provider's simulated latency must not hold the database's write lock). */
    void (*before)(hub_req_t *req);
    /* Largest request body in bytes (else 413 body_too_large); 0 = HUB_MAX_BODY. */
    size_t max_body;
} hub_route_t;

/* ROUTE's body cap (its max_body, or HUB_MAX_BODY). */
size_t hub_route_max_body(const hub_route_t *route);

/* All routes (routes.c), NULL-terminated by a zero entry. */
extern const hub_route_t hub_routes[];

/* Matches METHOD PATH against the table. Returns the route, filling PARAMS
 * (pointers into BUF, a copy of PATH) and *N; NULL if none. *PATH_KNOWN is
 * set when the path matched with another method (405 rather than 404). */
const hub_route_t *hub_route_match(const char *method, const char *path, char *buf,
                                   size_t buflen, const char **params, int *n,
                                   bool *path_known);

/* The hub's one clock (hub/clock.c), unix seconds: every route, the demo
 * seeding, expiry, idempotency retention, payment windows and heartbeat
 * staleness read it, never time(). Thread-safe. */
int64_t hub_now(void);
/* Moves the clock by SECONDS from now on (tests: expiry, windows). */
void hub_time_shift(int64_t seconds);
/* Anchors the clock: hub_now() is WALL now and advances with the monotonic
 * clock from here, whatever the machine's date (demo --now, tests). Clears
 * any shift. WALL <= 0 returns to the real clock. */
void hub_clock_anchor(int64_t wall);
/* Parses a --now value: unix seconds, or YYYY-MM-DD[THH:MM[:SS]] followed by
 * Z, +HH:MM or -HH:MM (no zone: China time, UTC+8). Returns 0 with *OUT set,
 * or -1 for anything else (an impossible date included). */
int hub_clock_parse(const char *s, int64_t *out);

const hub_config_t *hub_config(const hub_t *hub);
/* Takes a token of RATE_CLASS from the bucket named KEY (a client address,
 * a route); false with *RETRY_S when it is empty. */
bool hub_rate_take(hub_t *hub, const char *key, int rate_class, int *retry_s);

#endif

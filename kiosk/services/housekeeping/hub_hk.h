/* The housekeeping service's hub client (hub_hk.c), docs/api.md
 * "Housekeeping". A hub_hk_t has its own curl handle, with the rules of
 * net/hub_api.h (one thread per client, ABORT polled, every answer classified
 * into hub_status_t like the typed calls). Personal data (phone, ID number,
 * name) goes only into request bodies, never into paths or the log; what
 * comes back is masked by the hub, and masked again by the parsers when it
 * is not. */
#ifndef KIOSK_SERVICES_HOUSEKEEPING_HUB_HK_H
#define KIOSK_SERVICES_HOUSEKEEPING_HUB_HK_H

#include "net/hub_api.h"

#define HUB_HK_MAX_SERVICES 16
#define HUB_HK_MAX_PROVIDERS 6
#define HUB_HK_MAX_SLOTS 48
#define HUB_HK_MAX_BOOKINGS 50
/* Check-in codes: six digits 100000-999999; bookings made before them keep
 * 8 characters of HUB_HK_OLD_ALPHABET. HUB_HK_CODE_LEN is the longest. */
#define HUB_HK_CODE_DIGITS 6
#define HUB_HK_CODE_LEN 8
#define HUB_HK_OLD_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

typedef struct {
    long long id;
    char name[96];
    double rating;               /* 0-5 */
} hub_hk_provider_t;

typedef struct {
    char id[32];
    char name_zh[96], name_en[96];
    char includes_zh[512], includes_en[512];
    long long price_fen;
    int duration_min;
    int n_providers;
    hub_hk_provider_t providers[HUB_HK_MAX_PROVIDERS];
} hub_hk_service_t;

typedef struct {
    int n;
    hub_hk_service_t s[HUB_HK_MAX_SERVICES];
} hub_hk_services_t;

typedef struct {
    long long id;
    time_t start, end;
    long long provider_id;
    char provider[96];
    int capacity, left;
} hub_hk_slot_t;

typedef struct {
    int n;
    hub_hk_slot_t s[HUB_HK_MAX_SLOTS];
} hub_hk_slots_t;

typedef struct {
    char code[HUB_HK_CODE_LEN + 1];
    hub_hk_slot_t slot;
    char service_id[32];
    char service_zh[96], service_en[96];
    bool cancelled;              /* status "cancelled" (else "confirmed") */
    char name[96];               /* masked */
    char phone[24];              /* masked, "" for null */
    char id_number[24];          /* masked, "" for null */
    time_t created, cancelled_at;   /* cancelled_at 0 for null */
} hub_hk_booking_t;

typedef struct {
    int n;
    hub_hk_booking_t b[HUB_HK_MAX_BOOKINGS];
} hub_hk_bookings_t;

/* True if CODE is a check-in code as the hub gives them: six digits not
 * starting with 0, or the old 8 characters (upper case). */
bool hub_hk_code_valid(const char *code);
/* CODE as shown and printed: six digits in two groups ("482 913"), an old
 * code as it is. */
void hub_hk_code_show(const char *code, char *out, size_t len);

/* Pure parsers (fuzzed: tests/fuzz/fuzz_hk_parse.c), with the rules of the
 * parsers above: 0 with OUT filled, or -1 with ERR naming the field. */
int hub_hk_parse_services(const char *json, size_t len, hub_hk_services_t *out,
                          char *err, size_t errlen);
/* {"slots": [...]} of GET slots, or with KEY "alternatives" a 409
 * slot_full body's other slots. */
int hub_hk_parse_slots(const char *json, size_t len, const char *key, hub_hk_slots_t *out,
                       char *err, size_t errlen);
/* {"booking": {...}} */
int hub_hk_parse_booking(const char *json, size_t len, hub_hk_booking_t *out,
                         char *err, size_t errlen);
/* {"bookings": [...]} */
int hub_hk_parse_bookings(const char *json, size_t len, hub_hk_bookings_t *out,
                          char *err, size_t errlen);

typedef struct hub_hk hub_hk_t;

/* As hub_client_new. NULL on allocation failure. */
hub_hk_t *hub_hk_new(const char *base_url, const char *token, int timeout_ms,
                     const volatile int *abort);
void hub_hk_free(hub_hk_t *c);

/* GET /v1/housekeeping/services */
void hub_hk_services(hub_hk_t *c, hub_hk_services_t *out, hub_status_t *st);
/* GET /v1/housekeeping/slots?service=SERVICE&date=DATE (YYYY-MM-DD) */
void hub_hk_slots(hub_hk_t *c, const char *service, const char *date, hub_hk_slots_t *out,
                  hub_status_t *st);
/* In the calls below, ID_NUMBER is the card's proof: the number read from
 * the ID card, or a community resident code's payload (rescode.h), which
 * stands for the card and is sent as "rescode". */
/* POST /v1/housekeeping/bookings. PHONE or ID_NUMBER may be NULL (not
 * both). A 409 slot_full is HUB_REFUSED with ALT filled from its
 * "alternatives" (ALT->n = 0 otherwise; ALT may be NULL). */
/* The exact body hub_hk_book sends (cJSON_malloc'd: wipe, then cJSON_free),
 * for the outbox: the same body with the same key is the same booking. */
char *hub_hk_book_body(long long slot_id, const char *service_id, const char *name,
                       const char *phone, const char *id_number);
void hub_hk_book(hub_hk_t *c, const char *idem_key, long long slot_id, const char *service_id,
                 const char *name, const char *phone, const char *id_number,
                 hub_hk_booking_t *out, hub_hk_slots_t *alt, hub_status_t *st);
/* POST /v1/housekeeping/bookings/lookup: by the ID card just read
 * (ID_NUMBER), or by PHONE with CODE, the check-in code of one of its
 * bookings (the hub's proof that they are the caller's). */
void hub_hk_lookup(hub_hk_t *c, const char *idem_key, const char *phone, const char *code,
                   const char *id_number, hub_hk_bookings_t *out, hub_status_t *st);
/* POST /v1/housekeeping/bookings/{CODE}/cancel */
void hub_hk_cancel(hub_hk_t *c, const char *idem_key, const char *code, const char *phone,
                   const char *id_number, hub_hk_booking_t *out, hub_status_t *st);

#endif

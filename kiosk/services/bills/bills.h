/* Bills and payment on the kiosk: the session's state for the bills screens
 * (bills_*.c, pay_*.c) and the glue between them, the
 * look-up worker (services/bills/lookup.h) and the payment engine (services/bills/pay_engine.h).
 *
 * Everything here about the resident (accounts, masked names and addresses,
 * bills, the payment of this visit) is wiped with the session. A payment
 * goes on in the engine after the session ends and resolves in the
 * background; only the screens forget it. Payment codes are never kept: a
 * scanned code goes straight from the scanner's event to the engine. */
#ifndef KIOSK_APP_BILLS_H
#define KIOSK_APP_BILLS_H

#include <stdbool.h>
#include <stdint.h>
#include "services/bills/lookup.h"
#include "net/hub_api.h"
#include "services/bills/pay_engine.h"
#include "services/identify/identify.h"
#include "voice/tones.h"

struct app;
struct ident_event_s;

#define BILLS_UTILITIES 4
extern const char *const bills_utility_ids[BILLS_UTILITIES];  /* water, electricity, gas, heating */
/* The utility's name for residents (translated), "?" if unknown. */
const char *bills_utility_name(const char *utility);

typedef enum { BILLS_FIND_NONE, BILLS_FIND_ACCOUNT, BILLS_FIND_QR, BILLS_FIND_CARD,
               BILLS_FIND_RESCODE } bills_find_t;

/* One bill line of the receipt (masked account). */
typedef struct {
    char utility[12];
    char account[24];          /* masked */
    char period[8];
    long long fen;             /* amount + late fee */
    long long id;              /* the hub's bill id (marks exactly it paid) */
} bills_line_t;

typedef struct bills_state {
    /* finding */
    int utility;               /* account screen: index in bills_utility_ids, -1 none */
    char digits[24];           /* account number typed */
    int n_digits;
    bills_find_t how;          /* how the shown accounts were found */
    unsigned gen;              /* of the look-up the screens wait for */
    bool busy;                 /* a look-up is on its way */
    char msg[240];             /* why the last look-up found nothing, for the resident */

    /* found: masked by the hub (and again by the parser) */
    hub_accounts_t acc;
    bool sel[HUB_MAX_ACCOUNTS][HUB_MAX_BILLS];
    int shown;                 /* the account on screen: the only one paid from */
    int bill_page;             /* its page of unpaid bills (large text shows fewer a page) */

    /* the payment of this visit */
    bool paying;               /* a payment was started this session */
    pay_method_t method;
    char pay_no[HUB_TRADE_NO_MAX + 1];
    pay_event_t pay;           /* the engine's last word on it */
    bool pay_started;          /* pay_engine_begin was called (code: after the scan) */
    uint64_t deadline_mono;    /* countdown end on the UI clock, 0 = none */
    int n_lines;
    bills_line_t lines[HUB_MAX_ORDER_BILLS];
    long long total_fen;
    bool printed;              /* the receipt was sent to the printer */
    bool ask_leave;            /* "back"/"home" on a live payment: asking first */
    bool said_last_minute;     /* "one minute left" was said for this countdown */

    /* paying by payment code */
    int hub_ok;                /* health check: -1 asking, 0 unreachable, 1 reachable */
    char code_msg[240];        /* what was wrong with the code shown, for the resident */
} bills_t;

/* The words of the bills screens that depend on the session's data
 * (service_t.announce, services/bills/bills_speech.c). */
bool bills_announce(struct app *app, int screen, char *out, size_t len, tone_t *tone);

/* Wipes the state (session end); a payment in progress is handed to the
 * engine to finish on its own. */
void bills_session_end(struct app *app);

/* Look-ups (each bumps the generation; an older answer is dropped). */
void bills_find_account(struct app *app);            /* utility + digits */
void bills_find_qr(struct app *app, const char *payload);
void bills_find_id(struct app *app, const char *id_number);
/* The accounts of the resident whose community resident code PAYLOAD was
 * scanned; the hub checks the code. */
void bills_find_rescode(struct app *app, const char *payload);
void bills_lookup_result(struct app *app, lookup_result_t *r);   /* takes R */

/* A look-up's accounts on screen, every unpaid bill selected (up to what
 * one order can pay). */
void bills_show_accounts(struct app *app, const hub_accounts_t *acc);

/* Selection and sums over the unpaid bills of the account on screen
 * (b->shown): a payment pays only what the resident sees ticked, never the
 * bills of another account's tab. */
int bills_selected(const struct app *app, long long *ids, int max, long long *total_fen);
void bills_toggle(struct app *app, int account, int bill);

/* Starts paying the selected bills: PAY_QR creates the order at once;
 * PAY_CODE opens the scan-your-code screen first. */
void bills_pay(struct app *app, pay_method_t method);
/* The receipt's lines of the payment starting: the selected unpaid bills. */
void bills_keep_lines(struct app *app);
/* A payment code was scanned on the pay-code screen (takes EV). */
void bills_code_scanned(struct app *app, struct ident_event_s *ev);
/* The resident pressed cancel (or left the payment screen). */
void bills_pay_cancel(struct app *app);
void bills_pay_event(struct app *app, pay_event_t *ev);   /* takes EV */

/* What is still owed over every account found (after a payment: its
 * bills are marked paid); returns the number of unpaid bills. */
int bills_owed(const struct app *app, long long *fen);

/* Seconds left on the payment countdown (0 when none). */
int bills_seconds_left(const struct app *app);
/* A card or code read on the bills scan screen (bills_find.c); takes EV. */
void bills_scan_result(struct app *app, ident_event_t *ev);

/* Tour states "bills_account", "bills_scan", "bills_list" and "pay_*" on the
 * sample data of ASSETS_DIR/tour/bills.json (bills_tour.c; the returns of
 * service_t.tour). */
int bills_tour(struct app *app, const char *name);

#endif

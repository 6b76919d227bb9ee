/* kioskctl scan --device URI [--once] [--timeout S] [--reveal]
 *
 * Reads QR payloads from a camera (v4l2:), a keyboard-wedge scanner
 * (evdev:) or pictures (image:FILE-or-FOLDER) and prints one JSON line per
 * new payload (repeats within the scanner's dedupe window are not printed):
 *   {"payload":"...","class":"paper_bill|payment_code|resident_code|
 *    booking_code|url|other","encoding":"utf-8|gbk|latin-1","source":"...",
 *    then the class's fields: "bill":{"utility","account","period",
 *    "amount_fen","check"} | "payment":{"wallet","code"} |
 *    "resident":{"code","resident","issued","expires"} | "booking":{"code"} |
 *    "url":{"scheme","host"} | "reason" (other, when it nearly matched)}
 * Payment codes are money: payload and code are masked (first 4 and last 4
 * digits) unless --reveal; so is a resident code's MAC (a proof of who one
 * is: its first 4 hex digits are shown).
 *
 * --timeout S (1-86400, default 30): stop when S seconds pass without a new
 * payload. --once: stop after the first. An image: source stops after its
 * last picture. Exit 0 when something was printed; 1 with a JSON error when
 * nothing was ("no_code"); 2 for bad arguments; 3 when the device cannot be
 * opened or fails. Pictures that cannot be read and dropped wedge reads
 * are reported on standard error and skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "kioskctl.h"
#include "mask.h"
#include "scanner/scanner.h"

static int usage_error(const char *msg)
{
    return ctl_error(CTL_USAGE, "usage", "%s (usage: kioskctl scan --device URI [--once] "
                                         "[--timeout S] [--reveal])", msg);
}

static int unexpected(const char *arg)
{
    char msg[160];
    snprintf(msg, sizeof msg, "unexpected argument \"%.80s\"", arg);
    return usage_error(msg);
}

/* Seconds 1-86400, else -1. */
static int parse_seconds(const char *s)
{
    if (!s || !*s || strlen(s) > 5) return -1;
    int v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (*p - '0');
    }
    return v >= 1 && v <= 86400 ? v : -1;
}

static void print_result(const scanner_result_t *r, int reveal)
{
    const qr_info_t *in = &r->info;
    int money = in->cls == QR_CLASS_PAYMENT_CODE && !reveal;
    /* A resident code is a proof of who one is: its MAC is masked too. */
    int proof = in->cls == QR_CLASS_RESIDENT_CODE && !reveal;
    char masked[RESCODE_MAX + 1];
    if (money) mask_id(in->pay.code, masked, sizeof masked);
    if (proof) {
        rescode_t c = in->resident;
        memset(c.mac + 4, '*', sizeof c.mac - 5);
        if (rescode_signed(&c, masked, sizeof masked) > 0)
            snprintf(masked + strlen(masked), sizeof masked - strlen(masked), ":%s", c.mac);
    }

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "payload", money || proof ? masked : r->payload);
    cJSON_AddStringToObject(o, "class", qr_class_name(in->cls));
    cJSON_AddStringToObject(o, "encoding", text_encoding_name(r->text.encoding));
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON *f;
    switch (in->cls) {
    case QR_CLASS_PAPER_BILL:
        f = cJSON_AddObjectToObject(o, "bill");
        cJSON_AddStringToObject(f, "utility", in->bill.utility);
        cJSON_AddStringToObject(f, "account", in->bill.account);
        cJSON_AddStringToObject(f, "period", in->bill.period);
        cJSON_AddNumberToObject(f, "amount_fen", (double)in->bill.amount_fen);
        cJSON_AddStringToObject(f, "check", in->bill.check);
        break;
    case QR_CLASS_PAYMENT_CODE:
        f = cJSON_AddObjectToObject(o, "payment");
        cJSON_AddStringToObject(f, "wallet", qr_wallet_name(in->pay.wallet));
        cJSON_AddStringToObject(f, "code", money ? masked : in->pay.code);
        break;
    case QR_CLASS_RESIDENT_CODE:
        f = cJSON_AddObjectToObject(o, "resident");
        cJSON_AddStringToObject(f, "code", in->resident.code);
        cJSON_AddStringToObject(f, "resident", in->resident.resident);
        cJSON_AddNumberToObject(f, "issued", (double)in->resident.issued);
        cJSON_AddNumberToObject(f, "expires", (double)in->resident.expires);
        break;
    case QR_CLASS_BOOKING_CODE:
        f = cJSON_AddObjectToObject(o, "booking");
        cJSON_AddStringToObject(f, "code", in->booking.code);
        break;
    case QR_CLASS_URL:
        f = cJSON_AddObjectToObject(o, "url");
        cJSON_AddStringToObject(f, "scheme", in->url.scheme);
        cJSON_AddStringToObject(f, "host", in->url.host);
        break;
    case QR_CLASS_OTHER:
        if (in->reason[0]) cJSON_AddStringToObject(o, "reason", in->reason);
        break;
    }
    ctl_print(o);
}

int cmd_scan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'},
        {"timeout", required_argument, NULL, 't'},
        {"once", no_argument, NULL, 'o'},
        {"reveal", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *device = NULL, *timeout = NULL;
    int once = 0, reveal = 0, c;
    /* Long options and -h, in order ('+'); a missing value apart (':'). */
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == 'd') device = optarg;
        else if (c == 't') timeout = optarg;
        else if (c == 'o') once = 1;
        else if (c == 'r') reveal = 1;
        else if (c == 'h') {
            printf("usage: kioskctl scan --device URI [--once] [--timeout S] [--reveal]\n"
                   "  URI: v4l2:/dev/videoN, evdev:/dev/input/..., image:FILE-or-FOLDER\n");
            return CTL_OK;
        } else {
            return unexpected(argv[optind - 1]);
        }
    }
    if (optind < argc) return unexpected(argv[optind]);
    if (!device) return usage_error("--device is required");
    int seconds = 30;
    if (timeout && (seconds = parse_seconds(timeout)) < 0)
        return usage_error("--timeout must be 1 to 86400 seconds");
    uri_t u;
    char err[300];
    if (uri_parse(device, &u, err, sizeof err) != 0) return usage_error(err);
    if (u.kind != URI_V4L2 && u.kind != URI_EVDEV && u.kind != URI_IMAGE)
        return usage_error("--device must be a v4l2:, evdev: or image: URI");

    scanner_t *s = scanner_open(device, err, sizeof err);
    if (!s) return ctl_error(CTL_DEVICE, "device_unavailable", "%s", err);
    scanner_result_t *r = malloc(sizeof *r);
    if (!r) {
        scanner_close(s);
        return ctl_error(CTL_FAIL, "out_of_memory", "out of memory");
    }
    int printed = 0, status = CTL_OK;
    for (;;) {
        scanner_status_t st = scanner_next(s, seconds * 1000, r);
        if (st == SCANNER_OK) {
            print_result(r, reveal);
            printed++;
            if (once) break;
            continue;
        }
        if (st == SCANNER_DROPPED) {
            fprintf(stderr, "kioskctl: scan: %s\n", r->error);
            continue;
        }
        if (st == SCANNER_ERROR) {
            status = ctl_error(CTL_DEVICE, "device_failed", "%s", r->error);
            break;
        }
        /* SCANNER_TIMEOUT or SCANNER_END */
        if (printed) break;
        if (st == SCANNER_END)
            status = ctl_error(CTL_FAIL, "no_code", "no QR code in the pictures of %s", device);
        else
            status = ctl_error(CTL_FAIL, "no_code", "no QR code within %d s", seconds);
        break;
    }
    free(r);
    scanner_close(s);
    return status;
}

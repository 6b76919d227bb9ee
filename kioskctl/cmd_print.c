/* kioskctl print --device URI --receipt FILE.json
 * kioskctl printer status --device URI
 *
 * print: validates the receipt (drivers/printer/receipt.h describes the
 * JSON), checks the printer's status, sends the receipt and waits until the
 * printer reports ready again. Prints
 *   {"printed":true,"bytes":N,"state":"ready"|"paper_near_end"|"unknown"}
 * ("unknown" for file: devices, which cannot report status) and exits 0.
 * Errors, as {"error":{"code","message"}}: paper_out, cover_open, offline,
 * printer_error (exit 1: the printer answered and cannot print; paper_out
 * also when the paper ran out during the job), bad_receipt and usage
 * (exit 2), not_answering and device (exit 3: cannot open, no status
 * answer, connection lost).
 *
 * printer status: {"state":..., "paper":"ok"|"near_end"|"out"|"unknown",
 * "cover_open":bool|null, "offline":bool|null, "errors":[...],
 * "message":...}; null where the device cannot tell. errors lists
 * "cutter", "unrecoverable", "auto_recoverable" and "error" (an error the
 * printer did not classify). Exit 0 when the printer can print (ready,
 * paper near end, or unknown), 1 when not, 3 as above. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kioskctl.h"
#include "printer/printer.h"
#include "printer/receipt.h"

/* The error code and exit status for a printer that would not print. */
static int refusal(escpos_state_t st, const char *message)
{
    switch (st) {
    case ESCPOS_PAPER_OUT: return ctl_error(CTL_FAIL, "paper_out", "%s", message);
    case ESCPOS_COVER_OPEN: return ctl_error(CTL_FAIL, "cover_open", "%s", message);
    case ESCPOS_OFFLINE: return ctl_error(CTL_FAIL, "offline", "%s", message);
    case ESCPOS_ERROR: return ctl_error(CTL_FAIL, "printer_error", "%s", message);
    case ESCPOS_NOT_ANSWERING: return ctl_error(CTL_DEVICE, "not_answering", "%s", message);
    default: return ctl_error(CTL_DEVICE, "device", "%s", message);
    }
}

int cmd_print(int argc, char **argv)
{
    const char *device = ctl_opt(argc, argv, "--device"), *file = ctl_opt(argc, argv, "--receipt");
    if (!device || !file)
        return ctl_error(CTL_USAGE, "usage", "needs --device URI and --receipt FILE.json "
                                             "(usage: kioskctl print --device URI --receipt FILE.json)");
    char err[512];
    receipt_t r;
    if (receipt_load(file, &r, err, sizeof err) != 0) return ctl_error(CTL_USAGE, "bad_receipt", "%s", err);
    unsigned char *bytes;
    size_t len;
    int rc = receipt_encode(&r, &bytes, &len, err, sizeof err);
    receipt_free(&r);
    if (rc != 0) return ctl_error(CTL_USAGE, "bad_receipt", "%s: %s", file, err);

    printer_t p;
    if (printer_open(&p, device, err, sizeof err) != 0) {
        free(bytes);
        return ctl_error(CTL_DEVICE, "device", "%s", err);
    }
    printer_result_t res;
    rc = printer_print(&p, bytes, len, &res);
    printer_close(&p);
    free(bytes);
    if (rc != 0) return refusal(res.state, res.message);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "printed", 1);
    cJSON_AddNumberToObject(o, "bytes", (double)res.bytes);
    cJSON_AddStringToObject(o, "state", escpos_state_name(res.state));
    if (res.state == ESCPOS_PAPER_NEAR_END) cJSON_AddStringToObject(o, "message", res.message);
    ctl_print(o);
    return CTL_OK;
}

int cmd_printer(int argc, char **argv)
{
    const char *device = ctl_opt(argc, argv, "--device");
    if (argc < 2 || strcmp(argv[1], "status") || !device)
        return ctl_error(CTL_USAGE, "usage", "usage: kioskctl printer status --device URI");
    char err[512];
    printer_t p;
    if (printer_open(&p, device, err, sizeof err) != 0) return ctl_error(CTL_DEVICE, "device", "%s", err);
    printer_status_t st;
    int rc = printer_status(&p, &st);
    printer_close(&p);
    if (rc != 0) return refusal(st.state, st.message);

    const escpos_status_t *f = &st.flags;
    int known = st.state != ESCPOS_UNKNOWN;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", escpos_state_name(st.state));
    cJSON_AddStringToObject(o, "paper", !known ? "unknown"
                                        : f->paper_out || f->paper_end_stop ? "out"
                                        : f->paper_near_end ? "near_end" : "ok");
    if (known) {
        cJSON_AddBoolToObject(o, "cover_open", f->cover_open);
        cJSON_AddBoolToObject(o, "offline", f->offline);
    } else {
        cJSON_AddNullToObject(o, "cover_open");
        cJSON_AddNullToObject(o, "offline");
    }
    cJSON *errors = cJSON_AddArrayToObject(o, "errors");
    if (f->cutter_error) cJSON_AddItemToArray(errors, cJSON_CreateString("cutter"));
    if (f->unrecoverable) cJSON_AddItemToArray(errors, cJSON_CreateString("unrecoverable"));
    if (f->auto_recoverable) cJSON_AddItemToArray(errors, cJSON_CreateString("auto_recoverable"));
    if (f->error && cJSON_GetArraySize(errors) == 0) cJSON_AddItemToArray(errors, cJSON_CreateString("error"));
    cJSON_AddStringToObject(o, "message", st.message);
    ctl_print(o);
    return escpos_state_prints(st.state) || st.state == ESCPOS_UNKNOWN ? CTL_OK : CTL_FAIL;
}

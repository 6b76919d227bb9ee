/* kioskctl idcard read --device URI [--timeout S] [--reveal]
 *
 * Reads the card on the ID-card reader at URI and prints one JSON object:
 *   {"name","sex","nation","birth","address","id_number","authority",
 *    "valid_from","valid_to","id_valid"}
 * with the name, address and ID number masked (common/mask.h) unless
 * --reveal is given. --timeout bounds the whole read (seconds, default 5).
 *
 * Exit: 0 card read; 1 no card, card moved, an error status from the reader,
 * or a card whose ID check digit is wrong (printed with "id_valid":false:
 * its data is not to be trusted); 2 usage; 3 the reader cannot be opened,
 * does not answer (timeout) or the stream fails. Errors are
 * {"error":{"code","message"}} with code usage, device_unavailable, no_card,
 * card_moved, device, timeout or io.
 *
 * The card's data is wiped from memory (the card, the masked copies, the
 * JSON tree and its text) before the command returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "idcard/idcard.h"
#include "kioskctl.h"
#include "mask.h"

static int usage(const char *why)
{
    return ctl_error(CTL_USAGE, "usage", "%s (usage: kioskctl idcard read --device URI "
                     "[--timeout S] [--reveal])", why);
}

/* Overwrites every string in the tree O before it is freed. */
static void wipe_json(cJSON *o)
{
    for (cJSON *c = o ? o->child : NULL; c; c = c->next) {
        if (cJSON_IsString(c) && c->valuestring) explicit_bzero(c->valuestring, strlen(c->valuestring));
        wipe_json(c);
    }
}

/* Prints CARD as one JSON line, masked unless REVEAL. Returns 0, or -1 when
 * the object cannot be built. */
static int print_card(const idcard_card_t *card, int reveal)
{
    char name[sizeof card->name], id[sizeof card->id_number], addr[sizeof card->address + 8];
    char text[2048];
    int rc = -1;
    if (reveal) {
        snprintf(name, sizeof name, "%s", card->name);
        snprintf(id, sizeof id, "%s", card->id_number);
        snprintf(addr, sizeof addr, "%s", card->address);
    } else {
        mask_name(card->name, name, sizeof name);
        mask_id(card->id_number, id, sizeof id);
        mask_address(card->address, addr, sizeof addr);
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "name", name) ||
        !cJSON_AddStringToObject(o, "sex", card->sex) ||
        !cJSON_AddStringToObject(o, "nation", card->nation) ||
        !cJSON_AddStringToObject(o, "birth", card->birth) ||
        !cJSON_AddStringToObject(o, "address", addr) ||
        !cJSON_AddStringToObject(o, "id_number", id) ||
        !cJSON_AddStringToObject(o, "authority", card->authority) ||
        !cJSON_AddStringToObject(o, "valid_from", card->valid_from) ||
        !cJSON_AddStringToObject(o, "valid_to", card->valid_to) ||
        !cJSON_AddBoolToObject(o, "id_valid", card->id_valid))
        goto done;
    /* Printed into our own buffer so its copy of the card can be wiped. */
    if (!cJSON_PrintPreallocated(o, text, sizeof text, 0)) goto done;
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    rc = 0;
done:
    wipe_json(o);
    cJSON_Delete(o);
    explicit_bzero(text, sizeof text);
    explicit_bzero(name, sizeof name);
    explicit_bzero(id, sizeof id);
    explicit_bzero(addr, sizeof addr);
    return rc;
}

int cmd_idcard(int argc, char **argv)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'},
        {"timeout", required_argument, NULL, 't'},
        {"reveal", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *uri = NULL, *tmo = NULL;
    int reveal = 0, c;
    if (argc < 2 || strcmp(argv[1], "read") != 0) return usage("unknown or missing subcommand");
    /* After "read": long options only, in order ('+'), a missing value apart (':'). */
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "+:", opts, NULL)) != -1) {
        if (c == 'd') uri = optarg;
        else if (c == 't') tmo = optarg;
        else if (c == 'r') reveal = 1;
        else return usage(c == ':' ? "missing value" : "unknown option");
    }
    if (optind < argc - 1) return usage("unknown option");
    if (!uri) return usage("--device is required");
    double seconds = 0;
    if (tmo) {
        char *end;
        seconds = strtod(tmo, &end);
        if (end == tmo || *end || !(seconds > 0 && seconds <= 600))
            return usage("--timeout must be more than 0 and at most 600 seconds");
    }

    idcard_t d;
    idcard_card_t card;
    char err[512], msg[256];
    if (idcard_open(&d, uri, err, sizeof err) != 0)
        return ctl_error(CTL_DEVICE, "device_unavailable", "%s", err);
    if (tmo) d.total_timeout_ms = (int)(seconds * 1000 + 0.5) > 0 ? (int)(seconds * 1000 + 0.5) : 1;
    idcard_result_t r = idcard_read(&d, &card, msg, sizeof msg);
    idcard_close(&d);

    int status;
    switch (r) {
    case IDCARD_OK:
    case IDCARD_BAD_CARD:
        status = r == IDCARD_OK ? CTL_OK : CTL_FAIL;
        if (print_card(&card, reveal) != 0) status = ctl_error(CTL_FAIL, "out_of_memory", "out of memory");
        break;
    case IDCARD_NO_CARD:
    case IDCARD_CARD_MOVED:
    case IDCARD_DEVICE_ERROR:
        status = ctl_error(CTL_FAIL, idcard_result_code(r), "%s", msg);
        break;
    default:
        status = ctl_error(CTL_DEVICE, idcard_result_code(r), "%s", msg);
        break;
    }
    idcard_card_wipe(&card);
    return status;
}

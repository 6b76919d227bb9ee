/* kioskctl jack [--device SPEC] [--watch] [--timeout S]
 *
 * The headphone jack as the kiosk sees it (drivers/jack/jack.h), for an
 * installer checking that [voice] output = auto will work: SPEC is what
 * [voice] jack takes (auto, alsa:CARD, evdev:PATH; default auto). Prints
 *   {"device":"alsa:hw:0 (Headphone Jack)","state":"in|out|unknown"}
 * and, with --watch, one such line per change until S seconds pass
 * without one (1-86400, default 30). Exit 0; 2 for bad arguments; 3 with a
 * JSON error ("no_jack") when no jack can be opened or it fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jack/jack.h"
#include "kioskctl.h"

static int usage_error(const char *msg)
{
    return ctl_error(CTL_USAGE, "usage", "%s (usage: kioskctl jack [--device SPEC] [--watch] [--timeout S])",
                     msg);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void print_state(const jack_t *j)
{
    jack_state_t s = jack_state(j);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "device", jack_name(j));
    cJSON_AddStringToObject(o, "state", s == JACK_IN ? "in" : s == JACK_OUT ? "out" : "unknown");
    ctl_print(o);
}

int cmd_jack(int argc, char **argv)
{
    const char *spec = "auto";
    int watch = 0, timeout_s = 30;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--watch")) {
            watch = 1;
        } else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
            spec = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || v < 1 || v > 86400)
                return usage_error("--timeout wants 1 to 86400 seconds");
            timeout_s = (int)v;
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "unexpected argument \"%.80s\"", argv[i]);
            return usage_error(msg);
        }
    }
    char err[320];
    jack_t *j = jack_open(spec, err, sizeof err);
    if (!j)
        return ctl_error(CTL_DEVICE, "no_jack", "%s", err);
    print_state(j);
    int rc = 0;
    /* A wait also ends on records that change nothing: the quiet time is
     * counted from the last change, not from the last wake. */
    double until = now_ms() + timeout_s * 1000.0;
    while (watch && rc >= 0 && now_ms() < until) {
        rc = jack_wait(j, -1, (int)(until - now_ms()) + 1, err, sizeof err);
        if (rc == 1) {
            print_state(j);
            until = now_ms() + timeout_s * 1000.0;
        }
    }
    jack_close(j);
    return rc < 0 ? ctl_error(CTL_DEVICE, "no_jack", "%s", err) : CTL_OK;
}

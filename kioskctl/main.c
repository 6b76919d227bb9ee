/* build/kioskctl: diagnostics and staff CLI for a kiosk's devices.
 *
 *   kioskctl idcard read --device URI [--timeout S] [--reveal]
 *   kioskctl scan --device URI [--once] [--timeout S] [--reveal]
 *   kioskctl print --device URI --receipt FILE.json
 *   kioskctl printer status --device URI
 *   kioskctl queue list|show ID [--reveal]|retry ID|drop ID [--config FILE]
 *   kioskctl jack [--device SPEC] [--watch] [--timeout S] (cmd_jack.c)
 *   kioskctl fleet status|command|update|screenshot --hub URL --token-file FILE (cmd_fleet.c)
 *   (the staff token: --token-file FILE, or $KIOSK_STAFF_TOKEN; --token T works
 *   but warns: the process list shows it to every user)
 *   kioskctl content keygen|build|sign|publish (cmd_content.c)
 *
 * Exit: 0 ok, 1 device error / nothing read, 2 usage, 3 device unavailable. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdbool.h>
#include "kioskctl.h"

void ctl_print(cJSON *obj)
{
    char *s = cJSON_PrintUnformatted(obj);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        free(s);
    }
    cJSON_Delete(obj);
}

int ctl_error(int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", msg);
    ctl_print(o);
    return status;
}

const char *ctl_opt(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}

int ctl_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

int ctl_staff_token(int argc, char **argv, char *buf, size_t len)
{
    buf[0] = '\0';
    const char *file = ctl_opt(argc, argv, "--token-file");
    if (file) {
        struct stat sb;
        FILE *fp = fopen(file, "r");
        if (!fp || fstat(fileno(fp), &sb) != 0) {
            if (fp) fclose(fp);
            ctl_error(CTL_USAGE, "token_file", "%s: cannot read the token file", file);
            return -2;
        }
        if (sb.st_mode & 077) {
            fclose(fp);
            ctl_error(CTL_USAGE, "token_file", "%s: readable by others; chmod 600 it", file);
            return -2;
        }
        bool got = fgets(buf, (int)len, fp) != NULL;
        fclose(fp);
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!got || !buf[0]) {
            ctl_error(CTL_USAGE, "token_file", "%s: empty", file);
            return -2;
        }
        return 0;
    }
    const char *env = getenv("KIOSK_STAFF_TOKEN"), *arg = ctl_opt(argc, argv, "--token");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return 0;
    }
    if (!arg) return -1;
    fprintf(stderr, "kioskctl: warning: --token is visible to every user of this machine; "
                    "use --token-file FILE or KIOSK_STAFF_TOKEN\n");
    snprintf(buf, len, "%s", arg);
    return 0;
}

static void usage(FILE *fp)
{
    fprintf(fp, "usage: kioskctl idcard read --device URI [--timeout S] [--reveal]\n"
                "       kioskctl scan --device URI [--once] [--timeout S] [--reveal]\n"
                "       kioskctl print --device URI --receipt FILE.json\n"
                "       kioskctl printer status --device URI\n"
                "       kioskctl queue list|show ID [--reveal]|retry ID|drop ID [--config FILE]\n"
                "       kioskctl jack [--device auto|alsa:CARD|evdev:PATH] [--watch] [--timeout S]\n"
                "       kioskctl fleet status --hub URL --token-file F [--table]\n"
                "       kioskctl fleet command --hub URL --token-file F KIOSK KIND [ARGS_JSON]\n"
                "       kioskctl fleet update --hub URL --token-file F (KIOSK|--group G) --version V\n"
                "       kioskctl fleet screenshot --hub URL --token-file F ID --out FILE.png\n"
                "       kioskctl content keygen --key FILE | build DIR [--out OUT] | sign OUT --key FILE\n"
                "       kioskctl content publish OUT --hub URL --token-file F\n"
                "       (staff token: --token-file F (mode 600) or KIOSK_STAFF_TOKEN; --token T is\n"
                "        visible to other users and warns)\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Options before the command ('+' stops at it): only --help / -h. */
    opterr = 0;
    int c = getopt_long(argc, argv, "+h", opts, NULL);
    if (c == 'h') {
        usage(stdout);
        return CTL_OK;
    }
    if (argc < 2) {
        usage(stderr);
        return CTL_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "idcard")) return cmd_idcard(argc - 1, argv + 1);
    if (!strcmp(cmd, "scan")) return cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "print")) return cmd_print(argc - 1, argv + 1);
    if (!strcmp(cmd, "printer")) return cmd_printer(argc - 1, argv + 1);
    if (!strcmp(cmd, "queue")) return cmd_queue(argc - 1, argv + 1);
    if (!strcmp(cmd, "fleet")) return cmd_fleet(argc - 1, argv + 1);
    if (!strcmp(cmd, "content")) return cmd_content(argc - 1, argv + 1);
    if (!strcmp(cmd, "jack")) return cmd_jack(argc - 1, argv + 1);
    fprintf(stderr, "kioskctl: unknown command %s\n", cmd);
    usage(stderr);
    return CTL_USAGE;
}

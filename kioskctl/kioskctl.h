/* kioskctl: diagnostics and staff command line. Output is a contract other
 * tools rely on: one JSON object (or one JSON line per event) on standard
 * output, errors as {"error": {"code", "message"}} with a non-zero exit. */
#ifndef KIOSKCTL_H
#define KIOSKCTL_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Exit statuses shared by every command. */
enum {
    CTL_OK = 0,
    CTL_FAIL = 1,        /* the device answered with an error, or no card / no code */
    CTL_USAGE = 2,       /* bad arguments */
    CTL_DEVICE = 3,      /* the device could not be opened or did not answer */
};

/* Prints OBJ as one line on standard output and deletes it. */
void ctl_print(cJSON *obj);
/* Prints {"error":{"code":CODE,"message":...}} and returns STATUS. */
int ctl_error(int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Value of "--NAME VALUE" in ARGV, or NULL; "--NAME" alone sets *FLAG. */
const char *ctl_opt(int argc, char **argv, const char *name);
int ctl_flag(int argc, char **argv, const char *name);
/* The staff token, never needed on the command line (where every user of
 * the machine can read it in the process list): "--token-file FILE" (its
 * first line; the file must not be readable by group or others), else
 * $KIOSK_STAFF_TOKEN, else "--token T" with a warning on stderr. Copies it
 * to BUF and returns 0; -1 when there is none (BUF ""), -2 after printing
 * an error for a token file that cannot be used. */
int ctl_staff_token(int argc, char **argv, char *buf, size_t len);

/* Commands (one file each). ARGV[0] is the command name. */
int cmd_idcard(int argc, char **argv);    /* kioskctl idcard read --device URI [--timeout S] [--reveal] */
int cmd_scan(int argc, char **argv);      /* kioskctl scan --device URI [--once] [--timeout S] */
int cmd_print(int argc, char **argv);     /* kioskctl print --device URI --receipt FILE.json */
int cmd_printer(int argc, char **argv);   /* kioskctl printer status --device URI */
int cmd_queue(int argc, char **argv);     /* kioskctl queue list|show|retry|drop [--config FILE] */
int cmd_fleet(int argc, char **argv);     /* kioskctl fleet status|command|screenshot --hub URL --token T */
int cmd_jack(int argc, char **argv);     /* kioskctl jack [--device SPEC] [--watch] [--timeout S] */
int cmd_content(int argc, char **argv);   /* kioskctl content keygen|build|sign|publish (cmd_content.c) */

#endif

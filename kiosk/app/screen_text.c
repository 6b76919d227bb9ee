/* [debug] screen_text: the words of the frame on screen, in a file (see
 * screen_text.h). */
#include "app/screen_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/screens.h"
#include "core/log.h"

#define TEXT_MAX (64 * 1024)           /* a frame's words; more are cut off */
#define DIGITS_SECRET 7                /* a run this long may be a phone or ID number */

static char last[TEXT_MAX];            /* the text last written (UI thread only) */
static int failed;                     /* a write failed: logged once */

/* Length of the run of digits (spaces between them allowed, not at its end)
 * starting at S, and in *DIGITS how many digits it holds. */
static size_t digit_run(const char *s, int *digits)
{
    size_t end = 0;
    *digits = 0;
    for (size_t i = 0; s[i] >= '0' ? s[i] <= '9' : s[i] == ' '; i++) {
        if (s[i] == ' ') continue;
        (*digits)++;
        end = i + 1;
    }
    return end;
}

void screen_text_mask(const char *text, char *out, size_t outlen)
{
    size_t o = 0;
    if (!outlen) return;
    for (size_t i = 0; text[i] && o + 1 < outlen;) {
        int digits = 0;
        size_t run = text[i] >= '0' && text[i] <= '9' ? digit_run(text + i, &digits) : 0;
        if (digits >= DIGITS_SECRET) {
            for (int k = 0; k < DIGITS_SECRET && o + 1 < outlen; k++) out[o++] = '*';
            i += run;
        } else if (run) {
            for (size_t k = 0; k < run && o + 1 < outlen; k++) out[o++] = text[i + k];
            i += run;
        } else {
            out[o++] = text[i] == '\n' ? ' ' : text[i];   /* one widget, one line */
            i++;
        }
    }
    out[o] = '\0';
}

static int write_file(const char *path, const char *text)
{
    char tmp[CONFIG_STR + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc != 0) remove(tmp);
    return rc;
}

void screen_text_update(struct app *app)
{
    const char *path = app->cfg.debug_screen_text;
    if (!path[0]) return;
    char *text = malloc(TEXT_MAX), line[2048];
    if (!text) return;
    size_t n = (size_t)snprintf(text, TEXT_MAX, "screen %s\n", app_screen_name(app->screen));
    const ui_frame_t *f = app->frame;
    for (int i = 0; i < f->n && n < TEXT_MAX - 1; i++) {
        const ui_widget_t *w = &f->w[i];
        if ((w->kind != UI_TEXT && w->kind != UI_BUTTON) || !w->text || !w->text[0]) continue;
        screen_text_mask(w->text, line, sizeof line);
        int k = snprintf(text + n, TEXT_MAX - n, "%s\t%d %d %d %d\t%s\n", w->id, w->r.x, w->r.y, w->r.w, w->r.h,
                         line);
        if (k < 0) break;
        n += (size_t)k < TEXT_MAX - n ? (size_t)k : TEXT_MAX - 1 - n;
    }
    if (strcmp(text, last) != 0) {
        if (write_file(path, text) == 0) {
            memcpy(last, text, n + 1);
            failed = 0;
        } else if (!failed) {
            failed = 1;
            log_warn("app", "[debug] screen_text: cannot write %s", path);
        }
    }
    free(text);
}

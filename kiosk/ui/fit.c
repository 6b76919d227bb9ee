#include "ui/fit.h"

#include <stdio.h>
#include <string.h>
#include "ui/text.h"
#include "ui/theme.h"
#include "utf8.h"

static const char *const keys[FIT_KIND_COUNT] = {
    "overflow", "outside", "nosize", "under", "short", "cut", "wrap", "wide", "contrast", "target",
};

const char *fit_kind_key(fit_kind_t kind)
{
    return (unsigned)kind < FIT_KIND_COUNT ? keys[kind] : "unknown";
}

int fit_modal_index(const ui_frame_t *f)
{
    for (int i = f->n - 1; i >= 0; i--)
        if (f->w[i].flags & UI_F_MODAL) return i;
    return -1;
}

/* Chrome and passing messages own the bars; every other widget of a
 * screen with chrome must stay between them. */
static bool is_chrome(const char *id)
{
    return !strncmp(id, "hdr", 3) || !strncmp(id, "nav", 3) || !strncmp(id, "toast", 5);
}

static void report(fit_fn fn, void *ctx, int *count, fit_problem_t p)
{
    (*count)++;
    if (fn) fn(ctx, &p);
}

int fit_check(const ui_frame_t *f, bool chrome, fit_fn fn, void *ctx, int *texts)
{
    const theme_t *th = f->th;
    int count = 0, from = fit_modal_index(f), measured = 0;
    int top = th->header_h, bottom = f->height - th->nav_h, right = f->width - th->nav_w;
    double need = th->id == THEME_CONTRAST ? 7.0 : 4.5;
    if (f->overflow) report(fn, ctx, &count, (fit_problem_t){.kind = FIT_OVERFLOW});
    for (int i = 0; i < f->n; i++) {
        const ui_widget_t *w = &f->w[i];
        if (w->r.x < 0 || w->r.y < 0 || w->r.x + w->r.w > f->width || w->r.y + w->r.h > f->height)
            report(fn, ctx, &count, (fit_problem_t){.kind = FIT_OUTSIDE, .w = w});
        bool has_text = (w->kind == UI_TEXT || w->kind == UI_BUTTON) && w->text && *w->text;
        if ((has_text || (w->flags & UI_F_CLICK)) && (w->r.w <= 0 || w->r.h <= 0)) {
            report(fn, ctx, &count, (fit_problem_t){.kind = FIT_NOSIZE, .w = w});
            continue;
        }
        /* A dialog above everything may cover the bars; a screen's own
         * widgets may not slide under them (a tap there leaves the screen). */
        if (chrome && (from < 0 || i < from) && !is_chrome(w->id) && w->r.w > 0 &&
            (w->r.y < top || w->r.y + w->r.h > bottom || w->r.x + w->r.w > right))
            report(fn, ctx, &count, (fit_problem_t){.kind = FIT_UNDER, .w = w, .need = top, .have = bottom});
        if (has_text) {
            measured++;
            int lh = ui_text_line_height(f->text, w->px);
            if (!(w->flags & UI_F_WRAP) && w->r.h < lh)     /* the bottom of the strokes clipped ("Todav") */
                report(fn, ctx, &count, (fit_problem_t){.kind = FIT_SHORT, .w = w, .need = lh, .have = w->r.h});
            if (w->flags & UI_F_ELLIPSIS) {
                /* Cut text loses what the resident came for (an amount, a
                 * date, an instruction): never, at any size. */
                report(fn, ctx, &count, (fit_problem_t){.kind = FIT_CUT, .w = w});
            } else if (w->flags & UI_F_WRAP) {
                int h = ui_wrapped_height((ui_frame_t *)f, w->px, w->text, w->r.w);
                if (h > w->r.h + lh / 4)
                    report(fn, ctx, &count, (fit_problem_t){.kind = FIT_WRAP, .w = w, .need = h, .have = w->r.h});
            } else {
                int tw = ui_text_width(f->text, w->px, w->text, -1);
                if (tw > w->r.w)
                    report(fn, ctx, &count, (fit_problem_t){.kind = FIT_WIDE, .w = w, .need = tw, .have = w->r.w});
            }
            if (i > from) {
                double c = theme_contrast(w->fg, w->bg);
                if (c < need)
                    report(fn, ctx, &count, (fit_problem_t){.kind = FIT_CONTRAST, .w = w, .ratio = c, .min = need});
            }
        }
        if ((w->flags & UI_F_CLICK) && i > from) {
            int min = th->id == THEME_ELDER ? (int)(96 * th->scale) : (int)(72 * th->scale);
            if (w->r.w < min || w->r.h < min)
                report(fn, ctx, &count, (fit_problem_t){.kind = FIT_TARGET, .w = w, .need = min,
                                                        .have = w->r.w < w->r.h ? w->r.w : w->r.h});
        }
    }
    if (texts) *texts = measured;
    return count;
}

void fit_describe(const fit_problem_t *p, char *out, size_t len)
{
    const ui_widget_t *w = p->w;
    char text[96] = "";
    if (w && w->text) {
        size_t n = strlen(w->text);
        if (n > 80) n = utf8_floor(w->text, 80);
        snprintf(text, sizeof text, "%.*s%s", (int)n, w->text, w->text[n] ? "..." : "");
    }
    const char *id = w ? w->id : "";
    switch (p->kind) {
    case FIT_OVERFLOW:
        snprintf(out, len, "frame overflow (too many widgets or too much text)");
        break;
    case FIT_OUTSIDE:
        snprintf(out, len, "%s lies outside the screen (%d,%d %dx%d)", id, w->r.x, w->r.y, w->r.w, w->r.h);
        break;
    case FIT_NOSIZE:
        snprintf(out, len, "%s has no size (%dx%d): \"%s\"", id, w->r.w, w->r.h, text);
        break;
    case FIT_UNDER:
        snprintf(out, len, "%s (%d..%d) is under the header or navigation bar (%d..%d)", id, w->r.y,
                 w->r.y + w->r.h, p->need, p->have);
        break;
    case FIT_SHORT:
        snprintf(out, len, "%s: box %d px high for a %d px line: \"%s\"", id, p->have, p->need, text);
        break;
    case FIT_CUT:
        snprintf(out, len, "%s: cut with an ellipsis: \"%s\"", id, text);
        break;
    case FIT_WRAP:
        snprintf(out, len, "%s: wrapped text needs %d px, box has %d: \"%s\"", id, p->need, p->have, text);
        break;
    case FIT_WIDE:
        snprintf(out, len, "%s: text %d px wide in a %d px box: \"%s\"", id, p->need, p->have, text);
        break;
    case FIT_CONTRAST:
        snprintf(out, len, "%s: contrast %.2f < %.1f: \"%s\"", id, p->ratio, p->min, text);
        break;
    case FIT_TARGET:
        snprintf(out, len, "%s: touch target %dx%d < %d", id, w->r.w, w->r.h, p->need);
        break;
    default:
        snprintf(out, len, "%s: unknown problem", id);
    }
}

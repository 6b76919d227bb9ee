/* One-stop service guides (一站式服务): the errands, then one errand step by
 * step: what to do, what to bring, where to go, opening hours, whom to ask,
 * the fee; "take it with you" as a QR code of the same text. */
#include <stdio.h>
#include <string.h>
#include "services/info/info.h"
#include "core/i18n.h"
#include "app/screens.h"
#include "utf8.h"

static void list_enter(app_t *app)
{
    if (app->info) info_show_guides(app);
}

static void list_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_title(f, "guides.title", &in, _("Which errand can we help you with?"), th->bg);
    if (!s || !s->n_guides) {
        screen_card(f, "guides", in);
        const char *msg = s && s->busy ? _("Loading...") : s && s->msg[0] ? s->msg
                        : _("Nothing to show right now.");
        ui_label_fit(f, "guides.msg", ui_inset(in, th->pad * 2), msg, th->px_large, th->px_body,
                     th->text, th->surface, UI_ALIGN_LEFT, true);
        return;
    }
    bool portrait = f->height > f->width;
    int cols = portrait ? 1 : 2;
    int row_h = th->target * 3 / 2;
    int rows = (in.h + th->gap) / (row_h + th->gap);
    if (rows < 1) rows = 1;
    int per_page = rows * cols;
    SDL_Rect pager = {0};
    if (s->n_guides > per_page) {
        pager = ui_cut_bottom(&in, th->target);
        in.h -= th->gap;
        rows = (in.h + th->gap) / (row_h + th->gap);
        if (rows < 1) rows = 1;
        per_page = rows * cols;
    }
    if (s->guide_first >= s->n_guides) s->guide_first = 0;
    for (int k = 0; k < per_page && s->guide_first + k < s->n_guides; k++) {
        int i = s->guide_first + k;
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "guides.item.%d", i);
        SDL_Rect cell = ui_grid_cell((SDL_Rect){in.x, in.y, in.w, rows * (row_h + th->gap) - th->gap},
                                     cols, rows, th->gap, k);
        ui_widget_t *w = ui_button(f, id, cell, s->guides[i].title, UI_BTN_SECONDARY, true);
        while (w->px > th->px_small && ui_text_width(f->text, w->px, w->text, -1) > w->r.w - th->pad * 2)
            w->px -= 2;
    }
    if (pager.w) {
        SDL_Rect b1 = {pager.x, pager.y, pager.w / 4, pager.h};
        SDL_Rect b3 = {pager.x + pager.w - pager.w / 4, pager.y, pager.w / 4, pager.h};
        ui_button(f, "guides.prev", b1, _("Previous"), UI_BTN_SECONDARY, s->guide_first > 0);
        ui_button(f, "guides.next", b3, _("Next"), UI_BTN_SECONDARY, s->guide_first + per_page < s->n_guides);
    }
    s->page_rows = per_page;
}

static bool list_action(app_t *app, const char *id)
{
    struct info_state *s = app->info;
    int i;
    if (!s) return false;
    if (sscanf(id, "guides.item.%d", &i) == 1 && i >= 0 && i < s->n_guides) {
        info_open_guide(app, i);
        app_go(app, SCR_GUIDE_DETAIL);
        return true;
    }
    if (!strcmp(id, "guides.prev")) {
        s->guide_first = s->guide_first > s->page_rows ? s->guide_first - s->page_rows : 0;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "guides.next")) {
        if (s->guide_first + s->page_rows < s->n_guides) s->guide_first += s->page_rows;
        app->dirty = true;
        return true;
    }
    return false;
}

const screen_t screen_guide = {"guide", true, false, list_enter, list_build, list_action, NULL};

/* The guide as text: (the title,) the steps (or its text when it has none),
 * what to bring, where, hours, phone, fee. */
static void guide_text(const info_item_t *it, const guide_data_t *g, bool title, char *out, size_t len)
{
    size_t n = 0;
#define ADD(...) do { if (n < len) n += (size_t)snprintf(out + n, len - n, __VA_ARGS__); } while (0)
    if (title) ADD("%s\n", it->title);
    for (int i = 0; i < g->n_steps; i++) ADD("%d. %s\n", i + 1, g->steps[i]);
    if (!g->n_steps) ADD("%s\n", it->body);
    if (g->n_bring) {
        ADD("%s", _("Bring: "));
        for (int i = 0; i < g->n_bring; i++) ADD("%s%s", i ? "; " : "", g->bring[i]);
        ADD("\n");
    }
    if (g->where[0]) ADD("%s%s\n", _("Where: "), g->where);
    if (g->hours[0]) ADD("%s%s\n", _("Hours: "), g->hours);
    if (g->phone[0]) ADD("%s%s\n", _("Phone: "), g->phone);
    if (g->fee[0]) ADD("%s%s", _("Fee: "), g->fee);
#undef ADD
    if (n >= len) n = len - 1;
    n = utf8_floor(out, n);
    out[n] = '\0';
}

#define GUIDE_MAX_LINES 32

/* BODY's lines (its facts: a step, what to bring, where...) cut into pages
 * of whole lines, each as high as fits in R at PX; a line taller than R is
 * a page of its own. STARTS gets each page's first line. Returns pages. */
static int guide_pages(ui_frame_t *f, SDL_Rect r, int px, char *const *lines, int n, int *starts)
{
    int pages = 0;
    for (int i = 0; i < n;) {
        starts[pages++] = i;
        char page[2400] = "";
        size_t len = 0;
        int j = i;
        for (; j < n; j++) {
            size_t was = len;
            len += (size_t)snprintf(page + len, sizeof page - len, "%s%s", j > i ? "\n" : "", lines[j]);
            if (len >= sizeof page || (j > i && ui_wrapped_height(f, px, page, r.w) > r.h)) {
                page[was] = '\0';
                break;
            }
        }
        i = j > i ? j : i + 1;
    }
    return pages > 0 ? pages : 1;
}

static void detail_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    if (!s) return;
    SDL_Rect text, qr_card;
    screen_split_takeaway(f, ui_inset(content, th->gap), &text, &qr_card);
    screen_card(f, "guide", text);
    SDL_Rect t = ui_inset(text, th->pad * 2);
    screen_title(f, "guide.title", &t, s->cur.title, th->surface);
    char body[2400];
    guide_text(&s->cur, &s->cur_guide, false, body, sizeof body);
    /* Large text keeps its size: a guide that does not fit at body size is
     * paged by whole lines (上一页/下一页) rather than made small or cut;
     * the other themes page only when even the small size would cut it. */
    int px_min = th->id == THEME_ELDER ? th->px_body : th->px_small;
    s->guide_pages = 1;
    if (ui_wrapped_height(f, px_min, body, t.w) <= t.h) {
        s->guide_page = 0;
        ui_label_fit(f, "guide.body", t, body, th->px_large, px_min, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
    } else {
        SDL_Rect pager = ui_cut_bottom(&t, th->target);
        t.h -= th->pad;
        char *lines[GUIDE_MAX_LINES];
        int n = 0, starts[GUIDE_MAX_LINES] = {0};
        for (char *p = body; n < GUIDE_MAX_LINES && *p;) {
            lines[n++] = p;
            char *nl = strchr(p, '\n');
            if (!nl) break;
            *nl = '\0';
            p = nl + 1;
        }
        s->guide_pages = guide_pages(f, t, px_min, lines, n, starts);
        if (s->guide_page >= s->guide_pages) s->guide_page = s->guide_pages - 1;
        if (s->guide_page < 0) s->guide_page = 0;
        int from = starts[s->guide_page];
        int to = s->guide_page + 1 < s->guide_pages ? starts[s->guide_page + 1] : n;
        char page[sizeof body];
        size_t len = 0;
        for (int i = from; i < to && len < sizeof page; i++)
            len += (size_t)snprintf(page + len, sizeof page - len, "%s%s", i > from ? "\n" : "", lines[i]);
        ui_label_fit(f, "guide.body", t, page, px_min, th->px_small, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
        SDL_Rect b1 = {pager.x, pager.y, pager.w * 2 / 7, pager.h};
        SDL_Rect b3 = {pager.x + pager.w - b1.w, pager.y, b1.w, pager.h};
        SDL_Rect mid = {b1.x + b1.w + th->pad, pager.y, b3.x - b1.x - b1.w - th->pad * 2, pager.h};
        char where[64];
        snprintf(where, sizeof where, _("Page %d of %d"), s->guide_page + 1, s->guide_pages);
        ui_button(f, "guide.prev", b1, _("Previous"), UI_BTN_SECONDARY, s->guide_page > 0);
        ui_label_fit(f, "guide.page", mid, where, th->px_body, th->px_small, th->text_muted,
                     th->surface, UI_ALIGN_CENTER, false)->valign_center = true;
        ui_button(f, "guide.next", b3, _("Next"), UI_BTN_SECONDARY, s->guide_page + 1 < s->guide_pages);
    }
    char payload[600];
    guide_text(&s->cur, &s->cur_guide, true, payload, sizeof payload);
    screen_takeaway_qr(f, "guide", qr_card, payload);
}

static bool detail_action(app_t *app, const char *id)
{
    struct info_state *s = app->info;
    if (!s) return false;
    if (!strcmp(id, "guide.prev")) {
        if (s->guide_page > 0) s->guide_page--;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "guide.next")) {
        if (s->guide_page + 1 < s->guide_pages) s->guide_page++;
        app->dirty = true;
        return true;
    }
    return false;
}

const screen_t screen_guide_detail = {"guide_detail", true, false, NULL, detail_build, detail_action,
                                      NULL};

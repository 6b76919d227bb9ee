/* One item as the information screens show it, for a staff console
 * preview (info.h, info_preview). */
#include <string.h>
#include "app/app.h"
#include "services/info/info.h"

int info_preview(app_t *app, const info_item_t *it)
{
    struct info_state *s = app->info;
    if (!s) return -1;
    bool guide = !strcmp(it->kind, "guide");
    app_go(app, guide ? SCR_GUIDE_DETAIL : SCR_NOTICE);
    s->busy = false;
    s->msg[0] = '\0';
    s->cur = *it;
    /* the tab the item is listed under, as if the resident came from it */
    s->tab = 0;
    for (int i = 0; i < INFO_TABS; i++)
        if (!strcmp(info_tab_kinds[i], it->kind)) s->tab = i;
    if (guide && hub_parse_guide(it->data, &s->cur_guide) != 0) memset(&s->cur_guide, 0, sizeof s->cur_guide);
    return 0;
}

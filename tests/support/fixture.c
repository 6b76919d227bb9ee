#include "support/fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "app/tour.h"

static int add_notice(void *ctx, const char *locale, const notice_t *n)
{
    return store_notice_add(ctx, locale, n) == 0 ? 0 : -1;
}

int fixture_notices(app_t *app)
{
    assert_non_null(app->store);
    int n = tour_notices_each(app->cfg.assets_dir, add_notice, app->store);
    assert_true(n > 0);
    app_reload_notices(app);
    return n;
}

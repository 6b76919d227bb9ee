/* kioskctl content: staff tools for signed content bundles.
 *
 *   kioskctl content keygen --key FILE
 *   kioskctl content build DIR [--out OUT]          (OUT defaults to DIR/bundle)
 *   kioskctl content sign OUT --key FILE
 *   kioskctl content publish OUT --hub URL --token-file F   (or $KIOSK_STAFF_TOKEN)
 *
 * Each prints one JSON object; errors name the file and field. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "content/bundle.h"
#include "kioskctl.h"

static int usage(void)
{
    return ctl_error(CTL_USAGE, "usage",
                     "kioskctl content keygen --key FILE | build DIR [--out OUT] | "
                     "sign OUT --key FILE | publish OUT --hub URL --token-file F");
}

int cmd_content(int argc, char **argv)
{
    if (argc < 2) return usage();
    const char *sub = argv[1], *key = ctl_opt(argc, argv, "--key");
    const char *dir = argc >= 3 && strncmp(argv[2], "--", 2) != 0 ? argv[2] : NULL;
    char err[400], pk[65];
    cJSON *o = cJSON_CreateObject();

    if (!strcmp(sub, "keygen")) {
        if (!key) { cJSON_Delete(o); return usage(); }
        if (content_keygen(key, pk, err, sizeof err) != 0) {
            cJSON_Delete(o);
            return ctl_error(CTL_FAIL, "keygen", "%s", err);
        }
        cJSON_AddStringToObject(o, "key_file", key);
        cJSON_AddStringToObject(o, "public_key", pk);
    } else if (!strcmp(sub, "build")) {
        if (!dir) { cJSON_Delete(o); return usage(); }
        char out[512];
        const char *opt = ctl_opt(argc, argv, "--out");
        snprintf(out, sizeof out, "%s", opt ? opt : "");
        if (!opt) snprintf(out, sizeof out, "%s/bundle", dir);
        int items = 0, assets = 0;
        if (content_build(dir, out, (long long)clock_wall(), &items, &assets, err, sizeof err) != 0) {
            cJSON_Delete(o);
            return ctl_error(CTL_FAIL, "invalid_content", "%s", err);
        }
        cJSON_AddStringToObject(o, "bundle", out);
        cJSON_AddNumberToObject(o, "items", items);
        cJSON_AddNumberToObject(o, "assets", assets);
    } else if (!strcmp(sub, "sign")) {
        if (!dir || !key) { cJSON_Delete(o); return usage(); }
        if (content_sign(dir, key, pk, err, sizeof err) != 0) {
            cJSON_Delete(o);
            return ctl_error(CTL_FAIL, "sign", "%s", err);
        }
        cJSON_AddStringToObject(o, "signed", dir);
        cJSON_AddStringToObject(o, "public_key", pk);
    } else if (!strcmp(sub, "publish")) {
        const char *hub = ctl_opt(argc, argv, "--hub");
        char token[256];
        int tk = ctl_staff_token(argc, argv, token, sizeof token);
        if (tk == -2) { cJSON_Delete(o); return CTL_USAGE; }
        if (!dir || !hub || tk != 0) { cJSON_Delete(o); return usage(); }
        long long version = 0;
        if (content_publish(dir, hub, token, &version, err, sizeof err) != 0) {
            cJSON_Delete(o);
            return ctl_error(CTL_DEVICE, "publish", "%s", err);
        }
        cJSON_AddNumberToObject(o, "published", (double)version);
    } else {
        cJSON_Delete(o);
        return usage();
    }
    ctl_print(o);
    return CTL_OK;
}

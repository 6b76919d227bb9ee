/* libFuzzer target for content manifests (content/manifest.c): the input,
 * not NUL-terminated, goes to cm_parse, then (when it parses) to the target
 * and acceptance checks. Seeds in tests/fuzz/corpus/content_manifest.
 *
 * Invariants (a failed one aborts, so libFuzzer keeps the input):
 *   - cm_parse returns 0 or -1; on -1 the error is a non-empty
 *     NUL-terminated text and the output is all zero;
 *   - on 0: version >= 1, expires > created, counts within their limits,
 *     every item has its strings, a known kind, title and body within
 *     their byte limits, images that are sha256s listed in assets;
 *   - cm_accept with a random signature never says CM_OK. */
#include "content/manifest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const char *const KEY = "0b827448d9efad9f4ce5f984097fab7392f613f5f329fc998437cb0325d0254d";
static const char *const SIG =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_manifest_t m, zero;
    char err[200];
    memset(&zero, 0, sizeof zero);
    err[0] = '\0';
    int rc = cm_parse((const char *)data, size, &m, err, sizeof err);
    CHECK(rc == 0 || rc == -1);
    CHECK(memchr(err, '\0', sizeof err));
    if (rc != 0) {
        CHECK(err[0] != '\0');
        CHECK(!memcmp(&m, &zero, sizeof m));
        return 0;
    }
    CHECK(m.version >= 1 && m.expires > m.created);
    CHECK(m.n_items >= 0 && m.n_items <= CONTENT_MAX_ITEMS);
    CHECK(m.n_assets >= 0 && m.n_assets <= CONTENT_MAX_ASSETS);
    CHECK(m.mode && (!strcmp(m.mode, "hall") || !strcmp(m.mode, "street") || !strcmp(m.mode, "any")));
    for (int i = 0; i < m.n_items; i++) {
        const cm_item_t *it = &m.items[i];
        CHECK(it->id >= 1 && it->kind && it->category && it->locale && it->title && it->body);
        CHECK(strlen(it->title) <= CONTENT_TITLE_MAX && strlen(it->body) <= CONTENT_BODY_MAX);
        CHECK(it->priority >= 0 && it->priority <= 100);
        CHECK(it->n_images >= 0 && it->n_images <= CONTENT_MAX_IMAGES);
        for (int k = 0; k < it->n_images; k++) {
            bool listed = false;
            CHECK(cm_is_sha256(it->images[k]));
            for (int a = 0; a < m.n_assets; a++) listed |= !strcmp(m.assets[a].sha256, it->images[k]);
            CHECK(listed);
        }
    }
    cm_who_t who = {"hall", "north", "kiosk-1"};
    (void)cm_target_matches(&m, &who);
    cm_free(&m);
    cm_manifest_t out;
    CHECK(cm_accept((const char *)data, size, SIG, KEY, &who, 0, 0, &out, err, sizeof err) != CM_OK);
    return 0;
}

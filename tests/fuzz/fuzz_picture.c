/* libFuzzer target: the hub's picture pipeline (hub/picture.c, hub/exif.c),
 * which reads any bytes a staff member's browser uploads: the header probe,
 * the EXIF orientation reader, libpng and TurboJPEG behind the size checks,
 * the shrink and the orientation. The first byte picks the declared type
 * (even: as sniffed, odd: the other one) so the mismatch path is walked too.
 * Invariants: a refusal has a code and a message and leaves nothing; an
 * accepted picture is of the declared type, fits the box (never larger
 * than the input), and reads back (probe) at its stated size, upright and
 * without EXIF; the orientation reader gives 1-8 on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "exif.h"
#include "picture.h"
#include "fuzz_check.h"

#define FIT 96                           /* small: the fuzzer's time goes to parsing, not averaging */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int o = exif_orientation(data, size);
    CHECK(o >= 1 && o <= 8, "orientation %d", o);
    if (size < 1) return 0;
    const unsigned char *in = data + 1;
    size_t n = size - 1;
    const char *sniffed = picture_sniff(in, n);
    const char *declared = sniffed ? sniffed : "image/png";
    if (data[0] & 1) declared = !strcmp(declared, "image/png") ? "image/jpeg" : "image/png";
    picture_t pic;
    picture_error_t err;
    if (picture_process(in, n, declared, FIT, &pic, &err) != 0) {
        CHECK(err.code && err.message[0], "a refusal without a reason");
        CHECK(!pic.data && !pic.len && !pic.width, "a refusal left a picture");
        return 0;
    }
    CHECK(!err.code, "accepted with an error %s", err.code);
    CHECK(pic.data && pic.len && !strcmp(pic.type, declared), "type %s for %s", pic.type, declared);
    CHECK(pic.width >= 1 && pic.height >= 1 && pic.width <= FIT && pic.height <= FIT, "%dx%d", pic.width, pic.height);
    const char *type;
    int w, h, po, iw, ih, io;
    CHECK(picture_probe(pic.data, pic.len, &type, &w, &h, &po) == 0, "the output does not read back");
    CHECK(w == pic.width && h == pic.height && po == 1, "reads back %dx%d o%d, said %dx%d", w, h, po,
          pic.width, pic.height);
    CHECK(picture_probe(in, n, &type, &iw, &ih, &io) == 0, "accepted without a header");
    CHECK((long long)w * h <= (long long)iw * ih, "upscaled %dx%d to %dx%d", iw, ih, w, h);
    picture_free(&pic);
    return 0;
}

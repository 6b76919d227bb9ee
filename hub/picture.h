/* Pictures staff upload for console notices (console_pictures.c): checked,
 * decoded, turned upright, shrunk to fit and encoded again, so what kiosks
 * get is a plain PNG or JPEG of a sensible size with no metadata at all:
 * EXIF (a phone's GPS position among it), comments, ICC profiles and text
 * chunks do not survive a re-encode, which writes pixels only.
 *
 * Pure: bytes in, bytes out; no I/O and no global state, any thread. Only
 * after the dimensions read from the header itself (a PNG's IHDR, a JPEG's
 * SOF marker) pass the limits below is anything decoded: a few hundred
 * bytes can claim a gigapixel. Decoding is libpng's simplified API and
 * TurboJPEG (large JPEGs decoded at 1/2, 1/4 or 1/8 scale where that still
 * covers the output). Shrinking averages areas (text in a photographed
 * poster stays legible), alpha-weighted for a PNG with transparency, which
 * is kept (the kiosk's SDL_image draws it over its panel); never upscales.
 * A JPEG stays a JPEG (quality PICTURE_JPEG_QUALITY, 4:2:0), a PNG a PNG.
 *
 * Errors: picture_process fills a picture_error_t with a stable code and a
 * message in words: unsupported_type (the declared type is not PNG or
 * JPEG), invalid_picture (not a PNG or JPEG, truncated, corrupt, a colour
 * space the kiosk cannot show), type_mismatch (the bytes are the other
 * type), picture_too_large (bytes, pixels or a side over the limit),
 * picture_too_small, memory. Nothing is allocated on error. */
#ifndef HUB_PICTURE_H
#define HUB_PICTURE_H

#include <stddef.h>

#define PICTURE_MAX_BYTES (8 * 1024 * 1024)   /* as a bundle asset (BUNDLE_MAX_BODY) */
#define PICTURE_MAX_PIXELS 40000000LL         /* a 40 MP phone photo; decoded RGBA: 160 MiB */
#define PICTURE_MAX_SIDE 20000                /* a panorama, not a strip of a million pixels */
#define PICTURE_MIN_SIDE 16                   /* smaller shows nothing on a kiosk */
#define PICTURE_FIT 1600                      /* the output fits PICTURE_FIT x PICTURE_FIT */
#define PICTURE_JPEG_QUALITY 85

typedef struct {
    const char *code;              /* static; NULL while all is well */
    char message[200];
} picture_error_t;

typedef struct {
    unsigned char *data;           /* malloc'd, LEN bytes; free with picture_free */
    size_t len;
    const char *type;              /* "image/png" or "image/jpeg" (static) */
    int width, height;             /* as shown: after the EXIF orientation */
} picture_t;

/* "image/png" or "image/jpeg" from the first bytes of P, or NULL. */
const char *picture_sniff(const unsigned char *p, size_t n);

/* Reads, without decoding, P's type (picture_sniff's), its stored width and
 * height, and (JPEG) its EXIF orientation 1-8 (1 for PNG or none). 0, or
 * -1 when no header can be found (truncated, not PNG or JPEG). */
int picture_probe(const unsigned char *p, size_t n, const char **type, int *w, int *h, int *orientation);

/* Checks IN (N bytes, said by the uploader to be DECLARED, a MIME type) and
 * makes the picture to keep in OUT, fitting FIT x FIT (0: PICTURE_FIT).
 * 0, or -1 with ERR filled and OUT zeroed. */
int picture_process(const unsigned char *in, size_t n, const char *declared, int fit, picture_t *out,
                    picture_error_t *err);

void picture_free(picture_t *p);

#endif

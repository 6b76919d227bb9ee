/* image:/path: still pictures as a camera, for tests, demos and kioskctl.
 * PATH is a PNG or JPEG file, or a folder whose *.png, *.jpg and *.jpeg
 * files (any case; hidden files skipped) are taken in byte order of their
 * names. Each call hands out the next picture as a Y800 frame, the format
 * the camera gives, so the same decoding path runs. Loaded with SDL2_image
 * (IMG_Load: no window or SDL_Init needed). */
#ifndef DRV_IMAGE_SOURCE_H
#define DRV_IMAGE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_SRC_MAX_FILES 10000
#define IMAGE_SRC_MAX_DIM 8192

typedef struct {
    char **files;               /* full paths, sorted */
    size_t count, next;
} image_src_t;

/* Lists PATH. Returns 0, or -1 with ERR ("/x: No such file or directory",
 * "/x: no PNG or JPEG files"). */
int image_src_open(image_src_t *s, const char *path, char *err, int errlen);
/* The next picture as Y800: *Y (malloc'd, the caller frees), *W, *H; *NAME
 * (optional) its path, valid until close. Returns 1, 0 when every picture
 * has been handed out, -1 when this one cannot be loaded (ERR; the next
 * call moves on to the following file). */
int image_src_next(image_src_t *s, uint8_t **y, int *w, int *h, const char **name,
                   char *err, int errlen);
void image_src_close(image_src_t *s);

/* Pure: luma (BT.601, 0.299 R + 0.587 G + 0.114 B) of W x H RGBA pixels
 * (byte order R, G, B, A; rows PITCH bytes apart), composited over white so
 * a code drawn on a transparent background scans. DST holds W * H bytes. */
void image_src_rgba_to_y800(const uint8_t *rgba, int w, int h, int pitch, uint8_t *dst);

#endif

/* The one EXIF fact the hub uses: a photo's orientation (which way up the
 * camera was held), so a picture a phone took sideways is turned upright
 * before its metadata is thrown away. Pure: reads the bytes of a JPEG APP1
 * segment's payload ("Exif\0\0" then a TIFF header and IFD0), every offset
 * bounds-checked; no allocation, no state, any thread. */
#ifndef HUB_EXIF_H
#define HUB_EXIF_H

#include <stddef.h>

/* The Orientation tag (0x0112) of IFD0 in the APP1 payload P (N bytes): 1 to
 * 8 as EXIF numbers them (1: as stored; 6: turn 90 degrees clockwise ...).
 * 1 when P is not EXIF, has no such tag, or the tag is malformed. */
int exif_orientation(const unsigned char *p, size_t n);

#endif

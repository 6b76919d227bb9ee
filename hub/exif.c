#include "exif.h"

#include <stdint.h>
#include <string.h>

#define TAG_ORIENTATION 0x0112
#define TYPE_SHORT 3

static unsigned rd16(const unsigned char *p, int big)
{
    return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t rd32(const unsigned char *p, int big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int exif_orientation(const unsigned char *p, size_t n)
{
    if (n < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0) return 1;
    const unsigned char *t = p + 6;       /* the TIFF header: offsets count from here */
    size_t tn = n - 6;
    int big;
    if (!memcmp(t, "II", 2)) big = 0;
    else if (!memcmp(t, "MM", 2)) big = 1;
    else return 1;
    if (rd16(t + 2, big) != 42) return 1;
    uint32_t ifd = rd32(t + 4, big);
    if (ifd < 8 || ifd > tn - 2) return 1;
    unsigned count = rd16(t + ifd, big);
    /* Each entry is 12 bytes; only the entries that are really there are read. */
    size_t room = (tn - ifd - 2) / 12;
    if (count > room) count = (unsigned)room;
    for (unsigned i = 0; i < count; i++) {
        const unsigned char *e = t + ifd + 2 + (size_t)i * 12;
        if (rd16(e, big) != TAG_ORIENTATION) continue;
        if (rd16(e + 2, big) != TYPE_SHORT || rd32(e + 4, big) != 1) return 1;
        unsigned v = rd16(e + 8, big);     /* a SHORT sits at the start of the value field */
        return v >= 1 && v <= 8 ? (int)v : 1;
    }
    return 1;
}

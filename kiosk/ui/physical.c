#include "ui/physical.h"

#include <math.h>
#include <stdlib.h>

double phys_mm_per_px(double diagonal_in, int w, int h)
{
    if (!isfinite(diagonal_in) || diagonal_in <= 0 || w <= 0 || h <= 0)
        return 0;
    return diagonal_in * PHYS_MM_PER_INCH / hypot((double)w, (double)h);
}

double phys_mm_per_px_dpi(double dpi)
{
    if (!isfinite(dpi) || dpi <= 0)
        return 0;
    return PHYS_MM_PER_INCH / dpi;
}

double phys_mm_per_px_ini(const char *diagonal, int dpi, int w, int h)
{
    if (diagonal && diagonal[0]) {
        char *end = NULL;
        double d = strtod(diagonal, &end);
        return *end == '\0' ? phys_mm_per_px(d, w, h) : 0;
    }
    return dpi > 0 ? phys_mm_per_px_dpi(dpi) : 0;
}

int phys_px_for_mm(double mm, double mm_per_px)
{
    if (!isfinite(mm) || !isfinite(mm_per_px) || mm_per_px <= 0 || mm <= 0)
        return 0;
    /* The small slack keeps an exact fit (e.g. 10 mm at 0.5 mm/px) from
     * rounding up to one pixel more through floating-point error. */
    double px = ceil(mm / mm_per_px - 1e-9);
    return px > 100000 ? 100000 : (int)px;
}

/* Physical size of the panel: millimetres per layout pixel, from the
 * panel's diagonal in inches or its dots per inch ([display] diagonal / dpi
 * in kiosk.ini), and pixel sizes for a length in millimetres.
 * Pure functions, any thread. Bad input (non-positive or non-finite sizes)
 * gives 0 from phys_mm_per_px*() ("unknown") and 0 px from phys_px_for_mm(). */
#ifndef KIOSK_UI_PHYSICAL_H
#define KIOSK_UI_PHYSICAL_H

#define PHYS_MM_PER_INCH 25.4

/* Millimetres per pixel of a W x H layout that fills a panel of
 * DIAGONAL_IN inches (square pixels assumed). 0 when unknown. */
double phys_mm_per_px(double diagonal_in, int w, int h);

/* Millimetres per pixel at DPI dots per inch. 0 when unknown. */
double phys_mm_per_px_dpi(double dpi);

/* From kiosk.ini's [display] keys: DIAGONAL text ("" = unset) or DPI
 * (0 = unset) for a W x H layout. 0 when neither is set or valid. */
double phys_mm_per_px_ini(const char *diagonal, int dpi, int w, int h);

/* Smallest whole number of pixels that is at least MM millimetres long at
 * MM_PER_PX; 0 when MM_PER_PX is unknown (<= 0). */
int phys_px_for_mm(double mm, double mm_per_px);

#endif

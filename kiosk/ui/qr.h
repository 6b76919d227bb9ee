/* QR codes for the screen (libqrencode). */
#ifndef KIOSK_UI_QR_H
#define KIOSK_UI_QR_H

#include <SDL.h>

/* Encodes PAYLOAD (UTF-8 bytes, 8-bit mode, error correction M) as a surface
 * with one pixel per module and the 4-module quiet zone, black on white.
 * Returns NULL (and logs) if the payload is empty or too long for a QR code. */
SDL_Surface *ui_qr_surface(const char *payload);

#endif

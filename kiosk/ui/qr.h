/* QR codes for the screen (libqrencode). */
#ifndef KIOSK_UI_QR_H
#define KIOSK_UI_QR_H

#include <SDL.h>

/* A phone reads a code from about ten times its width: one 30 mm wide
 * from 30 cm. On a panel of known size a screen short of room may shrink
 * its code to this, never below (what the words around it need first). */
#define UI_QR_MIN_MM 30.0

/* Encodes PAYLOAD (UTF-8 bytes, 8-bit mode, error correction M) as a surface
 * with one pixel per module and the 4-module quiet zone, black on white.
 * Returns NULL (and logs) if the payload is empty or too long for a QR code. */
SDL_Surface *ui_qr_surface(const char *payload);

#endif

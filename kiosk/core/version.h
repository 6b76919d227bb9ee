#ifndef KIOSK_VERSION_H
#define KIOSK_VERSION_H
#define KIOSK_VERSION "0.1.0"
#endif

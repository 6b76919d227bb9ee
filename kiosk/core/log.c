#include "core/log.h"

const log_program_t log_program = {.name = "kiosk", .env = "KIOSK_LOG", .show_level = true};

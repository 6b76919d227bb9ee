/* The services the app core runs, in start order (see app/service.h). A new
 * service is a folder under kiosk/services/ with a service_t, and a line
 * here. */
#include "app/service.h"

extern const service_t service_identify, service_bills, service_housekeeping, service_info,
    service_street, service_staff;

const service_t *const app_services[] = {
    &service_identify,
    &service_bills,
    &service_housekeeping,
    &service_info,
    &service_street,
    &service_staff,     /* after bills: refreshes the staff menu on payment events */
    NULL,
};

/* Event registrations in the console: the events and lectures with places
 * (content.kind 'event' or 'lecture', places set) and, per event, the
 * residents who registered at a kiosk, their names and phones masked
 * ("王*明", "138****5678", as the kiosk API shows them; the hub keeps them
 * sealed, pii.h). One registration's full name and phone are revealed to a
 * publisher (the person who calls residents about a change); every reveal
 * is a row of the change log (who, when, which event and registration,
 * never the name or phone), written before the answer leaves, and an
 * account may reveal at most REG_REVEALS_PER_HOUR in any hour, so the
 * route cannot be used to copy out the list.
 *
 * Which staff see an event: an event is for the kiosk groups of
 * content.kiosk_groups (a JSON array; NULL: every kiosk). Its list is
 * residents' data, so the rule fails closed: an account sees an event only
 * when it may act on EVERY group the event is for (staff_may with each);
 * an event for every kiosk, or one whose groups cannot be read, is seen by
 * "*" accounts only. An event the account may not see is answered as one
 * that does not exist (404). The kiosk API never cancels a registration
 * (sign-ups leave with the retention pass, retention.h), so there are no
 * cancelled rows to show; places taken at the service centre desk are
 * counted in "registered" without a row.
 * Runs on the request's worker thread and connection. docs/api.md
 * "Staff console" has the routes. */
#ifndef HUB_CONSOLE_REGISTRATIONS_H
#define HUB_CONSOLE_REGISTRATIONS_H

#include "hub.h"

#define REG_REVEALS_PER_HOUR 20

void console_events_list(hub_req_t *req, hub_resp_t *resp);         /* GET  /console/api/events */
void console_registrations_list(hub_req_t *req, hub_resp_t *resp);  /* GET  /console/api/events/{id}/registrations[?format=csv] */
void console_registration_reveal(hub_req_t *req, hub_resp_t *resp); /* POST /console/api/events/{id}/registrations/{rid}/reveal */

#endif

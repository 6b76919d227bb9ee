#include "api.h"
#include "db.h"

void api_health(hub_req_t *req, hub_resp_t *resp)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "api", "v1");
    cJSON_AddNumberToObject(o, "time", (double)req->now);
    cJSON_AddNumberToObject(o, "schema", db_schema_version(req->db));
    cJSON_AddBoolToObject(o, "demo", hub_config(req->hub)->demo);
    hub_reply(resp, 200, o);
}

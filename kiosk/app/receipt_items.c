#include "app/receipt_items.h"

void receipt_add_text(cJSON *items, const char *text, const char *align, bool bold, int size)
{
    cJSON *it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "text", text);
    if (align) cJSON_AddStringToObject(it, "align", align);
    if (bold) cJSON_AddBoolToObject(it, "bold", 1);
    if (size > 1) cJSON_AddNumberToObject(it, "size", size);
    cJSON_AddItemToArray(items, it);
}

void receipt_add_rule(cJSON *items)
{
    cJSON *it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "rule", "-");
    cJSON_AddItemToArray(items, it);
}

void receipt_add_qr(cJSON *items, const char *payload)
{
    cJSON *it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "qr", payload);
    cJSON_AddItemToArray(items, it);
}

void receipt_add_end(cJSON *items)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "feed", 3);
    cJSON_AddItemToArray(items, f);
    f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "cut", "partial");
    cJSON_AddItemToArray(items, f);
}

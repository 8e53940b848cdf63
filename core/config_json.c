/* config_json: struct config -> pretty JSON (for `cutover init`), walked
 * from the same key tables the parser reads, so a new key is rendered as
 * soon as it is in its table. */
#include <stdbool.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/config.h"
#include "core/config_keys.h"

static cJSON *argv_json(const struct config_argv *a)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr != NULL && i < a->argc; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(a->argv[i]));
    return arr;
}

/* JSON text back as a value; text that is not JSON stays a string. */
static cJSON *json_value(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    return v != NULL ? v : cJSON_CreateString(text);
}

static cJSON *headers_json(const struct config_headers *h)
{
    cJSON *obj = cJSON_CreateObject();
    for (int i = 0; obj != NULL && i < h->count; i++)
        cJSON_AddStringToObject(obj, h->name[i], h->value[i]);
    return obj;
}

static cJSON *argv_list_json(const struct config_argv_list *l)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr != NULL && i < l->count; i++)
        cJSON_AddItemToArray(arr, argv_json(&l->items[i]));
    return arr;
}

static void table_json(cJSON *obj, const struct config_key *keys, const char *base)
{
    for (const struct config_key *k = keys; k->name != NULL; k++) {
        const void *slot = base + k->off;
        if (k->kind == CONFIG_STR)
            cJSON_AddStringToObject(obj, k->name, *(char *const *)slot);
        else if (k->kind == CONFIG_ARGV || k->kind == CONFIG_LIST)
            cJSON_AddItemToObject(obj, k->name, argv_json(slot));
        else if (k->kind == CONFIG_ARGV_LIST)
            cJSON_AddItemToObject(obj, k->name, argv_list_json(slot));
        else if (k->kind == CONFIG_BOOL)
            cJSON_AddBoolToObject(obj, k->name, *(const bool *)slot);
        else if (k->kind == CONFIG_JSON)
            cJSON_AddItemToObject(obj, k->name, json_value(*(char *const *)slot));
        else if (k->kind == CONFIG_HEADERS)
            cJSON_AddItemToObject(obj, k->name, headers_json(slot));
        else if (k->kind == CONFIG_INT)
            cJSON_AddNumberToObject(obj, k->name, *(const int *)slot);
        else
            cJSON_AddNumberToObject(obj, k->name, *(const double *)slot);
    }
}

/* One section: a table of leaves, or one such table per color. */
static void section_json(cJSON *root, const struct config_section *s,
                         const struct config *cfg)
{
    cJSON *obj = cJSON_AddObjectToObject(root, s->name);
    if (!s->per_color) {
        table_json(obj, s->keys, (const char *)cfg);
        return;
    }
    for (int col = 0; col < COLOR_COUNT; col++)
        table_json(cJSON_AddObjectToObject(obj, color_name((enum color)col)),
                   s->keys, (const char *)&cfg->colors[col]);
}

cJSON *config_section_json(const struct config *cfg, const char *section)
{
    for (const struct config_section *s = config_sections; s->name != NULL; s++) {
        if (s->per_color || strcmp(s->name, section) != 0)
            continue;
        cJSON *obj = cJSON_CreateObject();
        if (obj != NULL)
            table_json(obj, s->keys, (const char *)cfg);
        return obj;
    }
    return NULL;
}

char *config_to_json(const struct config *cfg)
{
    cJSON *root = cJSON_CreateObject();
    char *text;
    if (root == NULL)
        return NULL;
    for (const struct config_section *s = config_sections; s->name != NULL; s++)
        section_json(root, s, cfg);
    if (cfg->state_dir != NULL)
        cJSON_AddStringToObject(root, "state_dir", cfg->state_dir);
    cJSON_AddNumberToObject(root, "command_timeout_ms", cfg->command_timeout_ms);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

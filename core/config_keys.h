/* config_keys: the tables that describe every config key, the storage
 * helpers for the strings and argvs a struct config owns, and the runbook's
 * defaults. Private to the config module (config.c parses and validates,
 * config_json.c renders): one list of keys serves parsing, unknown-key
 * suggestions and config_to_json alike. Pure. */
#ifndef CUTOVER_CORE_CONFIG_KEYS_H
#define CUTOVER_CORE_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"

/* CONFIG_ARGV is a command (the first word names the program); CONFIG_LIST
 * shares its storage but is a plain list of non-empty strings (paths). */
enum config_kind {
    CONFIG_STR, CONFIG_INT, CONFIG_NUM, CONFIG_BOOL, CONFIG_ARGV, CONFIG_LIST,
    CONFIG_ARGV_LIST, CONFIG_JSON, CONFIG_HEADERS
};

/* One leaf key: where it lives (offset from a base struct) and its range. */
struct config_key {
    const char *name;
    enum config_kind kind;
    size_t off;
    double min, max;
    bool nonempty;         /* strings and argv: empty is an error */
};

/* One top-level object whose members are all leaves. Offsets count from the
 * struct config, or, when per_color, from each struct config_color (the
 * object then holds one table per color name). */
struct config_section {
    const char *name;
    const struct config_key *keys;   /* ends with a NULL name */
    bool per_color;
};

/* In file order (the order config_to_json writes); ends with a NULL name. */
extern const struct config_section config_sections[];
/* Every top-level key, sections first, for "did you mean"; NULL-terminated. */
extern const char *const config_top_keys[];

/* Storage helpers: each returns 0, or -1 when out of memory (the slot is
 * then left as it was). */
char *config_dup_str(const char *s);
int config_set_str(char **slot, const char *value);
int config_argv_set(struct config_argv *a, const char *const *words, int n);
void config_argv_clear(struct config_argv *a);
void config_argv_list_clear(struct config_argv_list *l);
void config_headers_clear(struct config_headers *h);

/* Fills a zeroed config with the runbook's defaults; -1 when out of memory
 * (what was set is still owned by cfg and freed by config_free). */
int config_load_defaults(struct config *cfg);

#endif

/* config: JSON text -> struct config. The keys are described by tables
 * (config_keys.c) so that parsing, unknown-key suggestions and config_to_json
 * (config_json.c) all read the same list; this file holds the public entry
 * points, the parsing and the checks that span keys.
 * Every error is one line: "SOURCE[:LINE]: dotted.key: why". */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/config.h"
#include "core/config_keys.h"
#include "core/confcheck.h"
#include "core/gwlog.h"

struct config *config_new_defaults(void)
{
    struct config *cfg = calloc(1, sizeof *cfg);
    if (cfg != NULL && config_load_defaults(cfg) != 0) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->nginx.upstream_file);
    free(cfg->nginx.upstream_name);
    free(cfg->nginx.balance);
    free(cfg->nginx.server_params);
    free(cfg->nginx.zone_size);
    config_argv_clear(&cfg->nginx.test);
    config_argv_clear(&cfg->nginx.reload);
    free(cfg->nginx.pid_file);
    free(cfg->nginx.access_log);
    for (int c = 0; c < COLOR_COUNT; c++) {
        free(cfg->colors[c].addr);
        config_argv_clear(&cfg->colors[c].stop);
        config_argv_clear(&cfg->colors[c].start);
        config_argv_clear(&cfg->colors[c].version);
        config_argv_clear(&cfg->colors[c].secret_files);
        free(cfg->colors[c].log_file);
        free(cfg->colors[c].pid_file);
        free(cfg->colors[c].config_file);
    }
    free(cfg->probe.path);
    free(cfg->probe.body);
    config_headers_clear(&cfg->probe.headers);
    free(cfg->signals.sockets);
    free(cfg->rollout.ttft_stat);
    free(cfg->server.watch_group);
    config_argv_list_clear(&cfg->hooks.on_rollback);
    config_argv_clear(&cfg->gateway.debug_paths);
    config_argv_clear(&cfg->gateway.failure_patterns);
    free(cfg->gateway.health_path);
    free(cfg->gateway.ready_path);
    free(cfg->ui.theme);
    free(cfg->export.file);
    free(cfg->export.format);
    free(cfg->export.prometheus_listen);
    free(cfg->export.grafana_url);
    free(cfg->export.grafana_token_env);
    free(cfg->state_dir);
    free(cfg);
}

/* ---- parsing ---------------------------------------------------------- */

/* Parse context: the text (for line numbers) and the error sink. */
struct ctx {
    const char *text;
    const char *source;
    char *err;
    size_t errlen;
};

static int line_at(const char *text, const char *pos)
{
    int line = 1;
    for (const char *p = text; p < pos && *p; p++)
        if (*p == '\n')
            line++;
    return line;
}

/* Where `"key"` followed by a colon first appears after `from`: good enough
 * for line numbers in hand-written files; NULL when not found (escaped keys). */
static const char *find_key(const char *from, const char *key)
{
    char pat[128];
    if (from == NULL || snprintf(pat, sizeof pat, "\"%s\"", key) >= (int)sizeof pat)
        return NULL;
    for (const char *p = strstr(from, pat); p != NULL; p = strstr(p + 1, pat)) {
        const char *q = p + strlen(pat);
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
            q++;
        if (*q == ':')
            return p;
    }
    return NULL;
}

__attribute__((format(printf, 4, 5)))
static int fail(const struct ctx *c, const char *where, const char *path,
                const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (where != NULL)
        snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->source,
                 line_at(c->text, where), path, why);
    else
        snprintf(c->err, c->errlen, "%s: %s: %s", c->source, path, why);
    return -1;
}

static void join_path(char *out, size_t n, const char *prefix, const char *name)
{
    if (prefix[0] != '\0')
        snprintf(out, n, "%s.%s", prefix, name);
    else
        snprintf(out, n, "%s", name);
}

/* "unknown key", with the nearest sibling suggested when it is close. */
static int fail_unknown(const struct ctx *c, const char *where, const char *prefix,
                        const char *name, const char *const *known)
{
    char path[256], hint[300] = "";
    const char *best = confcheck_suggest(name, known);
    join_path(path, sizeof path, prefix, name);
    if (best != NULL) {
        char want[256];
        join_path(want, sizeof want, prefix, best);
        snprintf(hint, sizeof hint, " (did you mean %s?)", want);
    }
    return fail(c, where, path, "unknown key%s", hint);
}

/* JSON duplicates are legal for cJSON but almost always a mistake. */
static bool seen_before(const cJSON *obj, const cJSON *item)
{
    for (const cJSON *i = obj->child; i != NULL && i != item; i = i->next)
        if (strcmp(i->string, item->string) == 0)
            return true;
    return false;
}

static int load_argv(const struct ctx *c, const char *where, const char *path,
                     const cJSON *v, const struct config_key *k, struct config_argv *slot)
{
    int n = cJSON_GetArraySize(v);
    const char **words;
    int i = 0, rc;
    if (!cJSON_IsArray(v))
        return fail(c, where, path, "expected an array of strings");
    for (const cJSON *e = v->child; e != NULL; e = e->next)
        if (!cJSON_IsString(e))
            return fail(c, where, path, "expected an array of strings");
    if (n == 0 && k->nonempty)
        return fail(c, where, path, "must name a program (the array is empty)");
    if (k->kind == CONFIG_LIST) {
        for (const cJSON *e = v->child; e != NULL; e = e->next, i++)
            if (e->valuestring[0] == '\0')
                return fail(c, where, path, "element %d is empty", i + 1);
        i = 0;
    } else if (n > 0 && v->child->valuestring[0] == '\0') {
        return fail(c, where, path, "the program name (first element) is empty");
    }
    words = calloc((size_t)n + 1, sizeof *words);
    if (words == NULL)
        return fail(c, where, path, "out of memory");
    for (const cJSON *e = v->child; e != NULL; e = e->next)
        words[i++] = e->valuestring;
    rc = config_argv_set(slot, words, n);
    free(words);
    return rc == 0 ? 0 : fail(c, where, path, "out of memory");
}

/* [["prog", "arg"], ["prog2"]]: every command names its program; an error
 * names the command by its 1-based position. */
static int load_argv_list(const struct ctx *c, const char *where, const char *path,
                          const cJSON *v, struct config_argv_list *slot)
{
    static const struct config_key one = { "", CONFIG_ARGV, 0, 0, 0, true };
    int n = cJSON_GetArraySize(v), i = 0;
    if (!cJSON_IsArray(v))
        return fail(c, where, path, "expected an array of commands (arrays of strings)");
    config_argv_list_clear(slot);
    slot->items = calloc((size_t)n + 1, sizeof *slot->items);
    if (slot->items == NULL)
        return fail(c, where, path, "out of memory");
    for (const cJSON *e = v->child; e != NULL; e = e->next, i++) {
        char item[280];
        snprintf(item, sizeof item, "%s[%d]", path, i + 1);
        slot->count = i + 1;
        if (load_argv(c, where, item, e, &one, &slot->items[i]) != 0)
            return -1;
    }
    return 0;
}

/* Any JSON value; kept as text (a string is taken as the text itself). */
static int load_json_text(const struct ctx *c, const char *where, const char *path,
                          const cJSON *v, char **slot)
{
    char *text = cJSON_IsString(v) ? config_dup_str(v->valuestring) : cJSON_PrintUnformatted(v);
    if (text == NULL)
        return fail(c, where, path, "out of memory");
    if (text[0] == '\0') {
        free(text);
        return fail(c, where, path, "must not be empty");
    }
    free(*slot);
    *slot = text;
    return 0;
}

/* {"Header-Name": "value with ${ENV}", ...}: names must be HTTP tokens, so a
 * value can never smuggle in another header line. */
static int load_headers(const struct ctx *c, const char *where, const char *path,
                        const cJSON *v, struct config_headers *h)
{
    int n = cJSON_GetArraySize(v), i = 0;
    if (!cJSON_IsObject(v))
        return fail(c, where, path, "expected an object of header names to strings");
    config_headers_clear(h);
    h->name = calloc((size_t)n + 1, sizeof *h->name);
    h->value = calloc((size_t)n + 1, sizeof *h->value);
    if (h->name == NULL || h->value == NULL)
        return fail(c, where, path, "out of memory");
    for (const cJSON *e = v->child; e != NULL; e = e->next, i++) {
        if (!cJSON_IsString(e))
            return fail(c, where, path, "%s: expected a string", e->string);
        if (e->string[0] == '\0' || strpbrk(e->string, " \t\r\n:") != NULL)
            return fail(c, where, path, "'%s' is not a header name", e->string);
        if (strpbrk(e->valuestring, "\r\n") != NULL)
            return fail(c, where, path, "%s: a header value cannot hold a line break", e->string);
        h->name[i] = config_dup_str(e->string);
        h->value[i] = config_dup_str(e->valuestring);
        h->count = i + 1;
        if (h->name[i] == NULL || h->value[i] == NULL)
            return fail(c, where, path, "out of memory");
    }
    return 0;
}

static int load_number(const struct ctx *c, const char *where, const char *path,
                       const cJSON *v, const struct config_key *k, void *slot)
{
    double d;
    if (!cJSON_IsNumber(v))
        return fail(c, where, path, k->kind == CONFIG_INT ? "expected an integer"
                                                     : "expected a number");
    d = v->valuedouble;
    /* Range first: casting a huge double to an integer is undefined. */
    if (d < k->min || d > k->max)
        return fail(c, where, path, "%.15g out of range (%.15g-%.15g)", d, k->min, k->max);
    if (k->kind == CONFIG_INT && d != (double)(long long)d)
        return fail(c, where, path, "expected an integer, got %.15g", d);
    if (k->kind == CONFIG_INT)
        *(int *)slot = (int)d;
    else
        *(double *)slot = d;
    return 0;
}

static int load_leaf(const struct ctx *c, const char *where, const char *path,
                     const cJSON *v, const struct config_key *k, char *base)
{
    void *slot = base + k->off;
    switch (k->kind) {
    case CONFIG_STR:
        if (!cJSON_IsString(v))
            return fail(c, where, path, "expected a string");
        if (k->nonempty && v->valuestring[0] == '\0')
            return fail(c, where, path, "must not be empty");
        return config_set_str(slot, v->valuestring) == 0 ? 0 : fail(c, where, path, "out of memory");
    case CONFIG_BOOL:
        if (!cJSON_IsBool(v))
            return fail(c, where, path, "expected true or false");
        *(bool *)slot = cJSON_IsTrue(v);
        return 0;
    case CONFIG_ARGV:
    case CONFIG_LIST:
        return load_argv(c, where, path, v, k, slot);
    case CONFIG_ARGV_LIST:
        return load_argv_list(c, where, path, v, slot);
    case CONFIG_JSON:
        return load_json_text(c, where, path, v, slot);
    case CONFIG_HEADERS:
        return load_headers(c, where, path, v, slot);
    default:
        return load_number(c, where, path, v, k, slot);
    }
}

static const struct config_key *key_find(const struct config_key *keys, const char *name)
{
    for (const struct config_key *k = keys; k->name != NULL; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

/* Loads an object whose members are all leaves described by `keys`. */
static int load_table(const struct ctx *c, const char *pos, const char *prefix,
                      const cJSON *obj, const struct config_key *keys, char *base)
{
    const char *names[16];
    int n = 0;
    for (const struct config_key *k = keys; k->name != NULL && n < 15; k++)
        names[n++] = k->name;
    names[n] = NULL;
    if (!cJSON_IsObject(obj))
        return fail(c, pos, prefix, "expected an object");
    for (const cJSON *i = obj->child; i != NULL; i = i->next) {
        const char *where = find_key(pos, i->string);
        const struct config_key *k = key_find(keys, i->string);
        char path[256];
        join_path(path, sizeof path, prefix, i->string);
        if (k == NULL)
            return fail_unknown(c, where, prefix, i->string, names);
        if (seen_before(obj, i))
            return fail(c, where, path, "duplicate key");
        if (load_leaf(c, where, path, i, k, base) != 0)
            return -1;
    }
    return 0;
}

/* {"blue": {...}, "green": {...}}: one table of the section's keys per color. */
static int load_colors(const struct ctx *c, const char *pos, const cJSON *obj,
                       const struct config_section *s, struct config *cfg)
{
    if (!cJSON_IsObject(obj))
        return fail(c, pos, s->name, "expected an object");
    for (const cJSON *i = obj->child; i != NULL; i = i->next) {
        const char *where = find_key(pos, i->string);
        int col = color_parse(i->string);
        char path[256];
        join_path(path, sizeof path, s->name, i->string);
        if (col == COLOR_NONE)
            return fail(c, where, path, "unknown color (expected blue or green)");
        if (seen_before(obj, i))
            return fail(c, where, path, "duplicate key");
        if (load_table(c, where, path, i, s->keys, (char *)&cfg->colors[col]) != 0)
            return -1;
    }
    return 0;
}

static int load_state_dir(const struct ctx *c, const char *where, const cJSON *v,
                          struct config *cfg)
{
    if (cJSON_IsNull(v)) {
        free(cfg->state_dir);
        cfg->state_dir = NULL;
        return 0;
    }
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        return fail(c, where, "state_dir", "expected a non-empty string (a directory)");
    return config_set_str(&cfg->state_dir, v->valuestring) == 0
               ? 0 : fail(c, where, "state_dir", "out of memory");
}

static int load_top_item(const struct ctx *c, const cJSON *i, struct config *cfg)
{
    static const struct config_key timeout = {
        "command_timeout_ms", CONFIG_INT, 0, 1, 3600000, false
    };
    const char *where = find_key(c->text, i->string);
    for (const struct config_section *s = config_sections; s->name != NULL; s++) {
        if (strcmp(i->string, s->name) != 0)
            continue;
        if (s->per_color)
            return load_colors(c, where, i, s, cfg);
        return load_table(c, where, s->name, i, s->keys, (char *)cfg);
    }
    if (strcmp(i->string, "state_dir") == 0)
        return load_state_dir(c, where, i, cfg);
    if (strcmp(i->string, "command_timeout_ms") == 0)
        return load_number(c, where, i->string, i, &timeout, &cfg->command_timeout_ms);
    return fail_unknown(c, where, "", i->string, config_top_keys);
}

/* Paths the preflight requests from the gateway must be absolute URL paths. */
static int validate_gateway(const struct ctx *c, const struct config *cfg)
{
    const char *gw = find_key(c->text, "gateway");
    const struct config_argv *dbg = &cfg->gateway.debug_paths;
    if (cfg->gateway.health_path[0] != '/')
        return fail(c, find_key(gw, "health_path"), "gateway.health_path",
                    "'%s' must start with /", cfg->gateway.health_path);
    if (cfg->gateway.ready_path[0] != '\0' && cfg->gateway.ready_path[0] != '/')
        return fail(c, find_key(gw, "ready_path"), "gateway.ready_path",
                    "'%s' must start with / (or be \"\" to ask health_path only)",
                    cfg->gateway.ready_path);
    for (int i = 0; i < dbg->argc; i++)
        if (dbg->argv[i][0] != '/')
            return fail(c, find_key(gw, "debug_paths"), "gateway.debug_paths",
                        "'%s' must start with /", dbg->argv[i]);
    struct gwlog_rules rules;
    char why[256];
    if (gwlog_rules_parse((const char *const *)cfg->gateway.failure_patterns.argv,
                          cfg->gateway.failure_patterns.argc, &rules, why, sizeof why) != 0)
        return fail(c, find_key(gw, "failure_patterns"), "gateway.failure_patterns", "%s",
                    why);
    return 0;
}

/* Checks that span keys, or that need the whole value, after loading. */
static int validate(const struct ctx *c, const struct config *cfg)
{
    char why[256];
    const char *nginx = find_key(c->text, "nginx");
    const char *colors = find_key(c->text, "colors");
    const char *rollout = find_key(c->text, "rollout");
    if (100 % cfg->rollout.step != 0)
        return fail(c, find_key(rollout, "step"), "rollout.step",
                    "%d does not divide 100", cfg->rollout.step);
    if (confcheck_balance(cfg->nginx.balance, why, sizeof why) != 0)
        return fail(c, find_key(nginx, "balance"), "nginx.balance", "%s", why);
    if (confcheck_word(cfg->nginx.upstream_name, why, sizeof why) != 0)
        return fail(c, find_key(nginx, "upstream_name"), "nginx.upstream_name", "%s", why);
    if (confcheck_params(cfg->nginx.server_params, why, sizeof why) != 0)
        return fail(c, find_key(nginx, "server_params"), "nginx.server_params", "%s", why);
    if (confcheck_zone_size(cfg->nginx.zone_size, why, sizeof why) != 0)
        return fail(c, find_key(nginx, "zone_size"), "nginx.zone_size", "%s", why);
    for (int col = 0; col < COLOR_COUNT; col++) {
        char path[64];
        snprintf(path, sizeof path, "colors.%s.addr", color_name((enum color)col));
        if (confcheck_addr(cfg->colors[col].addr, why, sizeof why) != 0)
            return fail(c, find_key(find_key(colors, color_name((enum color)col)), "addr"),
                        path, "%s", why);
    }
    if (strcmp(cfg->signals.sockets, "auto") != 0 && strcmp(cfg->signals.sockets, "procnet") != 0 &&
        strcmp(cfg->signals.sockets, "lsof") != 0)
        return fail(c, find_key(find_key(c->text, "signals"), "sockets"), "signals.sockets",
                    "'%s' is not one of auto, procnet, lsof", cfg->signals.sockets);
    if (strcmp(cfg->rollout.ttft_stat, "median") != 0 && strcmp(cfg->rollout.ttft_stat, "p95") != 0)
        return fail(c, find_key(rollout, "ttft_stat"), "rollout.ttft_stat",
                    "'%s' is not one of median, p95", cfg->rollout.ttft_stat);
    if (cfg->probe.path[0] != '/')
        return fail(c, find_key(find_key(c->text, "probe"), "path"), "probe.path",
                    "'%s' must start with /", cfg->probe.path);
    if (validate_gateway(c, cfg) != 0)
        return -1;
    if (strcmp(cfg->colors[COLOR_BLUE].addr, cfg->colors[COLOR_GREEN].addr) == 0)
        return fail(c, find_key(find_key(colors, "green"), "addr"), "colors.green.addr",
                    "same address as colors.blue.addr (%s): blue and green must differ",
                    cfg->colors[COLOR_GREEN].addr);
    return 0;
}

/* "cutover.json:4: JSON syntax error near '...'" from cJSON's parse end. */
static int fail_syntax(const struct ctx *c, const char *at)
{
    char near[24];
    size_t n = 0;
    if (at == NULL)
        at = c->text;
    while (at[n] != '\0' && at[n] != '\n' && at[n] != '\r' && n < 20)
        n++;
    memcpy(near, at, n);
    near[n] = '\0';
    if (at[0] == '\0')
        snprintf(c->err, c->errlen, "%s:%d: JSON syntax error at end of file",
                 c->source, line_at(c->text, at));
    else
        snprintf(c->err, c->errlen, "%s:%d: JSON syntax error near '%s'",
                 c->source, line_at(c->text, at), near);
    return -1;
}

int config_parse(const char *json, const char *source, struct config **out,
                 char *err, size_t errlen)
{
    struct ctx c = { json, source != NULL ? source : "config", err, errlen };
    const char *end = NULL;
    struct config *cfg;
    cJSON *root;
    int rc = 0;
    *out = NULL;
    root = cJSON_ParseWithOpts(json, &end, 1);
    if (root == NULL)
        return fail_syntax(&c, end);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s: the top level must be a JSON object", c.source);
        return -1;
    }
    cfg = config_new_defaults();
    if (cfg == NULL) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s: out of memory", c.source);
        return -1;
    }
    for (const cJSON *i = root->child; i != NULL && rc == 0; i = i->next)
        rc = seen_before(root, i) ? fail(&c, find_key(json, i->string), i->string,
                                         "duplicate key")
                                  : load_top_item(&c, i, cfg);
    cJSON_Delete(root);
    if (rc == 0)
        rc = validate(&c, cfg);
    if (rc != 0) {
        config_free(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

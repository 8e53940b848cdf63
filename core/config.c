/* config: JSON text -> struct config. Keys are described by tables so that
 * parsing, unknown-key suggestions and config_to_json all read the same list.
 * Every error is one line: "SOURCE[:LINE]: dotted.key: why". */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/config.h"
#include "core/confcheck.h"

/* K_ARGV is a command (the first word names the program); K_LIST shares its
 * storage but is a plain list of non-empty strings (paths). */
enum kind { K_STR, K_INT, K_NUM, K_BOOL, K_ARGV, K_LIST, K_ARGV_LIST, K_JSON, K_HEADERS };

/* One leaf key: where it lives (offset from a base struct) and its range. */
struct key {
    const char *name;
    enum kind kind;
    size_t off;
    double min, max;
    bool nonempty;         /* strings and argv: empty is an error */
};

#define NGX(f) offsetof(struct config, nginx.f)
#define RO(f) offsetof(struct config, rollout.f)
#define COL(f) offsetof(struct config_color, f)
#define PRB(f) offsetof(struct config, probe.f)
#define SIG(f) offsetof(struct config, signals.f)
#define SRV(f) offsetof(struct config, server.f)
#define HK(f) offsetof(struct config, hooks.f)
#define GW(f) offsetof(struct config, gateway.f)

static const struct key nginx_keys[] = {
    { "upstream_file", K_STR, NGX(upstream_file), 0, 0, true },
    { "upstream_name", K_STR, NGX(upstream_name), 0, 0, true },
    { "balance", K_STR, NGX(balance), 0, 0, false },
    { "server_params", K_STR, NGX(server_params), 0, 0, false },
    { "zone_size", K_STR, NGX(zone_size), 0, 0, false },
    { "test", K_ARGV, NGX(test), 0, 0, true },
    { "reload", K_ARGV, NGX(reload), 0, 0, true },
    { "pid_file", K_STR, NGX(pid_file), 0, 0, true },
    { "access_log", K_STR, NGX(access_log), 0, 0, true },
    { "reload_confirm_ms", K_INT, NGX(reload_confirm_ms), 1, 600000, false },
    { NULL, K_STR, 0, 0, 0, false }
};

/* Zero is allowed for the dwell and idle timers: the demo runs without them. */
static const struct key rollout_keys[] = {
    { "step", K_INT, RO(step), 1, 100, false },
    { "ttft_halt_pct", K_NUM, RO(ttft_halt_pct), 0, 100, false },
    { "excess_5xx_points", K_NUM, RO(excess_5xx_points), 0, 100, false },
    { "excess_5xx_for_s", K_INT, RO(excess_5xx_for_s), 1, 86400, false },
    { "drain_idle_s", K_INT, RO(drain_idle_s), 0, 86400, false },
    { "min_dwell_s", K_INT, RO(min_dwell_s), 0, 86400, false },
    { "window_s", K_INT, RO(window_s), 1, 3600, false },
    { "min_samples", K_INT, RO(min_samples), 1, 100000, false },
    { "auto_rollback", K_BOOL, RO(auto_rollback), 0, 0, false },
    { NULL, K_STR, 0, 0, 0, false }
};

static const struct key probe_keys[] = {
    { "interval_s", K_NUM, PRB(interval_s), 0.1, 3600, false },
    { "timeout_s", K_NUM, PRB(timeout_s), 0.1, 3600, false },
    { "path", K_STR, PRB(path), 0, 0, true },
    { "body", K_JSON, PRB(body), 0, 0, true },
    { "headers", K_HEADERS, PRB(headers), 0, 0, false },
    { NULL, K_STR, 0, 0, 0, false }
};

static const struct key signals_keys[] = {
    { "history_s", K_INT, SIG(history_s), 60, 7 * 86400, false },
    { "sockets", K_STR, SIG(sockets), 0, 0, true },
    { "backfill_s", K_INT, SIG(backfill_s), 0, 86400, false },
    { NULL, K_STR, 0, 0, 0, false }
};

static const struct key server_keys[] = {
    { "watch_group", K_STR, SRV(watch_group), 0, 0, false },
    { "control_grace_s", K_NUM, SRV(control_grace_s), 0, 86400, false },
    { "snapshot_series_s", K_INT, SRV(snapshot_series_s), 0, 3600, false },
    { NULL, K_STR, 0, 0, 0, false }
};

static const struct key hooks_keys[] = {
    { "on_rollback", K_ARGV_LIST, HK(on_rollback), 0, 0, false },
    { NULL, K_STR, 0, 0, 0, false }
};

static const struct key gateway_keys[] = {
    { "idle_timeout_s", K_INT, GW(idle_timeout_s), 1, 86400, false },
    { "debug_paths", K_LIST, GW(debug_paths), 0, 0, false },
    { "min_nofile", K_INT, GW(min_nofile), 1, 16777216, false },
    { "health_path", K_STR, GW(health_path), 0, 0, true },
    { NULL, K_STR, 0, 0, 0, false }
};

static const struct key color_keys[] = {
    { "addr", K_STR, COL(addr), 0, 0, true },
    { "stop", K_ARGV, COL(stop), 0, 0, false },
    { "start", K_ARGV, COL(start), 0, 0, false },
    { "version", K_ARGV, COL(version), 0, 0, false },
    { "secret_files", K_LIST, COL(secret_files), 0, 0, false },
    { "log_file", K_STR, COL(log_file), 0, 0, false },
    { "pid_file", K_STR, COL(pid_file), 0, 0, false },
    { NULL, K_STR, 0, 0, 0, false }
};

static const char *const top_keys[] = {
    "nginx", "colors", "rollout", "probe", "signals", "server", "hooks", "gateway",
    "state_dir", "command_timeout_ms", NULL
};

/* Parse context: the text (for line numbers) and the error sink. */
struct ctx {
    const char *text;
    const char *source;
    char *err;
    size_t errlen;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

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

static void argv_clear(struct config_argv *a)
{
    if (a->argv != NULL)
        for (int i = 0; i < a->argc; i++)
            free(a->argv[i]);
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}

/* Builds an argv from a NULL-terminated list; returns -1 on out of memory. */
static int argv_set(struct config_argv *a, const char *const *words, int n)
{
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (v == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        v[i] = dup_str(words[i]);
        if (v[i] == NULL) {
            struct config_argv tmp = { v, i };
            argv_clear(&tmp);
            return -1;
        }
    }
    argv_clear(a);
    a->argv = v;
    a->argc = n;
    return 0;
}

static void argv_list_clear(struct config_argv_list *l)
{
    for (int i = 0; l->items != NULL && i < l->count; i++)
        argv_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static void headers_clear(struct config_headers *h)
{
    for (int i = 0; i < h->count; i++) {
        free(h->name[i]);
        free(h->value[i]);
    }
    free(h->name);
    free(h->value);
    memset(h, 0, sizeof *h);
}

static int set_str(char **slot, const char *value)
{
    char *d = dup_str(value);
    if (d == NULL)
        return -1;
    free(*slot);
    *slot = d;
    return 0;
}

static int load_defaults(struct config *cfg)
{
    static const char *const test[] = { "nginx", "-t" };
    static const char *const reload[] = { "nginx", "-s", "reload" };
    static const char *const addr[COLOR_COUNT] = { "127.0.0.1:8787", "127.0.0.1:8788" };
    static const char *const debug[] = { "/debug", "/admin", "/_internal" };
    int rc = 0;
    rc |= set_str(&cfg->nginx.upstream_file, "/etc/nginx/conf.d/cutover-upstream.conf");
    rc |= set_str(&cfg->nginx.upstream_name, "openclaw_gateway");
    rc |= set_str(&cfg->nginx.balance, "least_conn");
    rc |= set_str(&cfg->nginx.server_params, "max_fails=3 fail_timeout=10s");
    rc |= set_str(&cfg->nginx.zone_size, "64k");
    rc |= argv_set(&cfg->nginx.test, test, 2);
    rc |= argv_set(&cfg->nginx.reload, reload, 3);
    rc |= set_str(&cfg->nginx.pid_file, "/run/nginx.pid");
    rc |= set_str(&cfg->nginx.access_log, "/var/log/nginx/cutover-access.log");
    cfg->nginx.reload_confirm_ms = 5000;
    for (int c = 0; c < COLOR_COUNT; c++) {
        rc |= set_str(&cfg->colors[c].addr, addr[c]);
        rc |= argv_set(&cfg->colors[c].stop, NULL, 0);
        rc |= argv_set(&cfg->colors[c].start, NULL, 0);
        rc |= argv_set(&cfg->colors[c].version, NULL, 0);
        rc |= argv_set(&cfg->colors[c].secret_files, NULL, 0);
        rc |= set_str(&cfg->colors[c].log_file, "");
        rc |= set_str(&cfg->colors[c].pid_file, "");
    }
    cfg->rollout.step = 10;
    cfg->rollout.ttft_halt_pct = 8;
    cfg->rollout.excess_5xx_points = 0.5;
    cfg->rollout.excess_5xx_for_s = 180;
    cfg->rollout.drain_idle_s = 120;
    cfg->rollout.min_dwell_s = 60;
    cfg->rollout.window_s = 60;
    cfg->rollout.min_samples = 5;
    cfg->rollout.auto_rollback = true;
    cfg->probe.interval_s = 2;
    cfg->probe.timeout_s = 10;
    rc |= set_str(&cfg->probe.path, "/v1/chat/completions");
    /* A fixed user per color, so probes do not pile up sessions on the gateway. */
    rc |= set_str(&cfg->probe.body,
                  "{\"model\":\"openclaw\",\"stream\":true,\"user\":\"cutover-probe-{color}\","
                  "\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Reply with: ok\"}]}");
    cfg->signals.history_s = 86400;
    rc |= set_str(&cfg->signals.sockets, "auto");
    cfg->signals.backfill_s = 0;
    rc |= set_str(&cfg->server.watch_group, "");
    cfg->server.control_grace_s = 30;
    cfg->server.snapshot_series_s = 120;
    /* hooks.on_rollback stays empty (calloc'd): nothing runs unless configured. */
    cfg->gateway.idle_timeout_s = 300;
    rc |= argv_set(&cfg->gateway.debug_paths, debug, 3);
    cfg->gateway.min_nofile = 4096;
    rc |= set_str(&cfg->gateway.health_path, "/healthz");
    cfg->state_dir = NULL;
    cfg->command_timeout_ms = 10000;
    return rc;
}

struct config *config_new_defaults(void)
{
    struct config *cfg = calloc(1, sizeof *cfg);
    if (cfg != NULL && load_defaults(cfg) != 0) {
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
    argv_clear(&cfg->nginx.test);
    argv_clear(&cfg->nginx.reload);
    free(cfg->nginx.pid_file);
    free(cfg->nginx.access_log);
    for (int c = 0; c < COLOR_COUNT; c++) {
        free(cfg->colors[c].addr);
        argv_clear(&cfg->colors[c].stop);
        argv_clear(&cfg->colors[c].start);
        argv_clear(&cfg->colors[c].version);
        argv_clear(&cfg->colors[c].secret_files);
        free(cfg->colors[c].log_file);
        free(cfg->colors[c].pid_file);
    }
    free(cfg->probe.path);
    free(cfg->probe.body);
    headers_clear(&cfg->probe.headers);
    free(cfg->signals.sockets);
    free(cfg->server.watch_group);
    argv_list_clear(&cfg->hooks.on_rollback);
    argv_clear(&cfg->gateway.debug_paths);
    free(cfg->gateway.health_path);
    free(cfg->state_dir);
    free(cfg);
}

/* ---- parsing ---------------------------------------------------------- */

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
                     const cJSON *v, const struct key *k, struct config_argv *slot)
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
    if (k->kind == K_LIST) {
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
    rc = argv_set(slot, words, n);
    free(words);
    return rc == 0 ? 0 : fail(c, where, path, "out of memory");
}

/* [["prog", "arg"], ["prog2"]]: every command names its program; an error
 * names the command by its 1-based position. */
static int load_argv_list(const struct ctx *c, const char *where, const char *path,
                          const cJSON *v, struct config_argv_list *slot)
{
    static const struct key one = { "", K_ARGV, 0, 0, 0, true };
    int n = cJSON_GetArraySize(v), i = 0;
    if (!cJSON_IsArray(v))
        return fail(c, where, path, "expected an array of commands (arrays of strings)");
    argv_list_clear(slot);
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
    char *text = cJSON_IsString(v) ? dup_str(v->valuestring) : cJSON_PrintUnformatted(v);
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
    headers_clear(h);
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
        h->name[i] = dup_str(e->string);
        h->value[i] = dup_str(e->valuestring);
        h->count = i + 1;
        if (h->name[i] == NULL || h->value[i] == NULL)
            return fail(c, where, path, "out of memory");
    }
    return 0;
}

static int load_number(const struct ctx *c, const char *where, const char *path,
                       const cJSON *v, const struct key *k, void *slot)
{
    double d;
    if (!cJSON_IsNumber(v))
        return fail(c, where, path, k->kind == K_INT ? "expected an integer"
                                                     : "expected a number");
    d = v->valuedouble;
    /* Range first: casting a huge double to an integer is undefined. */
    if (d < k->min || d > k->max)
        return fail(c, where, path, "%.15g out of range (%.15g-%.15g)", d, k->min, k->max);
    if (k->kind == K_INT && d != (double)(long long)d)
        return fail(c, where, path, "expected an integer, got %.15g", d);
    if (k->kind == K_INT)
        *(int *)slot = (int)d;
    else
        *(double *)slot = d;
    return 0;
}

static int load_leaf(const struct ctx *c, const char *where, const char *path,
                     const cJSON *v, const struct key *k, char *base)
{
    void *slot = base + k->off;
    switch (k->kind) {
    case K_STR:
        if (!cJSON_IsString(v))
            return fail(c, where, path, "expected a string");
        if (k->nonempty && v->valuestring[0] == '\0')
            return fail(c, where, path, "must not be empty");
        return set_str(slot, v->valuestring) == 0 ? 0 : fail(c, where, path, "out of memory");
    case K_BOOL:
        if (!cJSON_IsBool(v))
            return fail(c, where, path, "expected true or false");
        *(bool *)slot = cJSON_IsTrue(v);
        return 0;
    case K_ARGV:
    case K_LIST:
        return load_argv(c, where, path, v, k, slot);
    case K_ARGV_LIST:
        return load_argv_list(c, where, path, v, slot);
    case K_JSON:
        return load_json_text(c, where, path, v, slot);
    case K_HEADERS:
        return load_headers(c, where, path, v, slot);
    default:
        return load_number(c, where, path, v, k, slot);
    }
}

static const struct key *key_find(const struct key *keys, const char *name)
{
    for (const struct key *k = keys; k->name != NULL; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

/* Loads an object whose members are all leaves described by `keys`. */
static int load_table(const struct ctx *c, const char *pos, const char *prefix,
                      const cJSON *obj, const struct key *keys, char *base)
{
    const char *names[16];
    int n = 0;
    for (const struct key *k = keys; k->name != NULL && n < 15; k++)
        names[n++] = k->name;
    names[n] = NULL;
    if (!cJSON_IsObject(obj))
        return fail(c, pos, prefix, "expected an object");
    for (const cJSON *i = obj->child; i != NULL; i = i->next) {
        const char *where = find_key(pos, i->string);
        const struct key *k = key_find(keys, i->string);
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

static int load_colors(const struct ctx *c, const char *pos, const cJSON *obj,
                       struct config *cfg)
{
    if (!cJSON_IsObject(obj))
        return fail(c, pos, "colors", "expected an object");
    for (const cJSON *i = obj->child; i != NULL; i = i->next) {
        const char *where = find_key(pos, i->string);
        int col = color_parse(i->string);
        char path[256];
        join_path(path, sizeof path, "colors", i->string);
        if (col == COLOR_NONE)
            return fail(c, where, path, "unknown color (expected blue or green)");
        if (seen_before(obj, i))
            return fail(c, where, path, "duplicate key");
        if (load_table(c, where, path, i, color_keys, (char *)&cfg->colors[col]) != 0)
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
    return set_str(&cfg->state_dir, v->valuestring) == 0
               ? 0 : fail(c, where, "state_dir", "out of memory");
}

static int load_top_item(const struct ctx *c, const cJSON *i, struct config *cfg)
{
    static const struct key timeout = { "command_timeout_ms", K_INT, 0, 1, 3600000, false };
    const char *where = find_key(c->text, i->string);
    if (strcmp(i->string, "nginx") == 0)
        return load_table(c, where, "nginx", i, nginx_keys, (char *)cfg);
    if (strcmp(i->string, "rollout") == 0)
        return load_table(c, where, "rollout", i, rollout_keys, (char *)cfg);
    if (strcmp(i->string, "probe") == 0)
        return load_table(c, where, "probe", i, probe_keys, (char *)cfg);
    if (strcmp(i->string, "signals") == 0)
        return load_table(c, where, "signals", i, signals_keys, (char *)cfg);
    if (strcmp(i->string, "server") == 0)
        return load_table(c, where, "server", i, server_keys, (char *)cfg);
    if (strcmp(i->string, "hooks") == 0)
        return load_table(c, where, "hooks", i, hooks_keys, (char *)cfg);
    if (strcmp(i->string, "gateway") == 0)
        return load_table(c, where, "gateway", i, gateway_keys, (char *)cfg);
    if (strcmp(i->string, "colors") == 0)
        return load_colors(c, where, i, cfg);
    if (strcmp(i->string, "state_dir") == 0)
        return load_state_dir(c, where, i, cfg);
    if (strcmp(i->string, "command_timeout_ms") == 0)
        return load_number(c, where, i->string, i, &timeout, &cfg->command_timeout_ms);
    return fail_unknown(c, where, "", i->string, top_keys);
}

/* Paths the preflight requests from the gateway must be absolute URL paths. */
static int validate_gateway(const struct ctx *c, const struct config *cfg)
{
    const char *gw = find_key(c->text, "gateway");
    const struct config_argv *dbg = &cfg->gateway.debug_paths;
    if (cfg->gateway.health_path[0] != '/')
        return fail(c, find_key(gw, "health_path"), "gateway.health_path",
                    "'%s' must start with /", cfg->gateway.health_path);
    for (int i = 0; i < dbg->argc; i++)
        if (dbg->argv[i][0] != '/')
            return fail(c, find_key(gw, "debug_paths"), "gateway.debug_paths",
                        "'%s' must start with /", dbg->argv[i]);
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

/* ---- rendering -------------------------------------------------------- */

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

static void table_json(cJSON *obj, const struct key *keys, const char *base)
{
    for (const struct key *k = keys; k->name != NULL; k++) {
        const void *slot = base + k->off;
        if (k->kind == K_STR)
            cJSON_AddStringToObject(obj, k->name, *(char *const *)slot);
        else if (k->kind == K_ARGV || k->kind == K_LIST)
            cJSON_AddItemToObject(obj, k->name, argv_json(slot));
        else if (k->kind == K_ARGV_LIST)
            cJSON_AddItemToObject(obj, k->name, argv_list_json(slot));
        else if (k->kind == K_BOOL)
            cJSON_AddBoolToObject(obj, k->name, *(const bool *)slot);
        else if (k->kind == K_JSON)
            cJSON_AddItemToObject(obj, k->name, json_value(*(char *const *)slot));
        else if (k->kind == K_HEADERS)
            cJSON_AddItemToObject(obj, k->name, headers_json(slot));
        else if (k->kind == K_INT)
            cJSON_AddNumberToObject(obj, k->name, *(const int *)slot);
        else
            cJSON_AddNumberToObject(obj, k->name, *(const double *)slot);
    }
}

char *config_to_json(const struct config *cfg)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *colors;
    char *text;
    if (root == NULL)
        return NULL;
    table_json(cJSON_AddObjectToObject(root, "nginx"), nginx_keys, (const char *)cfg);
    colors = cJSON_AddObjectToObject(root, "colors");
    for (int col = 0; col < COLOR_COUNT; col++)
        table_json(cJSON_AddObjectToObject(colors, color_name((enum color)col)),
                   color_keys, (const char *)&cfg->colors[col]);
    table_json(cJSON_AddObjectToObject(root, "rollout"), rollout_keys, (const char *)cfg);
    table_json(cJSON_AddObjectToObject(root, "probe"), probe_keys, (const char *)cfg);
    table_json(cJSON_AddObjectToObject(root, "signals"), signals_keys, (const char *)cfg);
    table_json(cJSON_AddObjectToObject(root, "server"), server_keys, (const char *)cfg);
    table_json(cJSON_AddObjectToObject(root, "hooks"), hooks_keys, (const char *)cfg);
    table_json(cJSON_AddObjectToObject(root, "gateway"), gateway_keys, (const char *)cfg);
    if (cfg->state_dir != NULL)
        cJSON_AddStringToObject(root, "state_dir", cfg->state_dir);
    cJSON_AddNumberToObject(root, "command_timeout_ms", cfg->command_timeout_ms);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

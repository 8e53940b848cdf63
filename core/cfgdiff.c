/* cfgdiff: walks two config trees side by side, and one tree for its rate
 * limits. What is expected to differ and what is a secret are tables. */
#include "core/cfgdiff.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

/* Keys each instance must have its own of (OpenClaw's and generic
 * spellings). fnmatch without flags: '*' spans dots. */
static const struct {
    const char *glob;
    const char *why;
} expected_keys[] = {
    {"gateway.port", "port"},
    {"*.port", "port"},
    {"*Port", "port"},                 /* a derived port set by hand: cdpPort */
    {"*_port", "port"},
    {"*.workspace", "workspace"},
    {"workspace", "workspace"},
    {"logging.file", "log path"},
    {"*[Ll]og[Ff]ile", "log path"},
    {"*log_file", "log path"},
    {"*[Ss]tate[Dd]ir", "state dir"},
    {"*state_dir", "state dir"},
    {"*[Pp]id[Ff]ile", "pid file"},
};

/* A key whose lower-cased name, '_' and '-' dropped, ends with one of these
 * names a secret ("gateway.auth.token", "providers.x.apiKey"). */
static const char *const secret_suffixes[] = {
    "token", "secret", "password", "passwd", "apikey", "authorization", "cookie",
    "privatekey", "credential", "credentials",
};

static void normalize(const char *key, size_t n, char *out, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < len; i++)
        if (key[i] != '_' && key[i] != '-')
            out[o++] = (char)tolower((unsigned char)key[i]);
    out[o] = '\0';
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool key_is_secret(const char *key, size_t n)
{
    char norm[CFGDIFF_PATH_MAX];
    normalize(key, n, norm, sizeof norm);
    for (size_t i = 0; i < sizeof secret_suffixes / sizeof secret_suffixes[0]; i++)
        if (ends_with(norm, secret_suffixes[i]))
            return true;
    return false;
}

enum cfgdiff_class cfgdiff_classify(const char *path, const char **why)
{
    *why = NULL;
    /* Every key on the path: a SecretRef object under "token" is secret too. */
    for (const char *k = path; *k;) {
        size_t n = strcspn(k, ".[");
        if (n > 0 && key_is_secret(k, n))
            return CFGDIFF_SECRET;
        k += n;
        k += strspn(k, ".[]0123456789");
    }
    for (size_t i = 0; i < sizeof expected_keys / sizeof expected_keys[0]; i++)
        if (fnmatch(expected_keys[i].glob, path, 0) == 0) {
            *why = expected_keys[i].why;
            return CFGDIFF_EXPECTED;
        }
    return CFGDIFF_PLAIN;
}

/* A value shown beside its key: booleans, numbers and null only. */
static void show(const cJSON *v, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!v)
        return;
    if (cJSON_IsBool(v))
        snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, len, "null");
    else if (cJSON_IsNumber(v))
        snprintf(buf, len, "%.10g", v->valuedouble);
}

static void add(struct cfgdiff *d, const char *path, enum cfgdiff_kind kind, const cJSON *a,
                const cJSON *b)
{
    const char *why;
    enum cfgdiff_class cls = cfgdiff_classify(path, &why);
    d->total++;
    d->by_class[cls]++;
    if (d->count >= CFGDIFF_MAX)
        return;
    struct cfgdiff_item *it = &d->items[d->count++];
    memset(it, 0, sizeof *it);
    snprintf(it->path, sizeof it->path, "%s", path);
    it->kind = kind;
    it->cls = cls;
    it->why = why;
    if (cls != CFGDIFF_SECRET) {
        show(a, it->a, sizeof it->a);
        show(b, it->b, sizeof it->b);
    }
}

/* Counts the secret leaves under v that are the same on both sides. */
static void count_same_secrets(const cJSON *v, const char *path, struct cfgdiff *d)
{
    const char *why;
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        if (cfgdiff_classify(path, &why) == CFGDIFF_SECRET && !cJSON_IsArray(v)) {
            d->secrets_same++;   /* a SecretRef: one secret */
            return;
        }
        char sub[CFGDIFF_PATH_MAX];
        int i = 0;
        for (const cJSON *c = v->child; c; c = c->next, i++) {
            if (cJSON_IsArray(v))
                snprintf(sub, sizeof sub, "%s[%d]", path, i);
            else
                snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", c->string);
            count_same_secrets(c, sub, d);
        }
    } else if (cfgdiff_classify(path, &why) == CFGDIFF_SECRET) {
        d->secrets_same++;
    }
}

static void walk(const cJSON *a, const cJSON *b, const char *path, struct cfgdiff *d)
{
    char sub[CFGDIFF_PATH_MAX];
    if (cJSON_Compare(a, b, true)) {
        count_same_secrets(a, path, d);
        return;
    }
    if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
        for (const cJSON *ca = a->child; ca; ca = ca->next) {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", ca->string);
            const cJSON *cb = cJSON_GetObjectItemCaseSensitive(b, ca->string);
            if (cb)
                walk(ca, cb, sub, d);
            else
                add(d, sub, CFGDIFF_ONLY_A, ca, NULL);
        }
        for (const cJSON *cb = b->child; cb; cb = cb->next)
            if (!cJSON_GetObjectItemCaseSensitive(a, cb->string)) {
                snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", cb->string);
                add(d, sub, CFGDIFF_ONLY_B, NULL, cb);
            }
        return;
    }
    if (cJSON_IsArray(a) && cJSON_IsArray(b)
        && cJSON_GetArraySize(a) == cJSON_GetArraySize(b)) {
        int i = 0;
        for (const cJSON *ca = a->child, *cb = b->child; ca && cb;
             ca = ca->next, cb = cb->next, i++) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            walk(ca, cb, sub, d);
        }
        return;
    }
    add(d, path, CFGDIFF_CHANGED, a, b);
}

void cfgdiff_compare(const cJSON *a, const cJSON *b, struct cfgdiff *d)
{
    memset(d, 0, sizeof *d);
    walk(a, b, "", d);
}

/* ---- rate limits ---- */

/* A number field of o whose normalized name is one of names; scale turns
 * it into the unit the caller wants. Returns < 0 when none is there. */
static double field(const cJSON *o, const char *const *names, const double *scale, int n)
{
    for (const cJSON *c = o->child; c; c = c->next) {
        if (!cJSON_IsNumber(c) || !c->string)
            continue;
        char norm[64];
        normalize(c->string, strlen(c->string), norm, sizeof norm);
        for (int i = 0; i < n; i++)
            if (strcmp(norm, names[i]) == 0)
                return c->valuedouble * scale[i];
    }
    return -1;
}

/* Requests a second an object allows: a rate given outright (rps, rpm), or
 * a count over a window (maxRequests over windowMs). */
static double per_second(const cJSON *o)
{
    static const char *const rate[] = {"rps", "persecond", "requestspersecond", "rpm",
                                       "perminute", "requestsperminute", "rph", "perhour"};
    static const double rate_scale[] = {1, 1, 1, 1 / 60.0, 1 / 60.0, 1 / 60.0, 1 / 3600.0,
                                        1 / 3600.0};
    static const char *const count[] = {"maxrequests", "requests", "maxattempts", "max",
                                        "limit", "count", "points"};
    static const double one[] = {1, 1, 1, 1, 1, 1, 1};
    static const char *const window[] = {"windowms", "windows", "windowseconds", "windowsec",
                                         "window", "duration", "intervalms", "interval"};
    static const double window_scale[] = {0.001, 1, 1, 1, 1, 1, 0.001, 1};
    double r = field(o, rate, rate_scale, 8);
    if (r >= 0)
        return r;
    double n = field(o, count, one, 7), w = field(o, window, window_scale, 8);
    return n >= 0 && w > 0 ? n / w : -1;
}

/* Limits known not to be request rates, so they are not held against
 * nginx's limit_req. */
static const struct {
    const char *glob;
    const char *note;
} known_limits[] = {
    {"gateway.auth.rateLimit", "OpenClaw's failed-auth lockout, not a request rate"},
};

static bool is_limit_key(const char *key)
{
    char norm[64];
    normalize(key, strlen(key), norm, sizeof norm);
    return strcmp(norm, "ratelimit") == 0 || strcmp(norm, "ratelimits") == 0;
}

static void find_limits(const cJSON *v, const char *path, struct cfgdiff_limit *out, int max,
                        int *n)
{
    char sub[CFGDIFF_PATH_MAX];
    int i = 0;
    for (const cJSON *c = v->child; c && *n < max; c = c->next, i++) {
        if (cJSON_IsArray(v))
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
        else
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", c->string);
        if (c->string && cJSON_IsObject(c) && is_limit_key(c->string)) {
            struct cfgdiff_limit *l = &out[(*n)++];
            snprintf(l->path, sizeof l->path, "%s", sub);
            l->per_s = per_second(c);
            l->note = NULL;
            for (size_t k = 0; k < sizeof known_limits / sizeof known_limits[0]; k++)
                if (fnmatch(known_limits[k].glob, sub, 0) == 0)
                    l->note = known_limits[k].note;
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            find_limits(c, sub, out, max, n);
        }
    }
}

int cfgdiff_limits(const cJSON *root, struct cfgdiff_limit *out, int max)
{
    int n = 0;
    if (root && (cJSON_IsObject(root) || cJSON_IsArray(root)))
        find_limits(root, "", out, max, &n);
    return n;
}

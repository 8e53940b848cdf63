/* cfgdiff: what differs between the two colors' gateway configs (cJSON
 * trees), as dotted key paths ("gateway.controlUi.enabled",
 * "agents.list[0].workspace"), each classed as expected (a per-instance key:
 * port, state dir, log paths, workspace), secret (a token, key or password:
 * its values are never kept) or plain (worth the operator's eye: a feature
 * flag on one color only). Also finds the rate limits a config sets.
 *
 * Pure; every result is a plain value the caller owns. */
#ifndef CUTOVER_CORE_CFGDIFF_H
#define CUTOVER_CORE_CFGDIFF_H

#include <stdbool.h>

struct cJSON;

#define CFGDIFF_MAX 48
#define CFGDIFF_PATH_MAX 200

enum cfgdiff_kind {
    CFGDIFF_CHANGED,    /* on both sides, different values */
    CFGDIFF_ONLY_A,     /* only the first config has it */
    CFGDIFF_ONLY_B
};

enum cfgdiff_class {
    CFGDIFF_PLAIN,
    CFGDIFF_EXPECTED,
    CFGDIFF_SECRET
};

struct cfgdiff_item {
    char path[CFGDIFF_PATH_MAX];
    enum cfgdiff_kind kind;
    enum cfgdiff_class cls;
    const char *why;    /* EXPECTED: what the key is ("port", "workspace") */
    /* Each side's value when it is safe and short to show: a boolean, a
     * number or null, never a string (a URL or header may hold a secret)
     * and nothing of a secret key; "" when not shown. */
    char a[32], b[32];
};

struct cfgdiff {
    int total;          /* differences found (may exceed the array) */
    int count;          /* kept in items[] */
    int by_class[3];    /* total per enum cfgdiff_class */
    int secrets_same;   /* secret leaves equal on both sides */
    struct cfgdiff_item items[CFGDIFF_MAX];
};

/* Compares two parsed configs into d (emptied first). */
void cfgdiff_compare(const struct cJSON *a, const struct cJSON *b, struct cfgdiff *d);

/* The class of a dotted path: secret when any key on it names a secret
 * (token, apiKey, password, secret, ...: "maxTokens" is not one), expected
 * when it matches a per-instance key (*why set), plain otherwise. */
enum cfgdiff_class cfgdiff_classify(const char *path, const char **why);

/* One rate limit found in a config: an object under a key named like
 * rateLimit / rate_limit / rateLimits. */
#define CFGDIFF_MAX_LIMITS 8
struct cfgdiff_limit {
    char path[CFGDIFF_PATH_MAX];
    double per_s;       /* requests a second it allows, or < 0 when it does not say */
    const char *note;   /* non-NULL: a known limit that is not a request rate (why) */
};

/* Finds the rate limits in one config; returns how many (at most max). */
int cfgdiff_limits(const struct cJSON *root, struct cfgdiff_limit *out, int max);

#endif

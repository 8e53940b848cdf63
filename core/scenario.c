/* scenario: parse a drill file into rules, and decide which rules fire. */
#include "core/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 32
#define MAX_WORDS 16

enum trigger { TRIG_START, TRIG_WEIGHT, TRIG_AFTER, TRIG_EVERY };

struct half {
    struct scenario_set *sets;
    int nsets;
    char *say;
};

struct rule {
    char name[NAME_MAX_LEN];
    enum trigger trig;
    int weight;                  /* TRIG_WEIGHT */
    double seconds;              /* TRIG_AFTER, TRIG_EVERY */
    int base;                    /* rule counted from; -1: the start */
    int line;                    /* where it starts, for errors found at its end */
    bool has_else;
    struct half half[2];         /* [1]: an every rule's `else` half */
    /* run state */
    bool fired;
    double fired_at;
    long periods;                /* TRIG_EVERY: periods already fired */
};

struct scenario {
    struct rule *rules;
    int nrules;
    char *summary;
};

/* What a line may set: the sim's tunables (sim/tunables.c holds the same
 * ranges; checking here puts a typo at its file:line, not mid-drill). */
static const struct {
    const char *key;
    double lo, hi;
    bool integer, boolean;
} tunable_keys[] = {
    {"ttft_ms", 0, 600000, true, false},  {"token_ms", 0, 600000, true, false},
    {"tokens", 1, 100000, true, false},   {"error_rate", 0, 1, false, false},
    {"stream_error_rate", 0, 1, false, false}, {"jitter_pct", 0, 100, false, false},
    {"ttft_sigma", 0, 3, false, false},
    {"draining", 0, 1, false, true},
};

static const char *const target_names[] = {"blue", "green", "candidate", "stable"};

const char *scenario_target_name(enum scenario_target t)
{
    return target_names[t];
}

struct parser {
    const char *file;
    int line;
    char *err;
    size_t errlen;
    struct scenario *s;
    struct rule *cur;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "%s:%d: %s", p->file, p->line, msg);
    return -1;
}

static int find_rule(const struct scenario *s, const char *name)
{
    for (int i = 0; i < s->nrules; i++)
        if (strcmp(s->rules[i].name, name) == 0)
            return i;
    return -1;
}

/* "20s", "1.5s", "2m": seconds, or -1. */
static double parse_duration(const char *w)
{
    char *end;
    errno = 0;
    double v = strtod(w, &end);
    if (errno || end == w || !isfinite(v) || v < 0)
        return -1;
    if (strcmp(end, "s") == 0)
        return v;
    if (strcmp(end, "m") == 0)
        return v * 60;
    return -1;
}

static bool valid_name(const char *w)
{
    size_t n = strlen(w);
    if (n == 0 || n >= NAME_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)w[i]) && w[i] != '_' && w[i] != '-')
            return false;
    return true;
}

/* `after NAME` at words[i]: the rule counted from. */
static int parse_base(struct parser *p, char **w, int n, int i, int *base)
{
    *base = -1;
    if (i == n)
        return 0;
    if (i + 2 != n || strcmp(w[i], "after") != 0)
        return fail(p, "expected 'after RULE' at the end of the trigger");
    if (strcmp(w[i + 1], "start") == 0)
        return 0; /* the drill's own start */
    *base = find_rule(p->s, w[i + 1]);
    if (*base < 0)
        return fail(p, "no rule '%s' before this line to count from", w[i + 1]);
    return 0;
}

/* The words after `on`: start | weight >= N | T after RULE | every T [after RULE]. */
static int parse_trigger(struct parser *p, struct rule *r, char **w, int n)
{
    if (n == 1 && strcmp(w[0], "start") == 0) {
        r->trig = TRIG_START;
        return 0;
    }
    if (n == 3 && strcmp(w[0], "weight") == 0) {
        char *end;
        long v = strtol(w[2], &end, 10);
        if (strcmp(w[1], ">=") != 0)
            return fail(p, "expected 'weight >= N'");
        if (*end || end == w[2] || v < 0 || v > 100)
            return fail(p, "weight '%s' is not a percent 0..100", w[2]);
        r->trig = TRIG_WEIGHT;
        r->weight = (int)v;
        return 0;
    }
    if (n >= 2 && strcmp(w[0], "every") == 0) {
        r->trig = TRIG_EVERY;
        r->seconds = parse_duration(w[1]);
        if (!(r->seconds > 0))
            return fail(p, "'%s' is not a period above 0 (like 10s or 2m)", w[1]);
        return parse_base(p, w, n, 2, &r->base);
    }
    if (n == 3 && strcmp(w[1], "after") == 0) {
        r->trig = TRIG_AFTER;
        r->seconds = parse_duration(w[0]);
        if (r->seconds < 0)
            return fail(p, "'%s' is not a duration (like 20s or 2m)", w[0]);
        return parse_base(p, w, n, 1, &r->base);
    }
    return fail(p, "unknown trigger (expected: start | weight >= N | T after RULE | "
                   "every T [after RULE])");
}

static int parse_rule(struct parser *p, char **w, int n)
{
    if (n < 4 || strcmp(w[2], "on") != 0)
        return fail(p, "expected 'rule NAME on TRIGGER'");
    if (!valid_name(w[1]))
        return fail(p, "rule name '%s' must be 1 to %d letters, digits, '-' or '_'", w[1],
                    NAME_MAX_LEN - 1);
    if (strcmp(w[1], "start") == 0)
        return fail(p, "'start' names the drill's start; call the rule something else");
    if (find_rule(p->s, w[1]) >= 0)
        return fail(p, "rule '%s' is defined twice", w[1]);
    struct rule r = {.base = -1, .line = p->line};
    snprintf(r.name, sizeof r.name, "%s", w[1]);
    if (parse_trigger(p, &r, w + 3, n - 3) != 0)
        return -1;
    struct rule *nr = realloc(p->s->rules, (size_t)(p->s->nrules + 1) * sizeof *nr);
    if (!nr)
        return fail(p, "out of memory");
    p->s->rules = nr;
    nr[p->s->nrules] = r;
    p->cur = &nr[p->s->nrules++];
    return 0;
}

/* "ttft_ms, token_ms, ... or draining", from the table. */
static void tunable_names(char *out, size_t len)
{
    size_t n = sizeof tunable_keys / sizeof tunable_keys[0], used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n && used < len; k++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
        int w = snprintf(out + used, len - used, "%s%s", sep, tunable_keys[k].key);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int check_value(struct parser *p, int k, const char *v)
{
    if (tunable_keys[k].boolean) {
        const char *ok[] = {"0", "1", "true", "false", "on", "off"};
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
            if (strcmp(v, ok[i]) == 0)
                return 0;
        return fail(p, "%s: '%s' is not 0 or 1", tunable_keys[k].key, v);
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    bool whole = !tunable_keys[k].integer || (d >= 0 && d < 1e9 && d == (double)(long)d);
    if (errno || end == v || *end || !(d >= tunable_keys[k].lo && d <= tunable_keys[k].hi) ||
        !whole)
        return fail(p, "%s: '%s' is not %s %g..%g", tunable_keys[k].key, v,
                    tunable_keys[k].integer ? "an integer" : "a number", tunable_keys[k].lo,
                    tunable_keys[k].hi);
    return 0;
}

/* One KEY=VALUE word into set->pair, the key normalised as the sim does. */
static int parse_pair(struct parser *p, struct scenario_set *set, char *word)
{
    char *eq = strchr(word, '=');
    if (!eq || eq == word)
        return fail(p, "'%s' is not KEY=VALUE", word);
    *eq = '\0';
    for (char *c = word; *c; c++)
        if (*c == '-')
            *c = '_';
    for (size_t k = 0; k < sizeof tunable_keys / sizeof tunable_keys[0]; k++) {
        if (strcmp(word, tunable_keys[k].key) != 0)
            continue;
        if (check_value(p, (int)k, eq + 1) != 0)
            return -1;
        int len = snprintf(set->pair[set->npairs], sizeof set->pair[0], "%s=%s", word, eq + 1);
        if (len < 0 || (size_t)len >= sizeof set->pair[0])
            return fail(p, "value of %s is too long", word);
        set->npairs++;
        return 0;
    }
    char names[200];
    tunable_names(names, sizeof names);
    return fail(p, "unknown tunable '%s' (expected %s)", word, names);
}

static struct half *current_half(struct parser *p)
{
    return &p->cur->half[p->cur->has_else ? 1 : 0];
}

static int parse_set(struct parser *p, char **w, int n)
{
    struct scenario_set set = {0};
    int t;
    if (n < 3)
        return fail(p, "expected 'set COLOR KEY=VALUE...'");
    for (t = 0; t < 4 && strcmp(w[1], target_names[t]) != 0; t++)
        ;
    if (t == 4)
        return fail(p, "'%s' is not blue, green, candidate or stable", w[1]);
    if (n - 2 > SCENARIO_MAX_PAIRS)
        return fail(p, "at most %d KEY=VALUE pairs on one line", SCENARIO_MAX_PAIRS);
    set.target = (enum scenario_target)t;
    for (int i = 2; i < n; i++)
        if (parse_pair(p, &set, w[i]) != 0)
            return -1;
    struct half *h = current_half(p);
    struct scenario_set *ns = realloc(h->sets, (size_t)(h->nsets + 1) * sizeof *ns);
    if (!ns)
        return fail(p, "out of memory");
    h->sets = ns;
    ns[h->nsets++] = set;
    return 0;
}

/* Appends text to *dst, a newline between lines. */
static int append_line(struct parser *p, char **dst, const char *text)
{
    size_t old = *dst ? strlen(*dst) : 0, add = strlen(text);
    char *nd = realloc(*dst, old + add + 2);
    if (!nd)
        return fail(p, "out of memory");
    if (old)
        nd[old++] = '\n';
    memcpy(nd + old, text, add + 1);
    *dst = nd;
    return 0;
}

/* The rest of the line after the keyword, trimmed. */
static const char *rest_of(const char *line, const char *keyword)
{
    const char *r = strstr(line, keyword) + strlen(keyword);
    while (isspace((unsigned char)*r))
        r++;
    return r;
}

static bool half_empty(const struct half *h)
{
    return h->nsets == 0 && !h->say;
}

/* A rule is complete when its last half does something. */
static int finish_rule(struct parser *p)
{
    if (!p->cur)
        return 0;
    int here = p->line, rc = 0;
    p->line = p->cur->line;
    if (half_empty(&p->cur->half[0]))
        rc = fail(p, "rule '%s' has no 'set' or 'say'", p->cur->name);
    else if (p->cur->has_else && half_empty(&p->cur->half[1]))
        rc = fail(p, "rule '%s' has no 'set' or 'say' after 'else'", p->cur->name);
    p->line = here;
    return rc;
}

static int parse_in_rule(struct parser *p, const char *line, char **w, int n)
{
    if (!p->cur)
        return fail(p, "'%s' outside a rule (start one with 'rule NAME on TRIGGER')", w[0]);
    if (strcmp(w[0], "set") == 0)
        return parse_set(p, w, n);
    if (strcmp(w[0], "say") == 0) {
        if (!*rest_of(line, "say"))
            return fail(p, "'say' needs a text");
        return append_line(p, &current_half(p)->say, rest_of(line, "say"));
    }
    /* else */
    if (n != 1)
        return fail(p, "'else' stands alone on its line");
    if (p->cur->trig != TRIG_EVERY)
        return fail(p, "'else' only belongs in an 'every' rule (the other half of the toggle)");
    if (p->cur->has_else)
        return fail(p, "rule '%s' has two 'else' lines", p->cur->name);
    if (half_empty(&p->cur->half[0]))
        return fail(p, "rule '%s' has no 'set' or 'say' before 'else'", p->cur->name);
    p->cur->has_else = true;
    return 0;
}

static int parse_line(struct parser *p, char *line)
{
    char copy[1024], *w[MAX_WORDS];
    int n = 0;
    if (strlen(line) >= sizeof copy)
        return fail(p, "line longer than %zu characters", sizeof copy - 1);
    snprintf(copy, sizeof copy, "%s", line);
    /* A word starting with '#' ends the words (a comment); say and summary
     * take the rest of the line as it is, '#' included. */
    for (char *save = NULL, *t = strtok_r(copy, " \t\r", &save); t && t[0] != '#' &&
         n < MAX_WORDS; t = strtok_r(NULL, " \t\r", &save))
        w[n++] = t;
    if (n == 0)
        return 0;
    if (strcmp(w[0], "summary") == 0)
        return append_line(p, &p->s->summary, rest_of(line, "summary"));
    if (strcmp(w[0], "rule") == 0) {
        if (finish_rule(p) != 0)
            return -1;
        return parse_rule(p, w, n);
    }
    if (strcmp(w[0], "set") == 0 || strcmp(w[0], "say") == 0 || strcmp(w[0], "else") == 0)
        return parse_in_rule(p, line, w, n);
    return fail(p, "unknown line '%s' (expected summary, rule, set, say, else or # comment)",
                w[0]);
}

int scenario_parse(const char *text, const char *file, struct scenario **out, char *err,
                   size_t errlen)
{
    struct parser p = {.file = file, .err = err, .errlen = errlen};
    char *buf = strdup(text);
    p.s = calloc(1, sizeof *p.s);
    int rc = 0;
    if (!buf || !p.s) {
        snprintf(err, errlen, "%s: out of memory", file);
        rc = -1;
    }
    char *line = buf;
    while (rc == 0 && line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') /* a file saved with CRLF */
            line[len - 1] = '\0';
        p.line++;
        rc = parse_line(&p, line);
        line = nl ? nl + 1 : NULL;
    }
    if (rc == 0 && p.s->nrules == 0)
        rc = fail(&p, "no rules (a drill needs at least one 'rule NAME on TRIGGER')");
    if (rc == 0)
        rc = finish_rule(&p);
    free(buf);
    if (rc != 0) {
        scenario_free(p.s);
        return -1;
    }
    *out = p.s;
    return 0;
}

void scenario_free(struct scenario *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nrules; i++)
        for (int h = 0; h < 2; h++) {
            free(s->rules[i].half[h].sets);
            free(s->rules[i].half[h].say);
        }
    free(s->rules);
    free(s->summary);
    free(s);
}

const char *scenario_summary(const struct scenario *s)
{
    return s->summary ? s->summary : "";
}

int scenario_rule_count(const struct scenario *s)
{
    return s->nrules;
}

static void fire(struct rule *r, int half, double elapsed, scenario_fire_fn fn, void *arg)
{
    const struct half *h = &r->half[half];
    struct scenario_fire f = {.rule = r->name, .say = h->say, .sets = h->sets,
                              .nsets = h->nsets, .elapsed = elapsed};
    if (!r->fired)
        r->fired_at = elapsed;
    r->fired = true;
    fn(arg, &f);
}

/* When the rule's count starts: the start, or when its base rule fired;
 * -1 while the base rule has not fired. */
static double base_time(const struct scenario *s, const struct rule *r)
{
    if (r->base < 0)
        return 0;
    const struct rule *b = &s->rules[r->base];
    return b->fired ? b->fired_at : -1;
}

/* An every rule's period k (1, 2, ...) fires its first half when k is odd,
 * its else half when even; a rule without else repeats its one half. */
static bool tick_every(struct scenario *s, struct rule *r, double elapsed, scenario_fire_fn fn,
                       void *arg)
{
    double base = base_time(s, r);
    if (base < 0)
        return false;
    long k = elapsed < base ? 0 : (long)((elapsed - base) / r->seconds + 1e-9);
    if (k <= r->periods)
        return false;
    r->periods = k;
    fire(r, r->has_else && k % 2 == 0 ? 1 : 0, elapsed, fn, arg);
    return true;
}

int scenario_tick(struct scenario *s, double elapsed, int weight, scenario_fire_fn fn, void *arg)
{
    int fired = 0;
    for (int i = 0; i < s->nrules; i++) {
        struct rule *r = &s->rules[i];
        if (r->trig == TRIG_EVERY) {
            fired += tick_every(s, r, elapsed, fn, arg);
            continue;
        }
        if (r->fired)
            continue;
        double base = base_time(s, r);
        bool due = (r->trig == TRIG_START) ||
                   (r->trig == TRIG_WEIGHT && weight >= r->weight) ||
                   (r->trig == TRIG_AFTER && base >= 0 && elapsed >= base + r->seconds - 1e-9);
        if (due) {
            fire(r, 0, elapsed, fn, arg);
            fired++;
        }
    }
    return fired;
}

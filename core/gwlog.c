/* gwlog: the gateway's log lines, read through a format table. */
#include "core/gwlog.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

/* Where a format keeps a line's level and its text. A gateway with another
 * log shape is a row here. */
struct gwlog_format {
    const char *name;
    const char *level_path[2];     /* object keys, outermost first; NULL ends */
    const char *message_keys[4];   /* tried in order, each a string field; NULL ends */
    bool matched;                  /* its lines are matched against the failure patterns */
};

/* Tried in order; a line is read by the first whose text it has.
 * tslog as OpenClaw writes it: `message` is the whole text; a subsystem
 * logger's arguments are "0" ({"subsystem":...}) and "1" (the text).
 * cutover-sim's request lines (`level`, `msg`), which share the light
 * demo's log_file with its OpenClaw lines: log lines, never failures (the
 * OpenClaw line beside each counts it once, and a broad pattern matching a
 * request line too would count it twice). */
static const struct gwlog_format formats[] = {
    {"openclaw", {"_meta", "logLevelName"}, {"message", "1", "0", NULL}, true},
    {"cutover-sim", {"level", NULL}, {"msg", NULL}, false},
};

/* tslog's level names: a pattern's prefix before ':' is a level only when
 * it is one of these, so "openai-compat: ..." stays a text. */
static const char *const levels[] = {"SILLY", "TRACE", "DEBUG", "INFO", "WARN", "ERROR",
                                     "FATAL", "*"};

/* Whether p's first n bytes are the upper-case name, in either case (ASCII
 * only: a locale must not change what a pattern means). */
static bool same_name(const char *p, const char *name, size_t n)
{
    if (strlen(name) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 'a' + 'A') : p[i];
        if (c != name[i])
            return false;
    }
    return true;
}

/* The level a pattern starts with ("WARN:", "warn:"), or -1. */
static int level_prefix(const char *p)
{
    const char *colon = strchr(p, ':');
    if (!colon)
        return -1;
    size_t n = (size_t)(colon - p);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (same_name(p, levels[i], n))
            return (int)i;
    return -1;
}

int gwlog_rules_parse(const char *const *patterns, int n, struct gwlog_rules *out, char *msg,
                      size_t msglen)
{
    memset(out, 0, sizeof *out);
    if (n > GWLOG_MAX_RULES) {
        snprintf(msg, msglen, "%d patterns, at most %d", n,
                 GWLOG_MAX_RULES);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct gwlog_rule *r = &out->rule[i];
        const char *p = patterns[i];
        int lv = level_prefix(p);
        if (lv >= 0) {
            if (strcmp(levels[lv], "*") != 0)
                snprintf(r->level, sizeof r->level, "%s", levels[lv]);
            p = strchr(p, ':') + 1;
            while (*p == ' ')
                p++;
        }
        if (*p == '\0') {
            snprintf(msg, msglen, "pattern %d \"%s\" has no text to match (write \"LEVEL:text\" "
                     "or \"text\")", i + 1, patterns[i]);
            return -1;
        }
        r->text = p;
    }
    out->n = n;
    return 0;
}

static const cJSON *at_path(const cJSON *o, const char *const *path, size_t n)
{
    for (size_t i = 0; i < n && path[i] && o; i++)
        o = cJSON_GetObjectItemCaseSensitive(o, path[i]);
    return o;
}

static bool rule_matches(const struct gwlog_rule *r, const char *level,
                         const char *const texts[], int n_texts)
{
    if (r->level[0] && (!level || strcmp(level, r->level) != 0))
        return false;
    for (int i = 0; i < n_texts; i++)
        if (strstr(texts[i], r->text))
            return true;
    return false;
}

static enum gwlog_verdict judge(const struct gwlog_rules *r, const struct gwlog_format *f,
                                const cJSON *o, int *rule)
{
    const char *texts[4];
    int n = 0;
    for (int i = 0; i < 4 && f->message_keys[i]; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, f->message_keys[i]);
        if (cJSON_IsString(m))
            texts[n++] = m->valuestring;
    }
    if (n == 0)
        return GWLOG_MALFORMED;
    if (!f->matched)
        return GWLOG_OTHER;
    const cJSON *lv = at_path(o, f->level_path, 2);
    const char *level = cJSON_IsString(lv) ? lv->valuestring : NULL;
    for (int i = 0; i < r->n; i++)
        if (rule_matches(&r->rule[i], level, texts, n)) {
            *rule = i;
            return GWLOG_FAILURE;
        }
    return GWLOG_OTHER;
}

enum gwlog_verdict gwlog_line(const struct gwlog_rules *r, const char *line, size_t len,
                              int *rule)
{
    int unused;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    cJSON *o = len > 0 ? cJSON_ParseWithLength(line, len) : NULL;
    enum gwlog_verdict v = GWLOG_MALFORMED;
    for (size_t f = 0; cJSON_IsObject(o) && v == GWLOG_MALFORMED &&
                       f < sizeof formats / sizeof formats[0]; f++)
        v = judge(r, &formats[f], o, rule ? rule : &unused);
    cJSON_Delete(o);
    return v;
}

void gwlog_rule_text(const struct gwlog_rules *r, int rule, char *buf, size_t len)
{
    if (rule < 0 || rule >= r->n) {
        snprintf(buf, len, "?");
        return;
    }
    const struct gwlog_rule *g = &r->rule[rule];
    snprintf(buf, len, "%s%s%s", g->level, g->level[0] ? " " : "", g->text);
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

void gwlog_failure_sample(struct metric_sample *out)
{
    memset(out, 0, sizeof *out);
    metric_sample_set(out, METRIC_GW_FAILURES, 1);
}

/* gwlog: one line of the gateway's own log -> "a user request failed", or
 * not. nginx logs a request the gateway failed inside its stream as 200
 * (OpenClaw sends the role chunk, then an error event, then [DONE]), so the
 * failure ratio of user traffic needs the gateway's word for it.
 *
 * A line is a JSON object; where its level and message sit is a row of the
 * format table (gwlog.c: OpenClaw's tslog lines: `_meta.logLevelName`, and
 * the text in `message` or the numbered arguments "1", "0"). A failure is a
 * line that matches one of the rules (config `gateway.failure_patterns`),
 * each "LEVEL:text" (the level one of tslog's names, or "*": any) or a bare
 * text (any level); the text must occur in the message. The default rule is
 * OpenClaw 2026.9's one line per failed streamed run, its WARN
 * "streaming chat completion failed: ..."; the ERROR lines the same failure
 * also causes ("lane task error", "model fallback chain stopped") are not
 * matched, so a failure counts once.
 *
 * Ownership: struct gwlog_rules is a plain value; its texts point into the
 * pattern strings the caller passed (which must outlive it). Pure. */
#ifndef CUTOVER_CORE_GWLOG_H
#define CUTOVER_CORE_GWLOG_H

#include <stddef.h>
#include "core/metric.h"

#define GWLOG_MAX_RULES 16

/* The default of `gateway.failure_patterns`. */
#define GWLOG_DEFAULT_PATTERN "WARN:streaming chat completion failed"

struct gwlog_rule {
    char level[8];                 /* "WARN"; "" any level */
    const char *text;              /* must occur in the line's message */
};

struct gwlog_rules {
    int n;
    struct gwlog_rule rule[GWLOG_MAX_RULES];
};

/* Compiles the patterns; 0, or -1 with msg naming the bad pattern (empty,
 * an empty text after the level, too many). */
int gwlog_rules_parse(const char *const *patterns, int n, struct gwlog_rules *out, char *msg,
                      size_t msglen);

enum gwlog_verdict {
    GWLOG_OTHER,                   /* a log line, not a failure */
    GWLOG_FAILURE,                 /* a user request failed */
    GWLOG_MALFORMED                /* not a JSON object with a message: skipped, counted */
};

/* rule (NULL: not wanted) gets the index of the rule a failure matched. */
enum gwlog_verdict gwlog_line(const struct gwlog_rules *r, const char *line, size_t len,
                              int *rule);

/* A rule as the config wrote it, "WARN streaming chat completion failed"
 * (control bytes as '?'): what a failure row may say of the line it came
 * from, since the line's own text may hold a user's conversation. */
void gwlog_rule_text(const struct gwlog_rules *r, int rule, char *buf, size_t len);

/* The sample a failure line brings the window: one in-stream failure. */
void gwlog_failure_sample(struct metric_sample *out);

#endif

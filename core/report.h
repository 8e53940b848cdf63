/* report: a cutover after the fact, from its timeline (core/timeline.h):
 * each step with its start, dwell, weights and the signals per color
 * over it, every guard level change, every operator action with who and
 * why, and the total time. Rendered as Markdown (for people) or JSON (keys
 * documented in docs/timeline.md, "Report").
 *
 * Ownership: report_build returns a model the caller frees with
 * report_free; the render functions return strings the caller frees.
 * Pure: no I/O, no clock. */
#ifndef CUTOVER_CORE_REPORT_H
#define CUTOVER_CORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "core/color.h"
#include "core/metric.h"
#include "core/timeline.h"

#define REPORT_TEXT 512

/* One signal of one color over a span of seconds; the parts its kind
 * uses are set (core/metric.h), -1 where no second had a value. */
struct report_value {
    double sum;                  /* SUM: over the span */
    double ratio;                /* a SUM with a ratio: sum / the ratio_of's sum; -1 without any */
    double avg, max;             /* GAUGE: over the seconds it was known */
    double last;                 /* LATENCY: the window p95 at the span's last second
                                    (what the next step's guard saw); max: the highest */
    double n;                    /* GAUGE: seconds it was known (while averaging) */
};

/* The signals of one color over a span of seconds. */
struct report_signals {
    int seconds;                 /* samples with a row for this color */
    struct report_value v[METRIC_COUNT];
};

struct report_step {
    int index;                   /* 0: the baseline before the first move */
    double start;                /* unix seconds */
    double dwell_s;              /* until the next step, the end or the last sample */
    int weight[COLOR_COUNT];
    char action[32];             /* "baseline", "shift", "rollback", ... */
    char user[64];
    struct report_signals sig[COLOR_COUNT];
};

struct report_guard {
    double at;
    char name[32];
    char from[16], to[16];       /* "ok", "watching", "tripped" */
    char text[REPORT_TEXT];
};

struct report_action {
    double at;
    char action[32];
    char outcome[32];
    char user[64];
    char ssh_client[128];        /* "" when local */
    int before[COLOR_COUNT], after[COLOR_COUNT];   /* -1 unknown */
    bool forced;                 /* an override of a guard or preflight */
    bool from_journal;           /* written from the journal at a server's start:
                                    no server ran when it happened */
    char reason[REPORT_TEXT];    /* the override's reason; "" otherwise */
    char detail[REPORT_TEXT];    /* the journal's error/detail text */
};

struct report {
    char id[64], host[128];
    enum color stable, candidate;
    double started;              /* the header's start (the first move) */
    double first_at, last_at;    /* the first and last line's time */
    char outcome[32];            /* the end line's, or "unfinished" */
    /* What happened, read from the moves as well as the end line:
     * "completed", "rolled-back", "auto-rolled-back", "abandoned",
     * "interrupted" (the last move's intent has no outcome, or it was
     * found interrupted), "in-progress" or "continued"; result_why says
     * why when there is more to say (the auto-rollback's reason, the
     * interrupted move). */
    char result[24];
    char result_why[REPORT_TEXT];
    double end_at;               /* the end line's time; 0 when unfinished */
    double done_at;              /* the move that reached the final weights; 0 none */
    double total_s;              /* started -> done_at; -1 when never done */
    int final_weight[COLOR_COUNT];
    int samples, preroll_samples, filled_samples, malformed;
    struct report_step *step;
    size_t n_steps;
    struct report_guard *guard;
    size_t n_guards;
    struct report_action *action;
    size_t n_actions;
};

/* Returns 0, or -1 with err (out of memory). */
int report_build(const struct timeline *t, struct report *out, char *err, size_t errlen);
void report_free(struct report *r);

char *report_markdown(const struct report *r);
char *report_json(const struct report *r);

#endif

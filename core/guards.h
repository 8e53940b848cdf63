/* guards: the runbook's rules as pure decisions, listed once in
 * guards_rules (the end of this header). A step toward the candidate waits
 * for the rules that hold steps; a sustained 5xx excess trips (the caller rolls back, or alarms when auto_rollback is off);
 * the color at 0 drains until its connections have been 0 for drain_idle_s.
 *
 * Ownership: nothing here allocates. The caller owns every struct (the two
 * trackers are plain values it embeds and feeds); window stats are read, not
 * kept. Pure: time is passed in as `now`, unix seconds (fractions allowed).
 * Every result carries the numbers that decided it and a one-line text. */
#ifndef CUTOVER_CORE_GUARDS_H
#define CUTOVER_CORE_GUARDS_H

#include <stdbool.h>
#include <stdint.h>
#include "core/color.h"
#include "core/config.h"
#include "core/median_shift.h"
#include "core/window.h"

/* Three parts (failures, TTFT, dwell) and their glue fit, so a refusal that
 * names every reason is never cut. */
#define GUARDS_TEXT 576

struct guards_params {
    double ttft_halt_pct;          /* refuse when the candidate's TTFT is more than this % over */
    bool ttft_p95;                 /* compare p95s (rollout.ttft_stat "p95"); else medians,
                                      as the runbook says: a p95 of a few probes is their
                                      largest, and decides on noise */
    int min_samples;               /* successful probes per color needed to judge TTFT */
    struct median_shift_settings ttft_settings;   /* the median verdict's (min_samples in it) */
    int down_after;                /* a candidate whose latest probes failed this many in a
                                      row is down: refused at once, whatever its window says */
    int min_dwell_s;               /* weights hold this long before the next step up */
    double excess_5xx_points;      /* candidate ratio minus stable ratio, in points */
    int excess_5xx_for_s;          /* how long the excess must last to trip */
    int excess_min_requests;       /* rollout.excess_min_requests: fewer candidate requests
                                      in the window are not judged (1 of 1 reads as 100%) */
    bool auto_rollback;            /* what a trip does: roll back, or alarm */
    int drain_idle_s;              /* 0 connections this long: drained */
    double concurrency_ratio;      /* candidate's connections per weight over the stable's */
    int concurrency_for_s;         /* ... this long: alarm */
    int concurrency_min_connections;  /* fewer candidate connections are not compared */
};

void guards_params_from_config(const struct config *cfg, struct guards_params *out);

enum guards_level { GUARDS_OK, GUARDS_WATCHING, GUARDS_TRIPPED };
const char *guards_level_name(enum guards_level l);   /* "ok", "watching", "tripped" */

/* ---- a step: TTFT halt and dwell ---------------------------------------- */

/* What refused a step, as bits: a step can be refused for several reasons. */
#define GUARDS_REFUSED_TTFT 1      /* candidate's TTFT over the limit */
#define GUARDS_REFUSED_SAMPLES 2   /* TTFT undecided: too few probes, or not yet sure
                                      either way (more probes decide it) */
#define GUARDS_REFUSED_DWELL 4     /* the current weights have not held long enough */
#define GUARDS_REFUSED_FAILURES 8  /* the candidate's failure ratio is surely over the stable's
                                      by more than excess_5xx_points */
#define GUARDS_REFUSED_DOWN 16     /* the candidate's latest probes all failed */

/* One color's probes in the window, as the collector keeps them. */
struct guards_probes {
    const double *ms;              /* each successful probe's TTFT, ms */
    size_t n;
    unsigned fail_streak;          /* its latest probes that failed in a row */
};

/* A failure ratio with the counts behind it. */
struct guards_ratio {
    uint64_t failed, requests;
    uint64_t part[2];              /* failed by the failure row's parts (5xx, in-stream) */
    double ratio;                  /* failed / requests; 0 when no requests */
};

/* The candidate's failure ratio against the stable's, with how sure the
 * difference is (a one-sided 99% bound, core/proportion.h): the step rule
 * refuses when even the low end is over the limit, so a handful of requests
 * never refuses and a clear excess does at once. */
struct guards_failures {
    bool judged;                   /* the stable served requests in the window, and the
                                      candidate excess_min_requests */
    struct guards_ratio stable, candidate;
    double excess_points;          /* (candidate - stable) * 100 */
    double low_points, high_points;  /* the bounds of that difference, in points */
    double limit_points;
};

struct guards_step {
    bool allowed;
    bool toward_candidate;         /* false: toward stable or no move: never refused */
    int refused;                   /* GUARDS_REFUSED_* bits; 0 when allowed */
    enum color stable, candidate;
    bool ttft_judged;              /* decided: p95, both colors had min_samples successful
                                      probes; median, the verdict is pass or halt */
    struct median_shift_result ttft;   /* the median verdict (ttft_stat "median") */
    unsigned candidate_fail_streak;
    bool candidate_down;           /* that streak reached down_after */
    size_t ttft_min;               /* probes per color the median verdict needs */
    const char *ttft_stat;         /* "median" or "p95": what was compared */
    double stable_ms, candidate_ms;  /* that statistic of each color's TTFT */
    double over_pct;               /* (cand - stable) / stable * 100; negative when faster */
    double limit_pct;
    uint64_t stable_samples, candidate_samples;   /* successful probes in the window */
    uint64_t stable_failed, candidate_failed;     /* failed probes in the window */
    int min_samples;
    struct guards_failures failures;
    double held_s;                 /* how long the current weights have held */
    double dwell_remaining_s;      /* 0 when the dwell has passed */
    char text[GUARDS_TEXT];        /* "refused: green median TTFT 181.2 ms is 20.8% over ..." */
    bool deciding;                 /* set by the caller: a step waits on this verdict now
                                      (runtime/decider bursts probes for it) */
};

/* Seconds of the dwell still to wait. since <= 0 means unknown (no move on
 * record): the weights are taken to have held long enough. A clock that went
 * back (now < since) waits the whole dwell. */
double guards_dwell_remaining(int min_dwell_s, double since, double now);
/* "the weights have held 18 s of the 60 s dwell (42 s left)", or "dwell of
 * 60 s passed": the one wording of a dwell refusal, wherever it is judged. */
void guards_dwell_text(double held_s, int min_dwell_s, double remaining_s, char *buf, size_t n);

/* May weights move from `before` to `after` now? st[] is the window's stats
 * per color, probes[] its probes per color (NULL: none kept, so the median
 * verdict is undecided); `since` is when the current weights were set (the
 * last move's time, or rollout_state.since). Moves that do not raise the
 * candidate's weight are always allowed (rollback and steps back are never
 * held). A step refused only as GUARDS_REFUSED_SAMPLES is decided by more
 * probes (see runtime/decider.h). */
void guards_check_step(const struct guards_params *p, enum color stable,
                       const int before[COLOR_COUNT], const int after[COLOR_COUNT],
                       const struct window_stats st[COLOR_COUNT],
                       const struct guards_probes probes[COLOR_COUNT], double since, double now,
                       struct guards_step *out);

/* ---- 5xx excess --------------------------------------------------------- */

/* The excess rolls back only when it is this unlikely to be chance. */
#define GUARDS_EXCESS_SURE 0.01

/* Fed once per second (or per snapshot). The excess is measured on the
 * window's ratios, so a burst keeps counting as long as it keeps the window's
 * ratio over the line (up to window_s after it ends); any update that does not
 * exceed (recovered, too few candidate requests, no stable traffic) restarts
 * the sustain. It trips once the excess has lasted the sustain and the
 * window is sure the candidate fails more than the stable (an excess this
 * large is under 1% likely by chance, core/proportion.h): one failure in 57
 * reads as 1.75 points over, and is noise (8.7% likely). Until sure it keeps
 * watching, saying so. A trip holds until the candidate's weight returns
 * to 0. */
struct guards_excess {
    enum guards_level level;
    double since;                  /* first exceeding update of this run; < 0 when none */
    double exceeding_s;            /* now - since while exceeding */
    int candidate_weight;
    double candidate_ratio, stable_ratio;   /* 0..1 */
    double excess_points;          /* (candidate - stable) * 100 */
    double chance;                 /* how likely a candidate failing no more than the
                                      stable shows this excess (Fisher's exact test) */
    bool sure;                     /* judged, and chance under GUARDS_EXCESS_SURE */
    uint64_t candidate_requests, stable_requests;
    uint64_t candidate_failures, stable_failures;   /* of those requests, failed */
    struct guards_ratio candidate, stable;          /* the same, with the parts */
    bool judged;                   /* both ratios were comparable */
    double tripped_at;             /* < 0 until it trips */
    char text[GUARDS_TEXT];
};

void guards_excess_init(struct guards_excess *e);
/* Returns true on the one update that trips; false otherwise (also while
 * it stays tripped). */
bool guards_excess_update(struct guards_excess *e, const struct guards_params *p, double now,
                          enum color stable, const int weight[COLOR_COUNT],
                          const struct window_stats st[COLOR_COUNT]);

/* The auto-rollback's reason, whole, from a tripped excess: "green 5xx
 * 12.20% vs blue 0.00% for 180 s (+12.20 points, <0.01% likely by chance;
 * limit 0.5)"; when the gateway's log counted in-stream failures, "green failures
 * 12.20% vs blue 0.00% for 180 s (5xx 0.40% + in-stream 11.80% of 1020
 * requests: nginx's access log + green's gateway log; +12.20 points, <0.01%
 * likely by chance; limit 0.5)". The part before " (" labels the chart marker of
 * its reload. */
void guards_excess_reason(const struct guards_excess *e, const struct guards_params *p,
                          enum color stable, char *buf, size_t n);

/* ---- drain -------------------------------------------------------------- */

enum guards_drain_state {
    GUARDS_DRAIN_NONE,             /* weights not at an end: nothing drains */
    GUARDS_DRAIN_DRAINING,         /* the color at 0 still has connections (or unknown) */
    GUARDS_DRAIN_IDLE,             /* 0 connections since idle_since */
    GUARDS_DRAIN_DRAINED           /* 0 connections for drain_idle_s: it can be retired */
};
const char *guards_drain_state_name(enum guards_drain_state s);  /* "none", "draining", ... */

/* Applies whenever one color is at 100: the other drains (after a completed
 * cutover the old stable, after a rollback the candidate). */
struct guards_drain {
    enum guards_drain_state state;
    int color;                     /* the draining color, COLOR_NONE when none */
    int64_t connections;           /* latest count; -1 unknown (counts as not idle) */
    double idle_since;             /* < 0 unless IDLE or DRAINED */
    double idle_s;
    double drained_at;             /* < 0 until DRAINED */
    char text[GUARDS_TEXT];
};

void guards_drain_init(struct guards_drain *d);
/* connections[c] is the latest count per color, -1 when unknown. Returns
 * true on the update that reaches DRAINED. A connection after that goes
 * back to DRAINING. */
bool guards_drain_update(struct guards_drain *d, const struct guards_params *p, double now,
                         const int weight[COLOR_COUNT], const int64_t connections[COLOR_COUNT]);

/* ---- concurrency -------------------------------------------------------- */

/* The runbook: "if green accidentally doubles concurrency, shift traffic
 * back". Connections per point of weight, candidate against stable, fed each
 * second with the latest counts; at concurrency_ratio or more for
 * concurrency_for_s it alarms (the caller journals it; it never moves
 * weights). A count that falls back under the ratio ends the alarm, so a
 * later run alarms again. */
struct guards_concurrency {
    enum guards_level level;
    bool judged;                   /* both colors carry weight, counts known, enough of them */
    int candidate_weight, stable_weight;
    int64_t candidate_connections, stable_connections;   /* -1 unknown */
    double ratio;                  /* per weight, candidate over stable; 0 unless judged */
    double since;                  /* first update at or over the ratio; < 0 when none */
    double over_s;
    double alarmed_at;             /* < 0 unless alarmed */
    char text[GUARDS_TEXT];
};

void guards_concurrency_init(struct guards_concurrency *c);
/* Returns true on the one update that alarms. */
bool guards_concurrency_update(struct guards_concurrency *c, const struct guards_params *p,
                               double now, enum color stable, const int weight[COLOR_COUNT],
                               const int64_t connections[COLOR_COUNT]);

/* ---- the guards as a table ---------------------------------------------- */

/* One row per guard, in the order the guards panel and `status` show them.
 * A new guard is a tracker above, a row here and its fill function; the
 * server's snapshot, `status` and the console iterate the rows. */
enum guards_item_id { GUARDS_ITEM_TTFT, GUARDS_ITEM_DWELL, GUARDS_ITEM_EXCESS,
                      GUARDS_ITEM_DRAIN, GUARDS_ITEM_CONCURRENCY, GUARDS_ITEM_COUNT };

struct guards_item {
    const char *name;              /* the rule's name, from guards_rules */
    enum guards_level level;
    char text[GUARDS_TEXT];
};

struct guards_view {
    struct guards_item item[GUARDS_ITEM_COUNT];
    bool has_next;                 /* a step toward the candidate is left */
    struct guards_step step;       /* copies, for the numbers */
    struct guards_excess excess;
    struct guards_drain drain;
    struct guards_concurrency concurrency;
};

/* Which signal a guard reads is said once, by the signal's row in
 * core/metric.c (its .guard names the rule here). */
struct guards_rule {
    const char *name;              /* its row's name: short, lower case */
    /* The row's level and text, from the view's copies of the trackers. */
    void (*fill)(struct guards_item *it, const struct guards_view *v);
};

extern const struct guards_rule guards_rules[GUARDS_ITEM_COUNT];

/* `next` is guards_check_step for the next step toward the candidate, or
 * NULL when there is none (the candidate is at 100). Fills every row. */
void guards_view_fill(struct guards_view *v, const struct guards_step *next,
                      const struct guards_excess *excess, const struct guards_drain *drain,
                      const struct guards_concurrency *concurrency);

#endif

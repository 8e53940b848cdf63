/* window: per-color signals in 1-second slots, read over a sliding window
 * and kept as per-second summaries for a long history. Which signals there
 * are and how each aggregates (a sum, a gauge, a latency histogram read as
 * p50/p95/p99) is core/metric.h's table; the window iterates it.
 *
 * Ownership: window_new() allocates everything once, sized by window_s and
 * history_s only (never by traffic); the caller owns the window and frees it
 * with window_free(). Stats and history are copied into caller structs.
 * Pure: time is passed in as `now`, unix seconds (fractions allowed).
 *
 * Time: the window's current second is the newest second any call has
 * shown it. A sample for an older second still inside the window goes into
 * that second's slot (late log lines); older than that it is dropped and
 * counted. A sample for a newer second moves the window there, so a caller
 * feeding times it does not trust (log lines) should clamp them to its own
 * clock first. A jump forward (laptop sleep) costs O(min(gap, window_s))
 * slot work plus filling the skipped seconds of history with empty
 * summaries (at most history_s of them). */
#ifndef CUTOVER_CORE_WINDOW_H
#define CUTOVER_CORE_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include "core/color.h"
#include "core/metric.h"

#define WINDOW_MAX_WINDOW_S 3600
#define WINDOW_MAX_HISTORY_S (7 * 86400)

struct window;

/* One signal over the window; the parts its kind uses are set. */
struct window_value {
    uint64_t sum;              /* SUM: over the window */
    int64_t level;             /* GAUGE: the newest reading; -1 if never set */
    double level_at;           /* GAUGE: when it was set; 0 if never */
    uint64_t count;            /* LATENCY: samples in the window */
    uint64_t p50_us, p95_us, p99_us;   /* LATENCY: 0 without samples */
};

/* Over the window_s seconds ending with the current second. */
struct window_stats {
    int64_t from, to;          /* seconds covered, inclusive */
    struct window_value v[METRIC_COUNT];
    uint64_t malformed;        /* unparsed log lines in the window, all colors */
    uint64_t late_dropped;     /* samples too old for the window or with a time
                                  that is not a time, ever, all colors */
};

/* One closed second of history for one color. Counts and a latency's own
 * p95 follow late samples while the second is inside the window; v[] of a
 * latency is the window's p95 when the second closed (what a guard saw).
 *
 * History is stored packed (24 h of both colors in under 3 MB), so a value
 * saturates instead of wrapping: a value at its maximum below means "at
 * least that many". The p95s are kept to the precision of hist's buckets
 * (they read back as the window computed them, within 1% of any value). */
#define WINDOW_SECOND_MAX_COUNT 16777215u        /* a SUM kept in 24 bits */
#define WINDOW_SECOND_MAX_PROBES 255u            /* a SUM kept in 8 bits */
#define WINDOW_SECOND_MAX_CONNECTIONS 1048574    /* a GAUGE */
struct window_second {
    int64_t sec;
    uint32_t malformed;        /* all colors */
    /* A SUM's count, a GAUGE's level at the close (-1 if never set, or set
     * to a negative value), a LATENCY's window p95 at the close, us. */
    int64_t v[METRIC_COUNT];
    uint32_t own_p95_us[METRIC_COUNT];   /* a LATENCY: this second's own p95 */
};

/* window_s in 1..WINDOW_MAX_WINDOW_S, history_s in 1..WINDOW_MAX_HISTORY_S.
 * NULL with err filled on a bad size or out of memory. */
struct window *window_new(int window_s, int history_s, char *err, size_t errlen);
void window_free(struct window *w);
/* Bytes window_new allocates for these sizes (0 when they are invalid). */
size_t window_memory_bytes(int window_s, int history_s);

/* Adds one event's signals (what the sample has): a SUM adds its value, a
 * LATENCY adds one sample (us), a GAUGE is a reading where the newest wins
 * and an older one is ignored. */
void window_add(struct window *w, enum color c, double now, const struct metric_sample *s);
void window_add_malformed(struct window *w, double now);

/* Closes every second before now's and refreshes the history of seconds
 * that took late samples. Moving back in time does nothing. */
void window_advance(struct window *w, double now);
/* Advances to now, then fills out. */
void window_stats(struct window *w, enum color c, double now, struct window_stats *out);

/* The newest second window_advance has closed, and the oldest one history
 * still holds; both -1 before the first second closes. */
int64_t window_history_last(const struct window *w);
int64_t window_history_first(const struct window *w);
/* Copies the closed seconds from..to (inclusive, clipped to what history
 * holds) of color c into out, oldest first, at most cap; returns how many. */
size_t window_history(const struct window *w, enum color c, int64_t from, int64_t to,
                      struct window_second *out, size_t cap);

#endif

/* window: per-color signals in 1-second slots, read over a sliding window
 * (5xx ratio, header-time and probe-TTFT quantiles, probe errors, the latest
 * connection count) and kept as per-second summaries for a long history.
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

/* header_us for a request attempt that never got response headers. */
#define WINDOW_NO_TIME UINT64_MAX
#define WINDOW_MAX_WINDOW_S 3600
#define WINDOW_MAX_HISTORY_S (7 * 86400)

struct window;

/* Over the window_s seconds ending with the current second. */
struct window_stats {
    int64_t from, to;          /* seconds covered, inclusive */
    uint64_t requests;         /* upstream attempts served by this color */
    uint64_t status_5xx;
    double ratio_5xx;          /* status_5xx / requests; 0 without requests */
    uint64_t header_count;     /* attempts with a header time */
    uint64_t header_p50_us, header_p95_us, header_p99_us;
    uint64_t probes;           /* finished probes, ok + failed */
    uint64_t probe_errors;
    uint64_t ttft_p50_us, ttft_p95_us, ttft_p99_us;  /* successful probes only */
    uint64_t ttft_count;       /* successful probes: probes - probe_errors */
    int64_t connections;       /* latest gauge; -1 if never set */
    double connections_at;     /* when it was set; 0 if never */
    uint64_t malformed;        /* unparsed log lines in the window, all colors */
    uint64_t late_dropped;     /* samples too old for the window or with a time
                                  that is not a time, ever, all colors */
};

/* One closed second of history for one color. Counts and this second's own
 * p95s follow late samples while the second is inside the window; the win_
 * p95s are the window's values when the second closed (what a guard saw).
 *
 * History is stored packed (24 h of both colors in under 3 MB), so a field
 * saturates instead of wrapping: a value at its maximum below means "at
 * least that many". The p95s are kept to the precision of hist's buckets
 * (they read back as the window computed them, within 1% of any value). */
#define WINDOW_SECOND_MAX_COUNT 16777215u        /* requests, status_5xx */
#define WINDOW_SECOND_MAX_PROBES 255u            /* probes, probe_errors */
#define WINDOW_SECOND_MAX_CONNECTIONS 1048574    /* connections */
struct window_second {
    int64_t sec;
    uint32_t requests, status_5xx;
    uint32_t probes, probe_errors;
    int32_t connections;       /* gauge at the close; -1 if never set
                                  (or set to a negative value) */
    uint32_t malformed;        /* all colors */
    uint32_t header_p95_us, ttft_p95_us;           /* this second only */
    uint32_t win_header_p95_us, win_ttft_p95_us;   /* the window at the close */
    uint32_t ttft_count;       /* this second's successful probes */
};

/* window_s in 1..WINDOW_MAX_WINDOW_S, history_s in 1..WINDOW_MAX_HISTORY_S.
 * NULL with err filled on a bad size or out of memory. */
struct window *window_new(int window_s, int history_s, char *err, size_t errlen);
void window_free(struct window *w);
/* Bytes window_new allocates for these sizes (0 when they are invalid). */
size_t window_memory_bytes(int window_s, int history_s);

/* status: the attempt's HTTP status (0 when none); header_us may be WINDOW_NO_TIME. */
void window_add_request(struct window *w, enum color c, double now, int status,
                        uint64_t header_us);
/* ttft_us is ignored when ok is 0. */
void window_add_probe(struct window *w, enum color c, double now, int ok, uint64_t ttft_us);
/* A gauge: the newest reading wins; an older one is ignored. */
void window_set_connections(struct window *w, enum color c, double now, int64_t n);
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

/* feed: what the collector's sources hand the window (core/window.h), as
 * one call each for the tests and benchmarks that drive a window directly:
 * a log line's upstream attempt, a probe, a socket count. */
#ifndef CUTOVER_TESTS_FEED_H
#define CUTOVER_TESTS_FEED_H

#include <stdint.h>
#include <string.h>
#include "core/metric.h"
#include "core/window.h"

/* header_us for an attempt that never got response headers. */
#define NO_TIME UINT64_MAX

static inline void add_request(struct window *w, enum color c, double now, int status,
                               uint64_t header_us)
{
    struct metric_sample s;
    memset(&s, 0, sizeof s);
    metric_sample_set(&s, METRIC_REQUESTS, 1);
    metric_sample_set(&s, METRIC_STATUS_5XX, status >= 500 && status <= 599);
    if (header_us != NO_TIME)
        metric_sample_set(&s, METRIC_HEADER, (int64_t)header_us);
    window_add(w, c, now, &s);
}

/* ttft_us is ignored when ok is 0. */
static inline void add_probe(struct window *w, enum color c, double now, int ok, uint64_t ttft_us)
{
    struct metric_sample s;
    memset(&s, 0, sizeof s);
    metric_sample_set(&s, METRIC_PROBES, 1);
    metric_sample_set(&s, METRIC_PROBE_ERRORS, !ok);
    if (ok)
        metric_sample_set(&s, METRIC_TTFT, (int64_t)ttft_us);
    window_add(w, c, now, &s);
}

static inline void set_connections(struct window *w, enum color c, double now, int64_t n)
{
    struct metric_sample s;
    memset(&s, 0, sizeof s);
    metric_sample_set(&s, METRIC_CONNECTIONS, n);
    window_add(w, c, now, &s);
}

#endif

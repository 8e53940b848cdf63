/* metric: the signal table, and reading a signal out of the window's
 * structs. The JSON encoders are in core/metric_json.c, so the window
 * (and its tests) link without cJSON. */
#include "core/metric.h"

#include <string.h>

#include "core/window.h"

const struct metric metric_table[METRIC_COUNT] = {
    [METRIC_CONNECTIONS] = {
        .kind = METRIC_GAUGE, .unit = METRIC_UNIT_COUNT,
        .status_key = "connections", .row_key = "connections", .row_col = 3,
        .export_key = "connections",
        .prom_name = "cutover_upstream_connections",
        .prom_help = "Established connections from nginx to each color's gateway.",
        .draw = METRIC_DRAW_PEAK, .chart_strip = 1, .chart_title = "connections", .chart_tag = "conn",
        .chart_min_max = 1.0,
        .report_key = "connections", .report_title = "conns",
        .report_help = "connections avg / max",
        .guard = "drain conc",
    },
    [METRIC_REQUESTS] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "requests", .row_key = "requests", .row_col = 1, .history_bits = 24,
        .export_key = "requests_total",
        .prom_name = "cutover_requests_total",
        .prom_help = "Upstream attempts each color served (nginx access log) since the server "
                     "started.",
        .report_key = "requests",
    },
    [METRIC_STATUS_5XX] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "status_5xx", .row_key = "status_5xx", .row_col = 2, .history_bits = 24,
        .ratio_key = "ratio_5xx", .ratio_of = METRIC_REQUESTS, .label = "5xx",
        .export_key = "status_5xx_total",
        .prom_name = "cutover_responses_5xx_total",
        .prom_help = "Upstream attempts each color answered with a 5xx since the server started.",
        .report_key = "status_5xx", .report_title = "5xx",
        .report_help = "5xx ratio (5xx/requests)",
    },
    [METRIC_HEADER] = {
        .kind = METRIC_LATENCY, .unit = METRIC_UNIT_MS,
        .status_key = "header_ms", .row_key = "win_header_p95_ms", .row_col = 5,
        .status_title = "p95 hdr",
    },
    [METRIC_TTFT] = {
        .kind = METRIC_LATENCY, .unit = METRIC_UNIT_MS,
        .status_key = "ttft_ms", .row_key = "win_ttft_p95_ms", .row_col = 4,
        .status_title = "p95 TTFT",
        .export_key = "ttft_p95_ms",
        .prom_name = "cutover_ttft_seconds",
        .prom_help = "Time to first token of cutover's own probes, each second's successful "
                     "probes counted at that second's p95 (exact while a second holds at most "
                     "one probe; the default is one every 2 s).",
        .draw = METRIC_DRAW_PEAK, .chart_strip = 3, .chart_title = "TTFT p95", .chart_tag = "ttft",
        .chart_min_max = 100.0,
        .report_key = "ttft_p95_ms", .report_title = "p95 TTFT",
        .report_help = "p95 TTFT in ms at the step's end (max over it)",
        .guard = "ttft",
        .samples_of = METRIC_PROBES, .failures_of = METRIC_PROBE_ERRORS,
    },
    [METRIC_PROBES] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "probes", .row_key = "probes", .row_col = 6, .history_bits = 8,
    },
    [METRIC_PROBE_ERRORS] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "probe_errors", .row_key = "probe_errors", .row_col = 7, .history_bits = 8,
    },
    /* Requests the gateway failed inside a 200 stream, from its own log
     * (colors.<c>.log_file, core/gwlog.h): nginx cannot see them. */
    [METRIC_GW_FAILURES] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "gw_failures", .row_key = "gw_failures", .row_col = 8, .history_bits = 24,
        .ratio_key = "ratio_gw_failures", .ratio_of = METRIC_REQUESTS,
        .prom_name = "cutover_gateway_failures_total",
        .prom_help = "User requests each color's gateway logged as failed inside the stream "
                     "(colors.<c>.log_file; nginx logs them 200) since the server started.",
        .label = "in-stream",
    },
    /* What the failure guards read: a user request failed, whatever its
     * HTTP status. Without a log_file it is the 5xx count. */
    [METRIC_FAILURES] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "failures", .row_key = "failures", .row_col = 9, .history_bits = 24,
        .ratio_key = "ratio_failures", .ratio_of = METRIC_REQUESTS,
        .parts = {METRIC_STATUS_5XX, METRIC_GW_FAILURES}, .n_parts = 2,
        .prom_name = "cutover_failures_total",
        .prom_help = "User requests each color failed since the server started: 5xx in nginx's "
                     "access log plus in-stream failures in the gateway's log.",
        .draw = METRIC_DRAW_RATIO, .chart_strip = 2,
        .chart_title = "failures % (5xx + in-stream)", .chart_tag = "fail",
        .chart_min_max = 1.0,
        .label = "failures",
        .guard = "5xx",
    },
};

void metric_sample_set(struct metric_sample *s, enum metric_id id, int64_t v)
{
    s->has[id] = true;
    s->value[id] = v;
}

void metric_sample_add_parts(struct metric_sample *s)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        for (int k = 0; k < metric_table[m].n_parts; k++) {
            enum metric_id part = metric_table[m].parts[k];
            if (!s->has[part])
                continue;
            s->value[m] = (s->has[m] ? s->value[m] : 0) + s->value[part];
            s->has[m] = true;
        }
}

/* ---- reading the window's structs ----------------------------------------- */

double metric_row_value(enum metric_id id, const struct window_second *s)
{
    double v = (double)s->v[id];
    return metric_table[id].unit == METRIC_UNIT_MS ? v / 1000.0 : v;
}

uint32_t metric_second_own(enum metric_id id, const struct window_second *s, uint32_t *p95_us)
{
    const struct metric *m = &metric_table[id];
    *p95_us = 0;
    if (m->kind != METRIC_LATENCY || !m->prom_name)
        return 0;
    *p95_us = s->own_p95_us[id];
    return (uint32_t)(s->v[m->samples_of] - s->v[m->failures_of]);
}

bool metric_stats_value(enum metric_id id, const struct window_stats *w, double *out)
{
    const struct window_value *v = &w->v[id];
    switch (metric_table[id].kind) {
    case METRIC_GAUGE:
        *out = (double)v->level;
        return v->level >= 0;
    case METRIC_LATENCY:
        *out = (double)v->p95_us / 1000.0;
        return v->count > 0;
    case METRIC_SUM:
        break;
    }
    *out = (double)v->sum;
    return true;
}

bool metric_stats_ratio(enum metric_id id, const struct window_stats *w, double *out)
{
    uint64_t den = w->v[metric_table[id].ratio_of].sum;
    *out = den ? metric_capped_ratio((double)w->v[id].sum, (double)den) : 0.0;
    return den > 0;
}

double metric_capped_ratio(double num, double den)
{
    return (num < den ? num : den) / den;
}

enum metric_id metric_guarded_latency(void)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (metric_table[m].kind == METRIC_LATENCY && metric_table[m].guard != NULL)
            return (enum metric_id)m;
    return METRIC_COUNT;
}

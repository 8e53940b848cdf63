/* metric: the signal table and the row and status encoders every wire
 * format shares. */
#include "core/metric.h"

#include <string.h>

#define STATS(f) offsetof(struct window_stats, f)
#define SECOND(f) offsetof(struct window_second, f)

const struct metric metric_table[METRIC_COUNT] = {
    [METRIC_CONNECTIONS] = {
        .kind = METRIC_GAUGE, .unit = METRIC_UNIT_COUNT,
        .status_key = "connections", .row_key = "connections", .row_col = 3,
        .export_key = "connections",
        .prom_name = "cutover_upstream_connections",
        .prom_help = "Established connections from nginx to each color's gateway.",
        .draw = METRIC_DRAW_PEAK, .chart_title = "connections", .chart_tag = "conn",
        .chart_min_max = 1.0,
        .stats_at = STATS(connections), .second_at = SECOND(connections),
    },
    [METRIC_REQUESTS] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "requests", .row_key = "requests", .row_col = 1,
        .export_key = "requests_total",
        .prom_name = "cutover_requests_total",
        .prom_help = "Upstream attempts each color served (nginx access log) since the server "
                     "started.",
        .stats_at = STATS(requests), .second_at = SECOND(requests),
    },
    [METRIC_STATUS_5XX] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "status_5xx", .row_key = "status_5xx", .row_col = 2,
        .ratio_key = "ratio_5xx", .ratio_of = METRIC_REQUESTS,
        .export_key = "status_5xx_total",
        .prom_name = "cutover_responses_5xx_total",
        .prom_help = "Upstream attempts each color answered with a 5xx since the server started.",
        .draw = METRIC_DRAW_RATIO, .chart_title = "5xx %", .chart_tag = "5xx%",
        .chart_min_max = 1.0,
        .guard = "5xx",
        .stats_at = STATS(status_5xx), .second_at = SECOND(status_5xx),
    },
    [METRIC_HEADER] = {
        .kind = METRIC_LATENCY, .unit = METRIC_UNIT_MS,
        .status_key = "header_ms", .row_key = "win_header_p95_ms", .row_col = 5,
        .stats_at = STATS(header_p50_us), .stats_count_at = STATS(header_count),
        .second_at = SECOND(win_header_p95_us), .second_own_at = SECOND(header_p95_us),
    },
    [METRIC_TTFT] = {
        .kind = METRIC_LATENCY, .unit = METRIC_UNIT_MS,
        .status_key = "ttft_ms", .row_key = "win_ttft_p95_ms", .row_col = 4,
        .export_key = "ttft_p95_ms",
        .prom_name = "cutover_ttft_seconds",
        .prom_help = "Time to first token of cutover's own probes, each second's successful "
                     "probes counted at that second's p95 (exact while a second holds at most "
                     "one probe; the default is one every 2 s).",
        .draw = METRIC_DRAW_PEAK, .chart_title = "TTFT p95", .chart_tag = "ttft",
        .chart_min_max = 100.0,
        .guard = "ttft",
        .stats_at = STATS(ttft_p50_us), .stats_count_at = STATS(ttft_count),
        .second_at = SECOND(win_ttft_p95_us), .second_own_at = SECOND(ttft_p95_us),
        .second_count_at = SECOND(ttft_count),
    },
    [METRIC_PROBES] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "probes", .row_key = "probes", .row_col = 6,
        .stats_at = STATS(probes), .second_at = SECOND(probes),
    },
    [METRIC_PROBE_ERRORS] = {
        .kind = METRIC_SUM, .unit = METRIC_UNIT_COUNT,
        .status_key = "probe_errors", .row_key = "probe_errors", .row_col = 7,
        .stats_at = STATS(probe_errors), .second_at = SECOND(probe_errors),
    },
};

/* ---- reading the window's structs ----------------------------------------- */

static uint64_t u64_at(const void *base, size_t at)
{
    uint64_t v;
    memcpy(&v, (const char *)base + at, sizeof v);
    return v;
}

static uint32_t u32_at(const void *base, size_t at)
{
    uint32_t v;
    memcpy(&v, (const char *)base + at, sizeof v);
    return v;
}

double metric_row_value(enum metric_id id, const struct window_second *s)
{
    const struct metric *m = &metric_table[id];
    if (m->kind == METRIC_GAUGE) {
        int32_t v;
        memcpy(&v, (const char *)s + m->second_at, sizeof v);
        return v;
    }
    double v = u32_at(s, m->second_at);
    return m->unit == METRIC_UNIT_MS ? v / 1000.0 : v;
}

uint32_t metric_second_own(enum metric_id id, const struct window_second *s, uint32_t *p95_us)
{
    const struct metric *m = &metric_table[id];
    *p95_us = 0;
    if (m->kind != METRIC_LATENCY || m->second_count_at == 0)
        return 0;
    *p95_us = u32_at(s, m->second_own_at);
    return u32_at(s, m->second_count_at);
}

bool metric_stats_value(enum metric_id id, const struct window_stats *w, double *out)
{
    const struct metric *m = &metric_table[id];
    if (m->kind == METRIC_GAUGE) {
        int64_t v;
        memcpy(&v, (const char *)w + m->stats_at, sizeof v);
        *out = (double)v;
        return v >= 0;
    }
    if (m->kind == METRIC_LATENCY) {
        *out = (double)u64_at(w, m->stats_at + sizeof(uint64_t)) / 1000.0;
        return u64_at(w, m->stats_count_at) > 0;
    }
    *out = (double)u64_at(w, m->stats_at);
    return true;
}

bool metric_stats_ratio(enum metric_id id, const struct window_stats *w, double *out)
{
    const struct metric *m = &metric_table[id];
    uint64_t den = u64_at(w, metric_table[m->ratio_of].stats_at);
    *out = den ? (double)u64_at(w, m->stats_at) / (double)den : 0.0;
    return den > 0;
}

/* ---- the series row ------------------------------------------------------- */

cJSON *metric_row_fields(void)
{
    const char *names[METRIC_ROW_COLS] = {"sec"};
    for (int i = 0; i < METRIC_COUNT; i++)
        names[metric_table[i].row_col] = metric_table[i].row_key;
    return cJSON_CreateStringArray(names, METRIC_ROW_COLS);
}

cJSON *metric_row_json(const struct window_second *s)
{
    double row[METRIC_ROW_COLS] = {(double)s->sec};
    for (int i = 0; i < METRIC_COUNT; i++)
        row[metric_table[i].row_col] = metric_row_value((enum metric_id)i, s);
    return cJSON_CreateDoubleArray(row, METRIC_ROW_COLS);
}

void metric_row_columns(const cJSON *fields, int col[METRIC_COUNT], int *sec_col)
{
    for (int i = 0; i < METRIC_COUNT; i++)
        col[i] = -1;
    *sec_col = -1;
    int pos = 0;
    const cJSON *name;
    cJSON_ArrayForEach(name, fields) {
        if (cJSON_IsString(name)) {
            if (strcmp(name->valuestring, "sec") == 0)
                *sec_col = pos;
            for (int i = 0; i < METRIC_COUNT; i++)
                if (strcmp(name->valuestring, metric_table[i].row_key) == 0)
                    col[i] = pos;
        }
        pos++;
    }
}

/* ---- the status object ---------------------------------------------------- */

static cJSON *quantiles_ms(const struct metric *m, const struct window_stats *w)
{
    if (u64_at(w, m->stats_count_at) == 0)
        return cJSON_CreateNull();
    static const char *const q[] = {"p50", "p95", "p99"};
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < 3; i++)
        cJSON_AddNumberToObject(o, q[i],
                                (double)u64_at(w, m->stats_at + i * sizeof(uint64_t)) / 1000.0);
    return o;
}

void metric_status_json(cJSON *color, const struct window_stats *w)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *m = &metric_table[i];
        double v;
        if (m->kind == METRIC_LATENCY)
            cJSON_AddItemToObject(color, m->status_key, quantiles_ms(m, w));
        else if (metric_stats_value((enum metric_id)i, w, &v))
            cJSON_AddNumberToObject(color, m->status_key, v);
        else
            cJSON_AddNullToObject(color, m->status_key);
        if (m->ratio_key) {
            metric_stats_ratio((enum metric_id)i, w, &v);
            cJSON_AddNumberToObject(color, m->ratio_key, v);
        }
    }
}

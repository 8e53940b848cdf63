/* snapshot: JSON for the live numbers. */
#include "runtime/snapshot.h"

#include <stdlib.h>

#include "backends/probe.h"

static cJSON *quantiles_ms(uint64_t p50, uint64_t p95, uint64_t p99, uint64_t count)
{
    if (count == 0)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "p50", (double)p50 / 1000.0);
    cJSON_AddNumberToObject(o, "p95", (double)p95 / 1000.0);
    cJSON_AddNumberToObject(o, "p99", (double)p99 / 1000.0);
    return o;
}

static cJSON *probe_errors_json(const struct collector_color *cc)
{
    cJSON *o = cJSON_CreateObject();
    for (int k = PROBE_REFUSED; k <= PROBE_FAILED; k++)
        if (cc->probe_errors_by_kind[k] > 0)
            cJSON_AddNumberToObject(o, probe_outcome_name((enum probe_outcome)k),
                                    (double)cc->probe_errors_by_kind[k]);
    return o;
}

static cJSON *color_json(const struct collector_color *cc)
{
    const struct window_stats *w = &cc->win;
    cJSON *o = cJSON_CreateObject();
    if (w->connections >= 0)
        cJSON_AddNumberToObject(o, "connections", (double)w->connections);
    else
        cJSON_AddNullToObject(o, "connections");
    cJSON_AddNumberToObject(o, "requests", (double)w->requests);
    cJSON_AddNumberToObject(o, "status_5xx", (double)w->status_5xx);
    cJSON_AddNumberToObject(o, "ratio_5xx", w->ratio_5xx);
    cJSON_AddItemToObject(o, "header_ms", quantiles_ms(w->header_p50_us, w->header_p95_us,
                                                       w->header_p99_us, w->header_count));
    uint64_t ok_probes = w->probes - w->probe_errors;
    cJSON_AddItemToObject(o, "ttft_ms", quantiles_ms(w->ttft_p50_us, w->ttft_p95_us,
                                                     w->ttft_p99_us, ok_probes));
    cJSON_AddNumberToObject(o, "probes", (double)w->probes);
    cJSON_AddNumberToObject(o, "probe_errors", (double)w->probe_errors);
    cJSON_AddItemToObject(o, "probe_errors_by_kind", probe_errors_json(cc));
    if (cc->last_probe_error[0])
        cJSON_AddStringToObject(o, "last_probe_error", cc->last_probe_error);
    return o;
}

cJSON *snapshot_signals_json(const struct collector_snapshot *snap, int window_s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "at", snap->at);
    cJSON_AddNumberToObject(o, "window_s", window_s);
    for (int c = 0; c < COLOR_COUNT; c++)
        cJSON_AddItemToObject(o, color_name((enum color)c), color_json(&snap->color[c]));
    cJSON *log = cJSON_AddObjectToObject(o, "access_log");
    cJSON_AddStringToObject(log, "state", snap->log_state);
    if (snap->log_error[0])
        cJSON_AddStringToObject(log, "error", snap->log_error);
    cJSON_AddNumberToObject(log, "lines", (double)snap->log_lines);
    cJSON_AddNumberToObject(log, "malformed", (double)snap->malformed_total);
    cJSON_AddNumberToObject(log, "other_attempts", (double)snap->other_attempts);
    cJSON *sk = cJSON_AddObjectToObject(o, "sockets");
    cJSON_AddStringToObject(sk, "impl", snap->sockets_impl);
    if (snap->sockets_error[0])
        cJSON_AddStringToObject(sk, "error", snap->sockets_error);
    return o;
}


/* Rows rather than objects keep a 300-second series small on the wire. */
cJSON *snapshot_series_json(const struct window *w, int64_t from, int64_t to)
{
    static const char *const fields[] = {"sec", "requests", "status_5xx", "connections",
                                         "win_ttft_p95_ms", "win_header_p95_ms", "probes",
                                         "probe_errors"};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "from", (double)from);
    cJSON_AddItemToObject(o, "fields", cJSON_CreateStringArray(fields, 8));
    size_t cap = to >= from ? (size_t)(to - from + 1) : 0;
    struct window_second *rows = cap ? calloc(cap, sizeof *rows) : NULL;
    for (int c = 0; c < COLOR_COUNT; c++) {
        cJSON *arr = cJSON_AddArrayToObject(o, color_name((enum color)c));
        size_t n = rows ? window_history(w, (enum color)c, from, to, rows, cap) : 0;
        for (size_t i = 0; i < n; i++) {
            const struct window_second *s = &rows[i];
            double row[8] = {(double)s->sec, s->requests, s->status_5xx, s->connections,
                             s->win_ttft_p95_us / 1000.0, s->win_header_p95_us / 1000.0,
                             s->probes, s->probe_errors};
            cJSON_AddItemToArray(arr, cJSON_CreateDoubleArray(row, 8));
        }
    }
    free(rows);
    return o;
}

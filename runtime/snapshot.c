/* snapshot: JSON for the live numbers. */
#include "runtime/snapshot.h"

#include <stdlib.h>

#include "backends/probe.h"
#include "core/metric_json.h"

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
    cJSON *o = cJSON_CreateObject();
    metric_json_status(o, &cc->win);
    cJSON_AddItemToObject(o, "probe_errors_by_kind", probe_errors_json(cc));
    if (cc->last_probe_error[0])
        cJSON_AddStringToObject(o, "last_probe_error", cc->last_probe_error);
    /* Its gateway log's reader, since the server started: never a line. */
    cJSON *gw = cJSON_AddObjectToObject(o, "gateway_log");
    cJSON_AddStringToObject(gw, "state", cc->gw_log_state);
    cJSON_AddNumberToObject(gw, "lines", (double)cc->gw_lines);
    cJSON_AddNumberToObject(gw, "failures", (double)cc->gw_failures);
    cJSON_AddNumberToObject(gw, "probe_failures", (double)cc->gw_probe_failures);
    cJSON_AddNumberToObject(gw, "malformed", (double)cc->gw_malformed);
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
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "from", (double)from);
    cJSON_AddItemToObject(o, "fields", metric_json_row_fields());
    size_t cap = to >= from ? (size_t)(to - from + 1) : 0;
    struct window_second *rows = cap ? calloc(cap, sizeof *rows) : NULL;
    for (int c = 0; c < COLOR_COUNT; c++) {
        cJSON *arr = cJSON_AddArrayToObject(o, color_name((enum color)c));
        size_t n = rows ? window_history(w, (enum color)c, from, to, rows, cap) : 0;
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(arr, metric_json_row(&rows[i]));
    }
    free(rows);
    return o;
}

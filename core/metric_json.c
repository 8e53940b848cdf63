/* metric_json: the series row and the status object, written from the
 * signal table. */
#include "core/metric_json.h"

#include <string.h>

/* ---- the series row ------------------------------------------------------- */

cJSON *metric_json_row_fields(void)
{
    const char *names[METRIC_ROW_COLS] = {"sec"};
    for (int i = 0; i < METRIC_COUNT; i++)
        names[metric_table[i].row_col] = metric_table[i].row_key;
    return cJSON_CreateStringArray(names, METRIC_ROW_COLS);
}

cJSON *metric_json_row(const struct window_second *s)
{
    double row[METRIC_ROW_COLS] = {(double)s->sec};
    for (int i = 0; i < METRIC_COUNT; i++)
        row[metric_table[i].row_col] = metric_row_value((enum metric_id)i, s);
    return cJSON_CreateDoubleArray(row, METRIC_ROW_COLS);
}

void metric_json_row_columns(const cJSON *fields, int col[METRIC_COUNT], int *sec_col)
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

static cJSON *quantiles_ms(const struct window_value *v)
{
    if (v->count == 0)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "p50", (double)v->p50_us / 1000.0);
    cJSON_AddNumberToObject(o, "p95", (double)v->p95_us / 1000.0);
    cJSON_AddNumberToObject(o, "p99", (double)v->p99_us / 1000.0);
    return o;
}

void metric_json_status(cJSON *color, const struct window_stats *w)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *m = &metric_table[i];
        double v;
        if (m->kind == METRIC_LATENCY)
            cJSON_AddItemToObject(color, m->status_key, quantiles_ms(&w->v[i]));
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

/* metric_json: the JSON shapes the signal table (core/metric.h) defines,
 * written once for every wire format: the series row schema
 * ("fields":["sec","requests",...]) and its rows, read back by the console
 * and the report, and the per-color status object of snapshots and
 * `cutover status --json`.
 *
 * Ownership: functions returning a tree give it to the caller;
 * metric_json_status adds to a tree the caller owns. Pure. */
#ifndef CUTOVER_CORE_METRIC_JSON_H
#define CUTOVER_CORE_METRIC_JSON_H

#include <cjson/cJSON.h>
#include "core/metric.h"
#include "core/window.h"

/* ["sec", "requests", ...]: the schema every series row follows. */
cJSON *metric_json_row_fields(void);
/* One closed second as a row under metric_json_row_fields(). */
cJSON *metric_json_row(const struct window_second *s);
/* Reads a "fields" array (a reader's schema may be older or newer than
 * ours): col[id] is signal id's position in the rows, -1 when absent;
 * *sec_col likewise for "sec". */
void metric_json_row_columns(const cJSON *fields, int col[METRIC_COUNT], int *sec_col);

/* Adds each signal's status keys (in table order) to a color's object:
 * "connections", "requests", "status_5xx", "ratio_5xx", "header_ms", ... */
void metric_json_status(cJSON *color, const struct window_stats *w);

#endif

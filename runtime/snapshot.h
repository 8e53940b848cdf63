/* snapshot: the JSON shapes of the live numbers, one definition for
 * `cutover status --json` (direct or through the server) and the server's
 * per-second snapshots. The caller owns the returned cJSON trees. */
#ifndef CUTOVER_RUNTIME_SNAPSHOT_H
#define CUTOVER_RUNTIME_SNAPSHOT_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include "core/window.h"
#include "runtime/collector.h"

/* {"at", "window_s", "blue": {...}, "green": {...}, "access_log": {...},
 *  "sockets": {...}}: per color every signal of core/metric.h under its
 * status key (a latency as p50/p95/p99 quantiles, null without samples),
 * then probe_errors_by_kind, last_probe_error and gateway_log (its
 * colors.<c>.log_file reader: state, lines, failures, malformed). */
cJSON *snapshot_signals_json(const struct collector_snapshot *snap, int window_s);

/* Per-second history for the chart: {"from": S, "fields": [...], "blue":
 * [[...], ...], "green": [...]}, one row per second in [from, to]. */
cJSON *snapshot_series_json(const struct window *w, int64_t from, int64_t to);

#endif

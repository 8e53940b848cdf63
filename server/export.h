/* export: the numbers beyond the terminal. Every export.every_s a row per
 * color into export.file (CSV with a header, or JSON lines); on
 * export.prometheus_listen the Prometheus text format (each signal
 * core/metric.h exports: a gauge, a counter or a latency histogram; the
 * weights, the guard states); on every reload an annotation posted to export.grafana_url. A
 * slow or dead Grafana never delays a move: posts run on the loop with a
 * timeout and nothing waits for them.
 *
 * Ownership: export_start keeps cfg (it must outlive the exporter);
 * export_stop frees it once its handles are closed, then calls done. */
#ifndef CUTOVER_SERVER_EXPORT_H
#define CUTOVER_SERVER_EXPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <uv.h>
#include "core/config.h"
#include "runtime/collector.h"

struct exporter;

/* What the engine has each second. */
struct export_second {
    const cJSON *snapshot;                  /* the object the clients got */
    const struct collector_snapshot *snap;  /* the numbers behind it */
    const struct window *window;            /* per-second history */
};

/* Returns 0, or -1 with msg (a listen address that cannot be bound, an
 * export file that cannot be opened: the server says so and stops). */
int export_start(uv_loop_t *loop, const struct config *cfg, struct exporter **out,
                 char *msg, size_t msglen);
void export_second(struct exporter *x, const struct export_second *s);
/* Each journal event as written (the decoded line): reloads are annotated. */
void export_event(struct exporter *x, const cJSON *event);
void export_stop(struct exporter *x, void (*done)(void *data), void *data);

#endif

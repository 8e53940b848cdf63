/* sample: a short collector run for one-shot commands. */
#include "cli/sample.h"

#include <string.h>

#include "backends/probe.h"

/* Enough of the log's end to cover a busy window: lines older than the
 * window are dropped by the window itself. */
#define SAMPLE_BACKFILL_BYTES (32u << 20)

struct sample_wait {
    uv_timer_t timer;
    int done;
};

static void on_sample_done(uv_timer_t *t)
{
    ((struct sample_wait *)t->data)->done = 1;
}

int sample_signals(struct app *app, double seconds, struct collector_snapshot *snap)
{
    char msg[512];
    struct collector *c;
    struct collector_options opt = {
        .tail = true, .probes = true, .sockets = true, .backfill_bytes = SAMPLE_BACKFILL_BYTES,
    };
    if (collector_start(&app->loop, app->cfg, &opt, &c, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot sample the signals: %s", msg);
        return EXIT_FAILURE_IO;
    }
    struct sample_wait wait = {.done = 0};
    uv_timer_init(&app->loop, &wait.timer);
    wait.timer.data = &wait;
    uv_timer_start(&wait.timer, on_sample_done, (uint64_t)(seconds * 1000), 0);
    while (!wait.done)
        uv_run(&app->loop, UV_RUN_ONCE);
    collector_snapshot(c, snap);
    collector_stop(c);
    uv_close((uv_handle_t *)&wait.timer, NULL);
    /* `wait` lives on this stack: let its close callback run before return. */
    uv_run(&app->loop, UV_RUN_DEFAULT);
    return EXIT_OK;
}

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

cJSON *sample_to_json(const struct collector_snapshot *snap, int window_s, double sampled_s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "at", snap->at);
    cJSON_AddNumberToObject(o, "window_s", window_s);
    cJSON_AddNumberToObject(o, "sampled_s", sampled_s);
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

static void print_ms(FILE *out, uint64_t us, uint64_t count)
{
    if (count == 0)
        fprintf(out, "  %9s", "-");
    else
        fprintf(out, "  %6.1f ms", (double)us / 1000.0);
}

void sample_print(FILE *out, const struct collector_snapshot *snap, int window_s, double sampled_s)
{
    fprintf(out, "signals    last %d s of the access log, probes and sockets sampled for %.0f s\n",
            window_s, sampled_s);
    fprintf(out, "           %5s %7s %7s  %9s  %9s  %s\n", "conns", "reqs", "5xx", "p95 hdr",
            "p95 TTFT", "probes (errors)");
    for (int c = 0; c < COLOR_COUNT; c++) {
        const struct collector_color *cc = &snap->color[c];
        const struct window_stats *w = &cc->win;
        fprintf(out, "  %-7s  ", color_name((enum color)c));
        if (w->connections >= 0)
            fprintf(out, "%5lld", (long long)w->connections);
        else
            fprintf(out, "%5s", "-");
        fprintf(out, " %7llu %6.2f%%", (unsigned long long)w->requests, 100.0 * w->ratio_5xx);
        print_ms(out, w->header_p95_us, w->header_count);
        print_ms(out, w->ttft_p95_us, w->probes - w->probe_errors);
        fprintf(out, "  %llu (%llu)%s%s\n", (unsigned long long)w->probes,
                (unsigned long long)w->probe_errors, cc->last_probe_error[0] ? "  last: " : "",
                cc->last_probe_error);
    }
    if (strcmp(snap->log_state, "following") != 0)
        fprintf(out, "  access log %s%s%s\n", snap->log_state, snap->log_error[0] ? ": " : "",
                snap->log_error);
    if (snap->sockets_error[0])
        fprintf(out, "  sockets (%s): %s\n", snap->sockets_impl, snap->sockets_error);
}

/* sample: a short collector run for one-shot commands. */
#include "cli/sample.h"

#include <string.h>

#include "runtime/snapshot.h"

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

cJSON *sample_to_json(const struct collector_snapshot *snap, int window_s, double sampled_s)
{
    cJSON *o = snapshot_signals_json(snap, window_s);
    cJSON_AddNumberToObject(o, "sampled_s", sampled_s);
    return o;
}

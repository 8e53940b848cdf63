/* sample: a short collector run for one-shot commands. */
#include "cli/sample.h"

#include <stdio.h>
#include <string.h>

#include "runtime/decider.h"
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

/* The collector a one-shot command samples with; prints why when it cannot. */
static int start_collector(struct app *app, struct collector **out)
{
    char msg[512];
    struct collector_options opt = {
        .tail = true, .probes = true, .sockets = true, .backfill_bytes = SAMPLE_BACKFILL_BYTES,
    };
    if (collector_start(&app->loop, app->cfg, &opt, out, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot sample the signals: %s", msg);
        return EXIT_FAILURE_IO;
    }
    return EXIT_OK;
}

static void run_until(struct app *app, double seconds);

int sample_signals(struct app *app, double seconds, struct collector_snapshot *snap)
{
    struct collector *c;
    int rc = start_collector(app, &c);
    if (rc != EXIT_OK)
        return rc;
    run_until(app, seconds);
    collector_snapshot(c, snap);
    collector_stop(c);
    /* The collector's close callbacks, before its memory is reused. */
    uv_run(&app->loop, UV_RUN_DEFAULT);
    return EXIT_OK;
}

cJSON *sample_to_json(const struct collector_snapshot *snap, int window_s, double sampled_s)
{
    cJSON *o = snapshot_signals_json(snap, window_s);
    cJSON_AddNumberToObject(o, "sampled_s", sampled_s);
    return o;
}

/* ---- a step's verdict, waited for ---------------------------------------- */

struct decide_wait {
    bool done;
    enum decider_outcome outcome;
    struct guards_step *out;
    double printed_at;
};

/* Progress on stderr, once a second: the operator sees the burst work. */
static void on_decider_progress(const char *text, void *data)
{
    struct decide_wait *w = data;
    double now = collector_now();
    if (now - w->printed_at < 1.0)
        return;
    w->printed_at = now;
    fprintf(stderr, "%s\n", text);
}

static void on_decider_done(enum decider_outcome outcome, const struct guards_step *step,
                            void *data)
{
    struct decide_wait *w = data;
    w->outcome = outcome;
    *w->out = *step;
    w->done = true;
}

static void on_wait_closed(uv_handle_t *h)
{
    ((struct sample_wait *)h->data)->done = 2;
}

/* Turns the loop for `seconds`. The timer lives on this stack, so its
 * close must have completed before returning: libuv still holds it until
 * then (the release build aborted in uv__finish_close on a reused frame). */
static void run_until(struct app *app, double seconds)
{
    struct sample_wait wait = {.done = 0};
    uv_timer_init(&app->loop, &wait.timer);
    wait.timer.data = &wait;
    uv_timer_start(&wait.timer, on_sample_done, (uint64_t)(seconds * 1000), 0);
    while (!wait.done)
        uv_run(&app->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&wait.timer, on_wait_closed);
    while (wait.done != 2)
        uv_run(&app->loop, UV_RUN_NOWAIT);
}

int sample_decide_step(struct app *app, double seconds, bool burst,
                       const struct guards_params *gp, enum color stable,
                       const int before[COLOR_COUNT], const int after[COLOR_COUNT], double since,
                       struct guards_step *out)
{
    char msg[512];
    struct collector *c;
    int started = start_collector(app, &c);
    if (started != EXIT_OK)
        return started;
    if (seconds > 0)
        run_until(app, seconds);
    struct decide_wait w = {.out = out, .printed_at = collector_now()};
    struct decider_request req = {
        .cfg = app->cfg, .collector = c, .gp = gp, .stable = stable, .since = since,
        .progress = on_decider_progress, .done = on_decider_done, .data = &w,
    };
    memcpy(req.before, before, sizeof req.before);
    memcpy(req.after, after, sizeof req.after);
    req.burst_max = burst ? (unsigned)app->cfg->probe.burst_max : 0;
    struct decider *d;
    int rc = decider_start(&app->loop, &req, &d, msg, sizeof msg);
    while (rc == 0 && !w.done)
        uv_run(&app->loop, UV_RUN_ONCE);
    collector_stop(c);
    /* The decider's and the timer's close callbacks, on this stack's data. */
    uv_run(&app->loop, UV_RUN_DEFAULT);
    if (rc != 0) {
        app_errorf(app, "cannot judge the step: %s", msg);
        return EXIT_FAILURE_IO;
    }
    return EXIT_OK;
}

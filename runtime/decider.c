/* decider: see decider.h. */
#include "runtime/decider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JUDGE_EVERY_MS 250

struct decider {
    uv_timer_t timer;
    struct decider_request req;
    double burst_ended_at;           /* < 0 while the burst runs */
    bool burst_started, finished;
};

bool decider_needed(const struct guards_step *step)
{
    return !step->allowed && step->refused == GUARDS_REFUSED_SAMPLES;
}

static void on_closed(uv_handle_t *h)
{
    free(h->data);
}

static void finish(struct decider *d, enum decider_outcome outcome, struct guards_step *gs)
{
    char text[GUARDS_TEXT];
    if (d->finished)
        return;
    d->finished = true;
    collector_burst_stop(d->req.collector);
    uv_timer_stop(&d->timer);
    if (outcome == DECIDER_BUDGET_SPENT) {
        unsigned sent = 0, max = 0;
        collector_bursting(d->req.collector, &sent, &max);
        /* Undecided at the end refuses like a halt, but says so. */
        snprintf(text, sizeof text, "refused: still undecided after %u probe rounds (the "
                 "budget, probe.burst_max): %.400s", sent,
                 strncmp(gs->text, "refused: ", 9) == 0 ? gs->text + 9 : gs->text);
        snprintf(gs->text, sizeof gs->text, "%s", text);
    } else if (outcome == DECIDER_CANCELLED) {
        snprintf(gs->text, sizeof gs->text, "refused: cancelled while deciding the step");
    }
    d->req.done(outcome, gs, d->req.data);
    uv_close((uv_handle_t *)&d->timer, on_closed);
}

static void judge(struct decider *d, struct guards_step *gs)
{
    struct collector_snapshot *snap = malloc(sizeof *snap);
    struct guards_probes probes[COLOR_COUNT];
    struct window_stats st[COLOR_COUNT];
    memset(gs, 0, sizeof *gs);
    if (!snap) {
        snprintf(gs->text, sizeof gs->text, "refused: out of memory while deciding");
        gs->refused = GUARDS_REFUSED_SAMPLES;
        return;
    }
    collector_snapshot(d->req.collector, snap);
    collector_guards_probes(snap, probes);
    for (int c = 0; c < COLOR_COUNT; c++)
        st[c] = snap->color[c].win;
    guards_check_step(d->req.gp, d->req.stable, d->req.before, d->req.after, st, probes,
                      d->req.since, snap->at, gs);
    free(snap);
}

/* "deciding the step: 18/240 probe rounds, green +3.1% [-4.2%, +11.0%] (limit 8%)" */
static void report_progress(struct decider *d, const struct guards_step *gs)
{
    char text[256];
    unsigned sent = 0, max = 0;
    const struct median_shift_result *r = &gs->ttft;
    if (!d->req.progress)
        return;
    collector_bursting(d->req.collector, &sent, &max);
    if (r->has_interval)
        snprintf(text, sizeof text, "deciding the step: %u/%u probe rounds, %s %+.1f%% [%+.1f%%, "
                 "%+.1f%%] (limit %g%%)", sent, max, color_name(gs->candidate), r->shift_pct,
                 r->lower_pct, r->upper_pct, gs->limit_pct);
    else
        snprintf(text, sizeof text, "deciding the step: %u/%u probe rounds, %zu and %zu probes so "
                 "far", sent, max, r->candidate_n, r->stable_n);
    d->req.progress(text, d->req.data);
}

static void on_judge(uv_timer_t *t)
{
    struct decider *d = t->data;
    struct guards_step gs;
    char msg[200];
    judge(d, &gs);
    if (!decider_needed(&gs)) {
        finish(d, DECIDER_DECIDED, &gs);
        return;
    }
    if (d->req.burst_max == 0) {
        finish(d, DECIDER_DECIDED, &gs);        /* judged once: undecided refuses */
        return;
    }
    if (!d->burst_started) {
        d->burst_started = true;
        if (collector_burst_start(d->req.collector, d->req.cfg->probe.burst_rate,
                                  d->req.burst_max, msg, sizeof msg) != 0) {
            finish(d, DECIDER_BUDGET_SPENT, &gs);
            return;
        }
    }
    if (!collector_bursting(d->req.collector, NULL, NULL)) {
        /* The last round's probes may still be out: wait for them, as long
         * as a probe may take. */
        double now = collector_now();
        if (d->burst_ended_at < 0)
            d->burst_ended_at = now;
        if (now - d->burst_ended_at >= d->req.cfg->probe.timeout_s) {
            finish(d, DECIDER_BUDGET_SPENT, &gs);
            return;
        }
    }
    report_progress(d, &gs);
}

int decider_start(uv_loop_t *loop, const struct decider_request *req, struct decider **out,
                  char *msg, size_t msglen)
{
    struct decider *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    d->req = *req;
    d->burst_ended_at = -1;
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    uv_timer_start(&d->timer, on_judge, 0, JUDGE_EVERY_MS);
    *out = d;
    return 0;
}

void decider_cancel(struct decider *d)
{
    struct guards_step gs;
    memset(&gs, 0, sizeof gs);
    gs.refused = GUARDS_REFUSED_SAMPLES;
    finish(d, DECIDER_CANCELLED, &gs);
}

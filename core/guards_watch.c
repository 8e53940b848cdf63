/* guards_watch: the guards that watch and never hold a step: the color at 0
 * draining, and connections per unit of weight (see guards.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/guards.h"

/* ---- drain -------------------------------------------------------------- */

const char *guards_drain_state_name(enum guards_drain_state s)
{
    switch (s) {
    case GUARDS_DRAIN_DRAINING: return "draining";
    case GUARDS_DRAIN_IDLE: return "idle";
    case GUARDS_DRAIN_DRAINED: return "drained";
    default: return "none";
    }
}

void guards_drain_init(struct guards_drain *d)
{
    memset(d, 0, sizeof *d);
    d->state = GUARDS_DRAIN_NONE;
    d->color = COLOR_NONE;
    d->connections = -1;
    d->idle_since = -1;
    d->drained_at = -1;
    snprintf(d->text, sizeof d->text, "no color draining");
}

/* The color at 0 when the other is at 100, else COLOR_NONE. */
static int draining_color(const int weight[COLOR_COUNT])
{
    for (int c = 0; c < COLOR_COUNT; c++)
        if (weight[c] == 0 && weight[color_other((enum color)c)] == 100)
            return c;
    return COLOR_NONE;
}

static void drain_text(struct guards_drain *d, const struct guards_params *p,
                       const int weight[COLOR_COUNT])
{
    const char *name = d->color == COLOR_NONE ? "" : color_name((enum color)d->color);
    switch (d->state) {
    case GUARDS_DRAIN_NONE:
        snprintf(d->text, sizeof d->text, "weights blue %d / green %d: no color draining",
                 weight[COLOR_BLUE], weight[COLOR_GREEN]);
        break;
    case GUARDS_DRAIN_DRAINING:
        if (d->connections < 0)
            snprintf(d->text, sizeof d->text, "draining: %s's connections are unknown", name);
        else
            snprintf(d->text, sizeof d->text, "draining: %s has %lld connections open", name,
                     (long long)d->connections);
        break;
    case GUARDS_DRAIN_IDLE:
        snprintf(d->text, sizeof d->text, "idle: %s has had 0 connections for %.0f s of %d s",
                 name, d->idle_s, p->drain_idle_s);
        break;
    case GUARDS_DRAIN_DRAINED:
        snprintf(d->text, sizeof d->text, "drained: %s has had 0 connections for %.0f s; "
                 "it can be retired", name, d->idle_s);
        break;
    }
}

bool guards_drain_update(struct guards_drain *d, const struct guards_params *p, double now,
                         const int weight[COLOR_COUNT], const int64_t connections[COLOR_COUNT])
{
    int col = draining_color(weight);
    bool reached = false;
    if (col != d->color)                     /* another end, or none: start over */
        guards_drain_init(d);
    d->color = col;
    if (col == COLOR_NONE) {
        drain_text(d, p, weight);
        return false;
    }
    d->connections = connections[col];
    if (d->connections != 0) {               /* open, or unknown: not idle */
        d->state = GUARDS_DRAIN_DRAINING;
        d->idle_since = -1;
        d->drained_at = -1;
        d->idle_s = 0;
    } else {
        if (d->idle_since < 0)
            d->idle_since = now;
        d->idle_s = now > d->idle_since ? now - d->idle_since : 0;
        if (d->state != GUARDS_DRAIN_DRAINED && d->idle_s >= p->drain_idle_s) {
            d->drained_at = now;
            reached = true;
        }
        d->state = d->drained_at >= 0 ? GUARDS_DRAIN_DRAINED : GUARDS_DRAIN_IDLE;
    }
    drain_text(d, p, weight);
    return reached;
}

/* ---- concurrency -------------------------------------------------------- */

void guards_concurrency_init(struct guards_concurrency *c)
{
    memset(c, 0, sizeof *c);
    c->level = GUARDS_OK;
    c->since = -1;
    c->alarmed_at = -1;
    snprintf(c->text, sizeof c->text, "ok: no connection counts yet");
}

/* Why the colors cannot be compared, or NULL when they can. */
static const char *concurrency_unjudged(const struct guards_concurrency *c,
                                        const struct guards_params *p, const char *cand,
                                        char *buf, size_t n)
{
    if (c->candidate_weight <= 0 || c->stable_weight <= 0)
        snprintf(buf, n, "one color at weight 0: connections not compared");
    else if (c->candidate_connections < 0 || c->stable_connections < 0)
        snprintf(buf, n, "connection counts unknown");
    else if (c->candidate_connections < p->concurrency_min_connections)
        snprintf(buf, n, "%s has %lld connections (need %d to compare)", cand,
                 (long long)c->candidate_connections, p->concurrency_min_connections);
    else
        return NULL;
    return buf;
}

/* "green 2.4x blue's connections per weight (24 at 10% vs 90 at 90%)" */
static void concurrency_numbers(const struct guards_concurrency *c, const char *cand,
                                const char *stab, char *buf, size_t n)
{
    snprintf(buf, n, "%s %.1fx %s's connections per weight (%lld at %d%% vs %lld at %d%%)", cand,
             c->ratio, stab, (long long)c->candidate_connections, c->candidate_weight,
             (long long)c->stable_connections, c->stable_weight);
}

static void concurrency_text(struct guards_concurrency *c, const struct guards_params *p,
                             enum color stable, const char *unjudged)
{
    char nums[160];
    const char *cand = color_name(color_other(stable)), *stab = color_name(stable);
    if (unjudged != NULL) {
        snprintf(c->text, sizeof c->text, "ok: %s", unjudged);
        return;
    }
    concurrency_numbers(c, cand, stab, nums, sizeof nums);
    if (c->level == GUARDS_TRIPPED)
        snprintf(c->text, sizeof c->text, "alarm: %s for %.0f s (limit %gx): shift traffic back "
                 "to %s", nums, c->over_s, p->concurrency_ratio, stab);
    else if (c->level == GUARDS_WATCHING)
        snprintf(c->text, sizeof c->text, "alarm in %.0f s: %s (limit %gx)",
                 ceil(p->concurrency_for_s - c->over_s), nums, p->concurrency_ratio);
    else
        snprintf(c->text, sizeof c->text, "ok: %s (limit %gx)", nums, p->concurrency_ratio);
}

bool guards_concurrency_update(struct guards_concurrency *c, const struct guards_params *p,
                               double now, enum color stable, const int weight[COLOR_COUNT],
                               const int64_t connections[COLOR_COUNT])
{
    enum color cand = color_other(stable);
    char why[128];
    bool alarms = false;
    c->candidate_weight = weight[cand];
    c->stable_weight = weight[stable];
    c->candidate_connections = connections[cand];
    c->stable_connections = connections[stable];
    const char *unjudged = concurrency_unjudged(c, p, color_name(cand), why, sizeof why);
    c->judged = unjudged == NULL;
    c->ratio = 0;
    if (c->judged) {
        /* A stable color with no connection at all counts as one: the ratio
         * stays finite and errs low, never toward a false alarm. */
        double s = c->stable_connections > 0 ? (double)c->stable_connections : 1.0;
        c->ratio = ((double)c->candidate_connections / c->candidate_weight) /
                   (s / c->stable_weight);
    }
    bool over = c->judged && c->ratio >= p->concurrency_ratio;
    if (!over) {
        c->since = -1;
        c->over_s = 0;
        c->level = GUARDS_OK;
        c->alarmed_at = -1;
    } else {
        if (c->since < 0)
            c->since = now;
        c->over_s = now > c->since ? now - c->since : 0;
        if (c->level != GUARDS_TRIPPED && c->over_s >= p->concurrency_for_s) {
            c->level = GUARDS_TRIPPED;
            c->alarmed_at = now;
            alarms = true;
        } else if (c->level != GUARDS_TRIPPED)
            c->level = GUARDS_WATCHING;
    }
    concurrency_text(c, p, stable, unjudged);
    return alarms;
}

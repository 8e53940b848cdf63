/* guards_failures: the failure ratio the failure rules read (5xx and
 * in-stream failures, one row of the signal table), its texts, and the
 * sustained excess that rolls back (see core/guards.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/guards.h"
#include "core/guards_priv.h"
#include "core/proportion.h"

/* The signal the failure rules read, as a ratio of its ratio_of: 5xx and
 * in-stream failures (core/metric.c), so the excess guard, the parity
 * refusal and the auto-rollback all read user requests that failed,
 * whatever their HTTP status. */
static const enum metric_id failure_signal = METRIC_FAILURES;

struct guards_ratio guards_failure_ratio(const struct window_stats *s)
{
    struct guards_ratio r = {0};
    r.failed = s->v[failure_signal].sum;
    r.requests = s->v[metric_table[failure_signal].ratio_of].sum;
    for (int k = 0; k < metric_table[failure_signal].n_parts && k < 2; k++)
        r.part[k] = s->v[metric_table[failure_signal].parts[k]].sum;
    metric_stats_ratio(failure_signal, s, &r.ratio);
    return r;
}

/* Whether the ratios hold in-stream failures (the second part): only then
 * do the texts name the failure ratio and its parts. Without (no gateway
 * log, or none failed in a stream) every failure is a 5xx, and the texts
 * say just that, as they did before the gateway's log was read. */
static bool holds_instream(const struct guards_ratio *a, const struct guards_ratio *b)
{
    return metric_table[failure_signal].n_parts >= 2 && (a->part[1] > 0 || b->part[1] > 0);
}

/* The candidate's ratio with what it counts: "failures 12.20% (5xx 0.40% +
 * in-stream 11.80%, 29/250)", or "5xx 11.60% (29/250)". */
static void ratio_parts_text(const struct guards_ratio *c, bool instream, char *buf, size_t n)
{
    const struct metric *f = &metric_table[failure_signal];
    if (!instream) {
        snprintf(buf, n, "%s %.2f%% (%llu/%llu)", metric_table[f->parts[0]].label,
                 c->ratio * 100.0, (unsigned long long)c->failed,
                 (unsigned long long)c->requests);
        return;
    }
    double den = c->requests ? (double)c->requests : 1.0;
    snprintf(buf, n, "%s %.2f%% (%s %.2f%% + %s %.2f%%, %llu/%llu)", f->label, c->ratio * 100.0,
             metric_table[f->parts[0]].label, 100.0 * (double)c->part[0] / den,
             metric_table[f->parts[1]].label, 100.0 * (double)c->part[1] / den,
             (unsigned long long)c->failed, (unsigned long long)c->requests);
}

/* "green 5xx 11.60% (29/250) vs blue 0.00% (0/480)", or with a gateway log
 * "green failures 11.60% (5xx 0.40% + in-stream 11.20%, 29/250) vs blue 0.00% (0/480)" */
void guards_ratios_text(const char *cand, const struct guards_ratio *c, const char *stab,
                        const struct guards_ratio *s, char *buf, size_t n)
{
    char part[RATIOS];
    ratio_parts_text(c, holds_instream(c, s), part, sizeof part);
    snprintf(buf, n, "%s %s vs %s %.2f%% (%llu/%llu)", cand, part, stab, s->ratio * 100.0,
             (unsigned long long)s->failed, (unsigned long long)s->requests);
}

/* ---- 5xx excess --------------------------------------------------------- */

void guards_excess_init(struct guards_excess *e)
{
    memset(e, 0, sizeof *e);
    e->level = GUARDS_OK;
    e->since = -1;
    e->tripped_at = -1;
    snprintf(e->text, sizeof e->text, "ok: no 5xx data yet");
}

/* Why the ratios cannot be compared, or NULL when they can. */
static const char *excess_unjudged(const struct guards_excess *e, const struct guards_params *p,
                                   enum color stable, char *buf, size_t n)
{
    const char *cand = color_name(color_other(stable));
    if (e->candidate_weight <= 0)
        snprintf(buf, n, "%s at weight 0: 5xx not watched", cand);
    else if (e->candidate_requests == 0)
        snprintf(buf, n, "no traffic on %s in the window: cannot compare 5xx", cand);
    else if (e->stable_requests == 0)
        snprintf(buf, n, "no traffic on %s in the window: cannot compare 5xx",
                 color_name(stable));
    else if (e->candidate_requests < (uint64_t)p->excess_min_requests)
        snprintf(buf, n, "%s has %llu requests in the window (need %d to judge 5xx)", cand,
                 (unsigned long long)e->candidate_requests, p->excess_min_requests);
    else
        return NULL;
    return buf;
}

/* "<0.01% likely by chance", "8.7% likely by chance", ">99% likely by
 * chance". Two digits, never rounded across the 1% a trip is sure under. */
static void chance_text(double chance, char *buf, size_t n)
{
    double pct = chance * 100.0;
    if (chance < 0.0001)
        snprintf(buf, n, "<0.01%% likely by chance");
    else if (chance > 0.99)
        snprintf(buf, n, ">99%% likely by chance");
    else
        snprintf(buf, n, "%.2g%% likely by chance",
                 chance < GUARDS_EXCESS_SURE && pct > 0.99 ? 0.99 : pct);
}

/* "green 5xx 5.00% (50/1000) vs blue 0.10% (1/1000), +4.90 points", and
 * once the excess counts, how sure it is: "..., <0.01% likely by chance"
 * or "..., not sure: 8.7% likely by chance". */
static void excess_numbers(const struct guards_excess *e, enum color stable, bool with_chance,
                           char *buf, size_t n)
{
    char ratios[RATIOS], chance[32];
    guards_ratios_text(color_name(color_other(stable)), &e->candidate, color_name(stable),
                       &e->stable, ratios, sizeof ratios);
    chance_text(e->chance, chance, sizeof chance);
    if (!with_chance)
        snprintf(buf, n, "%.119s, %+.2f points", ratios, e->excess_points);
    else
        snprintf(buf, n, "%.119s, %+.2f points, %s%s", ratios, e->excess_points,
                 e->sure ? "" : "not sure: ", chance);
}

/* "2m34s", or "26 s" under a minute: a countdown's size at a glance. */
static void duration_text(double s, char *buf, size_t n)
{
    /* A sustain is at most a day (the config's bound): the cast is safe. */
    int t = (int)ceil(s < 0 ? 0 : s > 86400 ? 86400 : s);
    if (t >= 60)
        snprintf(buf, n, "%dm%02ds", t / 60, t % 60);
    else
        snprintf(buf, n, "%d s", t);
}

/* The row leads with what will happen, so a cut line still says it:
 * "auto-rollback in 2m34s: green 5xx 5.00% (50/1000) vs ...". */
static void excess_text(struct guards_excess *e, const struct guards_params *p, enum color stable,
                        const char *unjudged)
{
    char nums[PART + 32], left[24];   /* ratios, points and chance */
    const char *act = p->auto_rollback ? "auto-rollback" : "alarm";
    /* how sure, while it decides; a trip keeps its reason (the journal's),
     * and the window after it may no longer be */
    excess_numbers(e, stable, e->level == GUARDS_WATCHING, nums, sizeof nums);
    if (e->level == GUARDS_TRIPPED)
        snprintf(e->text, sizeof e->text, "tripped: %s, over %g for %d s", nums,
                 p->excess_5xx_points, p->excess_5xx_for_s);
    else if (unjudged != NULL)
        snprintf(e->text, sizeof e->text, "ok: %s", unjudged);
    else if (e->level == GUARDS_WATCHING && e->exceeding_s >= p->excess_5xx_for_s)
        snprintf(e->text, sizeof e->text, "%s once sure: %s, over %g for %.0f s", act, nums,
                 p->excess_5xx_points, e->exceeding_s);
    else if (e->level == GUARDS_WATCHING) {
        duration_text(p->excess_5xx_for_s - e->exceeding_s, left, sizeof left);
        snprintf(e->text, sizeof e->text, "%s in %s: %s, over %g for %.0f s of %d s", act, left,
                 nums, p->excess_5xx_points, e->exceeding_s, p->excess_5xx_for_s);
    } else
        snprintf(e->text, sizeof e->text, "ok: %s (limit %g)", nums, p->excess_5xx_points);
}

bool guards_excess_update(struct guards_excess *e, const struct guards_params *p, double now,
                          enum color stable, const int weight[COLOR_COUNT],
                          const struct window_stats st[COLOR_COUNT])
{
    const struct window_stats *c = &st[color_other(stable)], *s = &st[stable];
    char why[PART];
    const char *unjudged;
    bool exceeding, trips = false;
    e->candidate_weight = weight[color_other(stable)];
    struct guards_ratio cr = guards_failure_ratio(c), sr = guards_failure_ratio(s);
    e->candidate_requests = cr.requests;
    e->stable_requests = sr.requests;
    e->candidate_failures = cr.failed;
    e->stable_failures = sr.failed;
    e->candidate_ratio = cr.ratio;
    e->stable_ratio = sr.ratio;
    e->candidate = cr;
    e->stable = sr;
    e->excess_points = (e->candidate_ratio - e->stable_ratio) * 100.0;
    unjudged = excess_unjudged(e, p, stable, why, sizeof why);
    e->judged = unjudged == NULL;
    e->chance = proportion_excess_chance(cr.failed, cr.requests, sr.failed, sr.requests);
    e->sure = e->judged && e->chance < GUARDS_EXCESS_SURE;
    if (e->candidate_weight <= 0) {          /* rolled back or not begun: start over */
        e->level = GUARDS_OK;
        e->tripped_at = -1;
    }
    exceeding = e->judged && e->excess_points > p->excess_5xx_points;
    if (!exceeding)
        e->since = -1;
    else if (e->since < 0)
        e->since = now;
    e->exceeding_s = exceeding && now > e->since ? now - e->since : 0;
    if (e->level != GUARDS_TRIPPED) {
        e->level = exceeding ? GUARDS_WATCHING : GUARDS_OK;
        if (exceeding && e->sure && e->exceeding_s >= p->excess_5xx_for_s) {
            e->level = GUARDS_TRIPPED;
            e->tripped_at = now;
            trips = true;
        }
    }
    excess_text(e, p, stable, unjudged);
    return trips;
}

void guards_excess_reason(const struct guards_excess *e, const struct guards_params *p,
                          enum color stable, char *buf, size_t n)
{
    const struct metric *f = &metric_table[failure_signal];
    const char *cand = color_name(color_other(stable));
    char chance[32];
    chance_text(e->chance, chance, sizeof chance);
    if (!holds_instream(&e->candidate, &e->stable)) {
        snprintf(buf, n, "%s %s %.2f%% vs %s %.2f%% for %.0f s (%+.2f points, %s; limit %g)",
                 cand, metric_table[f->parts[0]].label, e->candidate_ratio * 100.0,
                 color_name(stable), e->stable_ratio * 100.0, e->exceeding_s, e->excess_points,
                 chance, p->excess_5xx_points);
        return;
    }
    double den = e->candidate.requests ? (double)e->candidate.requests : 1.0;
    snprintf(buf, n, "%s %s %.2f%% vs %s %.2f%% for %.0f s (%s %.2f%% + %s %.2f%% of %llu "
             "requests: nginx's access log + %s's gateway log; %+.2f points, %s; limit %g)", cand,
             f->label, e->candidate_ratio * 100.0, color_name(stable), e->stable_ratio * 100.0,
             e->exceeding_s, metric_table[f->parts[0]].label,
             100.0 * (double)e->candidate.part[0] / den, metric_table[f->parts[1]].label,
             100.0 * (double)e->candidate.part[1] / den,
             (unsigned long long)e->candidate.requests, cand, e->excess_points, chance,
             p->excess_5xx_points);
}


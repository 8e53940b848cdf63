/* guards: the runbook's rules (guards_rules at the end names them), decided
 * from numbers the caller passes in. Texts are built from the same numbers the structs carry,
 * so what the operator reads is what decided. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/guards.h"
#include "core/guards_priv.h"
#include "core/proportion.h"

void guards_params_from_config(const struct config *cfg, struct guards_params *out)
{
    out->ttft_halt_pct = cfg->rollout.ttft_halt_pct;
    out->ttft_p95 = strcmp(cfg->rollout.ttft_stat, "p95") == 0;
    out->min_samples = cfg->rollout.min_samples;
    struct median_shift_settings ms = MEDIAN_SHIFT_SETTINGS_DEFAULT;
    /* A rank interval needs two values a side; the key allows 1 for the
     * p95 rule, which needs only one. */
    ms.min_samples = cfg->rollout.min_samples < 2 ? 2 : (size_t)cfg->rollout.min_samples;
    out->ttft_settings = ms;
    out->down_after = cfg->probe.down_after;
    out->min_dwell_s = cfg->rollout.min_dwell_s;
    out->excess_5xx_points = cfg->rollout.excess_5xx_points;
    out->excess_5xx_for_s = cfg->rollout.excess_5xx_for_s;
    out->excess_min_requests = cfg->rollout.excess_min_requests;
    out->auto_rollback = cfg->rollout.auto_rollback;
    out->drain_idle_s = cfg->rollout.drain_idle_s;
    out->concurrency_ratio = cfg->rollout.concurrency_ratio;
    out->concurrency_for_s = cfg->rollout.concurrency_for_s;
    out->concurrency_min_connections = cfg->rollout.concurrency_min_connections;
}

const char *guards_level_name(enum guards_level l)
{
    switch (l) {
    case GUARDS_WATCHING: return "watching";
    case GUARDS_TRIPPED: return "tripped";
    default: return "ok";
    }
}

/* ---- step --------------------------------------------------------------- */

double guards_dwell_remaining(int min_dwell_s, double since, double now)
{
    double held;
    if (since <= 0)
        return 0;
    held = now < since ? 0 : now - since;
    return held >= min_dwell_s ? 0 : min_dwell_s - held;
}

static uint64_t ok_probes(const struct window_stats *s)
{
    uint64_t n = s->v[METRIC_PROBES].sum, failed = s->v[METRIC_PROBE_ERRORS].sum;
    return n > failed ? n - failed : 0;
}

/* The p95 rule (rollout.ttft_stat "p95"): the window's p95s, compared as
 * they are. A stable value of 0 us (a sub-microsecond fake) is taken as
 * 1 us so the ratio stays finite. */
static void judge_ttft_p95(const struct guards_params *p,
                           const struct window_stats st[COLOR_COUNT], struct guards_step *out)
{
    const struct window_value *sv = &st[out->stable].v[METRIC_TTFT];
    const struct window_value *cv = &st[out->candidate].v[METRIC_TTFT];
    double stable_us = sv->p95_us > 0 ? (double)sv->p95_us : 1.0;
    out->ttft_judged = out->stable_samples >= (uint64_t)p->min_samples &&
                       out->candidate_samples >= (uint64_t)p->min_samples;
    if (!out->ttft_judged)
        return;
    out->stable_ms = (double)sv->p95_us / 1000.0;
    out->candidate_ms = (double)cv->p95_us / 1000.0;
    out->over_pct = ((double)cv->p95_us - stable_us) / stable_us * 100.0;
}

/* Values the verdict can take: at most its maximum, and none at 0 (a fake
 * answering within the microsecond reads 0 ms; the log needs > 0). */
static size_t verdict_values(const struct guards_probes *g, double *out)
{
    size_t n = g->n < MEDIAN_SHIFT_MAX_SAMPLES ? g->n : MEDIAN_SHIFT_MAX_SAMPLES;
    const double *from = g->ms + (g->n - n);            /* the newest */
    for (size_t i = 0; i < n; i++)
        out[i] = from[i] > 0.001 ? from[i] : 0.001;
    return n;
}

/* The runbook's rule: the candidate's median against the stable's, judged
 * with its interval (core/median_shift.h). */
static void judge_ttft_median(const struct guards_params *p,
                              const struct guards_probes probes[COLOR_COUNT],
                              struct guards_step *out)
{
    static const struct guards_probes none = {NULL, 0, 0};
    double a[MEDIAN_SHIFT_MAX_SAMPLES], b[MEDIAN_SHIFT_MAX_SAMPLES];
    const struct guards_probes *sp = probes ? &probes[out->stable] : &none;
    const struct guards_probes *cp = probes ? &probes[out->candidate] : &none;
    size_t n = verdict_values(sp, a), m = verdict_values(cp, b);
    char err[160];
    /* A threshold of 0 would halt on any slowdown the interval is sure of. */
    double thr = p->ttft_halt_pct > 0 ? p->ttft_halt_pct : 1e-6;
    out->stable_samples = n;
    out->candidate_samples = m;
    if (median_shift_compare(a, n, b, m, thr, &p->ttft_settings, &out->ttft, err,
                             sizeof err) != 0)
        memset(&out->ttft, 0, sizeof out->ttft);    /* INCONCLUSIVE: cannot happen with
                                                       clamped values and checked settings */
    out->ttft_judged = out->ttft.outcome != MEDIAN_SHIFT_INCONCLUSIVE;
    out->stable_ms = out->ttft.stable_median;
    out->candidate_ms = out->ttft.candidate_median;
    out->over_pct = out->ttft.shift_pct;
}

/* Fills the TTFT numbers: the median verdict unless the operator chose p95. */
static void judge_ttft(const struct guards_params *p, const struct window_stats st[COLOR_COUNT],
                       const struct guards_probes probes[COLOR_COUNT], struct guards_step *out)
{
    const struct window_stats *s = &st[out->stable], *c = &st[out->candidate];
    out->ttft_stat = p->ttft_p95 ? "p95" : "median";
    out->stable_samples = ok_probes(s);
    out->candidate_samples = ok_probes(c);
    out->stable_failed = s->v[METRIC_PROBE_ERRORS].sum;
    out->candidate_failed = c->v[METRIC_PROBE_ERRORS].sum;
    out->candidate_fail_streak = probes ? probes[out->candidate].fail_streak : 0;
    out->candidate_down = p->down_after > 0 && out->candidate_fail_streak >= (unsigned)p->down_after;
    out->ttft_min = p->ttft_settings.min_samples;
    out->min_samples = p->min_samples;
    out->limit_pct = p->ttft_halt_pct;
    if (p->ttft_p95)
        judge_ttft_p95(p, st, out);
    else
        judge_ttft_median(p, probes, out);
}

static void judge_failures(const struct guards_params *p, const struct window_stats st[COLOR_COUNT],
                           enum color stable, struct guards_failures *f)
{
    struct proportion_interval d;
    f->stable = guards_failure_ratio(&st[stable]);
    f->candidate = guards_failure_ratio(&st[color_other(stable)]);
    f->limit_points = p->excess_5xx_points;
    /* The same minimum as the sustained rule: failures come in bursts, so a
     * few requests are thinner evidence than the interval alone assumes. */
    f->judged = f->stable.requests > 0 &&
                f->candidate.requests >= (uint64_t)p->excess_min_requests;
    if (!f->judged)
        return;
    d = proportion_difference(f->candidate.failed, f->candidate.requests, f->stable.failed,
                              f->stable.requests, PROPORTION_Z_99);
    f->excess_points = (f->candidate.ratio - f->stable.ratio) * 100.0;
    f->low_points = d.low * 100.0;
    f->high_points = d.high * 100.0;
}

static bool failures_surely_over(const struct guards_failures *f)
{
    return f->judged && f->low_points > f->limit_points;
}

/* "green 5xx 11.60% (29/250) vs blue 0.00% (0/480): +11.6 points, surely over +7.4 (limit 0.5)" */
static void failures_text(const struct guards_step *s, char *buf, size_t n)
{
    const struct guards_failures *f = &s->failures;
    char ratios[RATIOS];
    guards_ratios_text(color_name(s->candidate), &f->candidate, color_name(s->stable),
                       &f->stable, ratios, sizeof ratios);
    snprintf(buf, n, "%.119s: %+.1f points, surely over %+.1f (limit %g)", ratios, f->excess_points,
             f->low_points, f->limit_points);
}

/* Why TTFT cannot be judged, when a color answers no probe; NULL else. */
static const char *ttft_unanswered(const struct guards_step *s, char *buf, size_t n)
{
    const char *cand = color_name(s->candidate), *stab = color_name(s->stable);
    /* A color whose probes all fail is down, not slow: say that first. */
    if (s->candidate_down)
        snprintf(buf, n, "%s is down: its latest %u probes failed (see the failures view)",
                 cand, s->candidate_fail_streak);
    else if (s->candidate_samples == 0 && s->candidate_failed > 0)
        snprintf(buf, n, "cannot judge TTFT: %s is not answering its probes (all %llu in the "
                 "window failed; see the failures view)", cand,
                 (unsigned long long)s->candidate_failed);
    else if (s->stable_samples == 0 && s->stable_failed > 0)
        snprintf(buf, n, "cannot judge TTFT: %s (stable) is not answering its probes (all %llu "
                 "in the window failed)", stab, (unsigned long long)s->stable_failed);
    else
        return NULL;
    return buf;
}

/* The median verdict: "green median TTFT 826.0 ms is +18.0% [+12.0%,
 * +25.0%] over blue's 700.0 ms (limit 8%; 30 and 30 probes)". */
static void ttft_median_text(const struct guards_step *s, char *buf, size_t n)
{
    const struct median_shift_result *r = &s->ttft;
    const char *cand = color_name(s->candidate), *stab = color_name(s->stable);
    if (!r->has_interval || r->stable_n < s->ttft_min || r->candidate_n < s->ttft_min) {
        snprintf(buf, n, "TTFT undecided: %s has %zu successful probes in the window, %s %zu "
                 "(need %zu each)", cand, r->candidate_n, stab, r->stable_n, s->ttft_min);
        return;
    }
    snprintf(buf, n, "%s%s median TTFT %.1f ms is %+.1f%% [%+.1f%%, %+.1f%%] %s %s's %.1f ms "
             "(limit %g%%; %zu and %zu probes)",
             r->outcome == MEDIAN_SHIFT_INCONCLUSIVE ? "TTFT undecided: " : "", cand,
             r->candidate_median, r->shift_pct, r->lower_pct, r->upper_pct,
             r->shift_pct < 0 ? "under" : "over", stab, r->stable_median, s->limit_pct,
             r->candidate_n, r->stable_n);
}

/* "green p95 TTFT 181.2 ms is 20.8% over blue's 150.0 ms (limit 8%; 30 and 30 probes)" */
static void ttft_text(const struct guards_step *s, char *buf, size_t n)
{
    const char *cand = color_name(s->candidate), *stab = color_name(s->stable);
    if (ttft_unanswered(s, buf, n))
        return;
    if (strcmp(s->ttft_stat, "p95") != 0) {
        ttft_median_text(s, buf, n);
        return;
    }
    if (!s->ttft_judged) {
        snprintf(buf, n, "cannot judge TTFT: %s has %llu successful probes in the window, "
                 "%s %llu (need %d each)", cand, (unsigned long long)s->candidate_samples,
                 stab, (unsigned long long)s->stable_samples, s->min_samples);
        return;
    }
    snprintf(buf, n, "%s %s TTFT %.1f ms is %.1f%% %s %s's %.1f ms (limit %g%%; %llu and %llu "
             "probes)", cand, s->ttft_stat, s->candidate_ms,
             s->over_pct < 0 ? -s->over_pct : s->over_pct, s->over_pct < 0 ? "under" : "over",
             stab, s->stable_ms, s->limit_pct,
             (unsigned long long)s->candidate_samples, (unsigned long long)s->stable_samples);
}

void guards_dwell_text(double held_s, int min_dwell_s, double remaining_s, char *buf, size_t n)
{
    if (remaining_s > 0)
        snprintf(buf, n, "the weights have held %.0f s of the %d s dwell (%.0f s left)",
                 held_s, min_dwell_s, remaining_s);
    else
        snprintf(buf, n, "dwell of %d s passed", min_dwell_s);
}

static void dwell_text(const struct guards_step *s, int min_dwell_s, char *buf, size_t n)
{
    guards_dwell_text(s->held_s, min_dwell_s, s->dwell_remaining_s, buf, n);
}

/* Appends "; and " and a part to a refusal being composed. */
static void add_reason(char *buf, size_t n, const char *part)
{
    size_t used = strlen(buf);
    if (used < n)
        snprintf(buf + used, n - used, "%s%s", strcmp(buf, "refused: ") == 0 ? "" : "; and ",
                 part);
}

/* One line: the decision, then every reason with its numbers: failures
 * first (the gravest), then TTFT, then the dwell. */
static void step_text(const struct guards_step *s, int min_dwell_s, char *buf, size_t n)
{
    char part[PART];
    if (!s->toward_candidate) {
        snprintf(buf, n, "allowed: not a step toward %s; guards never hold a step back or a "
                 "rollback", color_name(s->candidate));
        return;
    }
    if (s->allowed) {
        ttft_text(s, part, sizeof part);
        snprintf(buf, n, "allowed: %s", part);
        return;
    }
    snprintf(buf, n, "refused: ");
    if (s->refused & GUARDS_REFUSED_FAILURES) {
        failures_text(s, part, sizeof part);
        add_reason(buf, n, part);
    }
    if (s->refused & (GUARDS_REFUSED_TTFT | GUARDS_REFUSED_SAMPLES | GUARDS_REFUSED_DOWN)) {
        ttft_text(s, part, sizeof part);
        add_reason(buf, n, part);
    }
    if (s->refused & GUARDS_REFUSED_DWELL) {
        dwell_text(s, min_dwell_s, part, sizeof part);
        add_reason(buf, n, part);
    }
}

void guards_check_step(const struct guards_params *p, enum color stable,
                       const int before[COLOR_COUNT], const int after[COLOR_COUNT],
                       const struct window_stats st[COLOR_COUNT],
                       const struct guards_probes probes[COLOR_COUNT], double since, double now,
                       struct guards_step *out)
{
    memset(out, 0, sizeof *out);
    out->stable = stable;
    out->candidate = color_other(stable);
    out->toward_candidate = after[out->candidate] > before[out->candidate];
    judge_ttft(p, st, probes, out);
    judge_failures(p, st, stable, &out->failures);
    out->dwell_remaining_s = guards_dwell_remaining(p->min_dwell_s, since, now);
    out->held_s = since <= 0 ? 0 : (now < since ? 0 : now - since);
    if (out->toward_candidate) {
        if (out->candidate_down)
            out->refused |= GUARDS_REFUSED_DOWN;
        else if (!out->ttft_judged)
            out->refused |= GUARDS_REFUSED_SAMPLES;
        else if (p->ttft_p95 ? out->over_pct > p->ttft_halt_pct
                             : out->ttft.outcome == MEDIAN_SHIFT_HALT)
            out->refused |= GUARDS_REFUSED_TTFT;
        if (out->dwell_remaining_s > 0)
            out->refused |= GUARDS_REFUSED_DWELL;
        /* The sustain is for rolling back alone; it is no leave to go forward
         * while the excess is already sure (the runbook's error rate parity). */
        if (failures_surely_over(&out->failures))
            out->refused |= GUARDS_REFUSED_FAILURES;
    }
    out->allowed = out->refused == 0;
    step_text(out, p->min_dwell_s, out->text, sizeof out->text);
}

/* ---- the table ---------------------------------------------------------- */

static const char no_step_left[] = "no step toward the candidate left";

static void fill_ttft(struct guards_item *it, const struct guards_view *v)
{
    const struct guards_step *next = &v->step;
    char text[PART];
    if (!v->has_next) {
        it->level = GUARDS_OK;
        snprintf(it->text, sizeof it->text, "%s", no_step_left);
        return;
    }
    ttft_text(next, text, sizeof text);
    /* The row leads with the verdict, so a cut line still says it. */
    if (next->refused & (GUARDS_REFUSED_TTFT | GUARDS_REFUSED_DOWN)) {
        it->level = GUARDS_TRIPPED;
        snprintf(it->text, sizeof it->text, "%s%s",
                 next->refused & GUARDS_REFUSED_TTFT ? "halt: " : "", text);
    } else if (next->refused & GUARDS_REFUSED_SAMPLES) {
        /* The steady state: a probe every probe.interval_s decides nothing
         * alone; a step toward the candidate bursts until it is decided. */
        it->level = next->deciding ? GUARDS_WATCHING : GUARDS_OK;
        snprintf(it->text, sizeof it->text, "%s: %s",
                 next->deciding ? "deciding (a step waits on it)"
                                : "undecided until a step asks (it probes to decide)",
                 strncmp(text, "TTFT undecided: ", 16) == 0 ? text + 16 : text);
    } else {
        it->level = GUARDS_OK;
        snprintf(it->text, sizeof it->text, "%s%s", next->ttft_judged ? "pass: " : "", text);
    }
}

static void fill_dwell(struct guards_item *it, const struct guards_view *v)
{
    const struct guards_step *next = &v->step;
    if (!v->has_next) {
        it->level = GUARDS_OK;
        snprintf(it->text, sizeof it->text, "%s", no_step_left);
        return;
    }
    it->level = next->dwell_remaining_s > 0 ? GUARDS_WATCHING : GUARDS_OK;
    if (next->dwell_remaining_s > 0)
        /* Rounded up: "0 s" while still waiting would invite a refused step. */
        snprintf(it->text, sizeof it->text, "next step in %.0f s (held %.0f s)",
                 ceil(next->dwell_remaining_s), next->held_s);
    else
        snprintf(it->text, sizeof it->text, "dwell passed (held %.0f s)", next->held_s);
}

/* The sustained rule's row; while the excess is already sure, it says
 * first that steps toward the candidate are held for it, and then what the
 * rollback waits for ("auto-rollback in 2m09s"), which the held steps must
 * not hide. */
static void fill_excess(struct guards_item *it, const struct guards_view *v)
{
    char part[PART];
    it->level = v->excess.level;
    if (v->excess.level == GUARDS_TRIPPED || !v->has_next ||
        !(v->step.refused & GUARDS_REFUSED_FAILURES)) {
        snprintf(it->text, sizeof it->text, "%s", v->excess.text);
        return;
    }
    it->level = GUARDS_WATCHING;
    failures_text(&v->step, part, sizeof part);
    const char *colon = strchr(v->excess.text, ':');
    if (v->excess.level == GUARDS_WATCHING && colon != NULL)
        snprintf(it->text, sizeof it->text, "steps held, %.*s: %s",
                 (int)(colon - v->excess.text), v->excess.text, part);
    else
        snprintf(it->text, sizeof it->text, "steps held: %s", part);
}

static void fill_drain(struct guards_item *it, const struct guards_view *v)
{
    enum guards_drain_state s = v->drain.state;
    it->level = s == GUARDS_DRAIN_DRAINING || s == GUARDS_DRAIN_IDLE ? GUARDS_WATCHING : GUARDS_OK;
    snprintf(it->text, sizeof it->text, "%s", v->drain.text);
}

static void fill_concurrency(struct guards_item *it, const struct guards_view *v)
{
    it->level = v->concurrency.level;
    snprintf(it->text, sizeof it->text, "%s", v->concurrency.text);
}

const struct guards_rule guards_rules[GUARDS_ITEM_COUNT] = {
    [GUARDS_ITEM_TTFT] = {"ttft", fill_ttft},
    [GUARDS_ITEM_DWELL] = {"dwell", fill_dwell},
    [GUARDS_ITEM_EXCESS] = {"5xx", fill_excess},
    [GUARDS_ITEM_DRAIN] = {"drain", fill_drain},
    [GUARDS_ITEM_CONCURRENCY] = {"conc", fill_concurrency},
};

void guards_view_fill(struct guards_view *v, const struct guards_step *next,
                      const struct guards_excess *excess, const struct guards_drain *drain,
                      const struct guards_concurrency *concurrency)
{
    memset(v, 0, sizeof *v);
    v->has_next = next != NULL;
    if (next != NULL)
        v->step = *next;
    v->excess = *excess;
    v->drain = *drain;
    v->concurrency = *concurrency;
    for (int i = 0; i < GUARDS_ITEM_COUNT; i++) {
        v->item[i].name = guards_rules[i].name;
        guards_rules[i].fill(&v->item[i], v);
    }
}

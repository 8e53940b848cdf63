/* guards: the runbook's rules with time compressed into loops. Each test
 * feeds the numbers a window would give and checks the decision, the
 * numbers carried with it and the text the operator reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/guards.h"

#define T0 1700000000.0

static struct guards_params params(void)
{
    struct guards_params p = { .ttft_halt_pct = 8, .min_samples = 5, .min_dwell_s = 60,
                               .excess_5xx_points = 0.5, .excess_5xx_for_s = 180,
                               .excess_min_requests = 20, .auto_rollback = true,
                               .drain_idle_s = 120, .concurrency_ratio = 2,
                               .concurrency_for_s = 30, .concurrency_min_connections = 10,
                               .ttft_settings = MEDIAN_SHIFT_SETTINGS_DEFAULT, .down_after = 2 };
    p.ttft_settings.min_samples = 8;     /* rollout.min_samples of a quick test config */
    return p;
}

/* Probe side of a window: the median TTFT in us, probes and failures. The
 * p95 is set far off (three times the median), so a test that passes shows
 * the median decided, as the runbook says. */
static void probes(struct window_stats *s, uint64_t median_us, uint64_t n, uint64_t errors)
{
    s->v[METRIC_TTFT].p50_us = median_us;
    s->v[METRIC_TTFT].p95_us = 3 * median_us;
    s->v[METRIC_PROBES].sum = n;
    s->v[METRIC_PROBE_ERRORS].sum = errors;
}

/* n probe values around a median, in ms: median * exp(sigma * z) for z at
 * evenly spaced normal quantiles, so an odd n has exactly that median, and
 * a candidate made from the stable's values times f is a pure shift by f
 * (its Hodges-Lehmann estimate is f exactly). */
#define NPROBES 31
static void spread(double *out, int n, double median_ms, double sigma)
{
    for (int k = 0; k < n; k++) {
        double q = (k + 0.5) / n, lo = -10, hi = 10;
        for (int i = 0; i < 100; i++) {      /* the normal quantile of q, by bisection */
            double mid = (lo + hi) / 2;
            if (0.5 * erfc(-mid / sqrt(2.0)) < q)
                lo = mid;
            else
                hi = mid;
        }
        out[k] = median_ms * exp(sigma * (lo + hi) / 2);
    }
}

/* A step from `from` to `to` (the candidate's weight) with NPROBES tight
 * probes a color (sigma 0.02, a quiet fake) at the given medians. */
static void check(const struct guards_params *p, enum color stable, int from, int to,
                  uint64_t stable_us, uint64_t cand_us, double since, double now,
                  struct guards_step *out)
{
    struct window_stats st[COLOR_COUNT];
    struct guards_probes pr[COLOR_COUNT];
    static double values[COLOR_COUNT][NPROBES];
    int before[COLOR_COUNT], after[COLOR_COUNT];
    enum color cand = color_other(stable);
    memset(st, 0, sizeof st);
    probes(&st[stable], stable_us, NPROBES, 0);
    probes(&st[cand], cand_us, NPROBES, 0);
    spread(values[stable], NPROBES, (double)stable_us / 1000.0, 0.02);
    spread(values[cand], NPROBES, (double)cand_us / 1000.0, 0.02);
    for (int c = 0; c < COLOR_COUNT; c++)
        pr[c] = (struct guards_probes){values[c], NPROBES, 0};
    before[cand] = from, before[stable] = 100 - from;
    after[cand] = to, after[stable] = 100 - to;
    guards_check_step(p, stable, before, after, st, pr, since, now, out);
}

/* Tight probes for both colors (blue stable) at these medians. */
static double tight_values[COLOR_COUNT][NPROBES];
static const struct guards_probes *tight(double blue_ms, double green_ms)
{
    static struct guards_probes pr[COLOR_COUNT];
    spread(tight_values[COLOR_BLUE], NPROBES, blue_ms, 0.02);
    spread(tight_values[COLOR_GREEN], NPROBES, green_ms, 0.02);
    for (int c = 0; c < COLOR_COUNT; c++)
        pr[c] = (struct guards_probes){tight_values[c], NPROBES, 0};
    return pr;
}

/* Whether a text has this beginning and this end (the interval between
 * them is the verdict's, checked by number). */
static bool framed(const char *text, const char *head, const char *tail)
{
    size_t t = strlen(text), h = strlen(head), e = strlen(tail);
    return t >= h + e && strncmp(text, head, h) == 0 && strcmp(text + t - e, tail) == 0;
}

/* ---- TTFT halt ---------------------------------------------------------- */

static void test_ttft_regression_refuses_with_numbers(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 10, 20, 150000, 181200, T0 - 600, T0, &s);
    assert_false(s.allowed);
    assert_true(s.toward_candidate);
    assert_int_equal(s.refused, GUARDS_REFUSED_TTFT);
    assert_int_equal(s.candidate, COLOR_GREEN);
    assert_true(fabs(s.stable_ms - 150.0) < 1e-9);
    assert_true(fabs(s.candidate_ms - 181.2) < 1e-9);
    assert_true(fabs(s.over_pct - 20.8) < 1e-6);      /* a pure shift: exact */
    assert_int_equal(s.ttft.outcome, MEDIAN_SHIFT_HALT);
    assert_true(s.ttft.lower_pct > 8 && s.ttft.lower_pct < 20.8 && s.ttft.upper_pct > 20.8);
    assert_int_equal(s.candidate_samples, NPROBES);
    assert_int_equal(s.stable_samples, NPROBES);
    assert_true(framed(s.text, "refused: green median TTFT 181.2 ms is +20.8% [+",
                       "%] over blue's 150.0 ms (limit 8%; 31 and 31 probes)"));
}

static void test_ttft_small_regression_and_faster_candidate_pass(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 10, 20, 150000, 154500, T0 - 600, T0, &s);
    assert_true(s.allowed);
    assert_int_equal(s.refused, 0);
    assert_int_equal(s.ttft.outcome, MEDIAN_SHIFT_PASS);
    assert_true(framed(s.text, "allowed: green median TTFT 154.5 ms is +3.0% [+",
                       "%] over blue's 150.0 ms (limit 8%; 31 and 31 probes)"));
    check(&p, COLOR_BLUE, 10, 20, 150000, 140000, T0 - 600, T0, &s);
    assert_true(s.allowed);
    assert_true(s.over_pct < 0);
    assert_true(framed(s.text, "allowed: green median TTFT 140.0 ms is -6.7% [-",
                       "%] under blue's 150.0 ms (limit 8%; 31 and 31 probes)"));
}

/* rollout.ttft_stat "p95": equal medians, a candidate whose tail is 30%
 * longer passes the median rule and is refused by the p95 one, named so. */
static void test_ttft_stat_p95_compares_tails(void **state)
{
    struct guards_params p = params();
    struct window_stats st[COLOR_COUNT];
    const int before[COLOR_COUNT] = { 90, 10 }, after[COLOR_COUNT] = { 80, 20 };
    struct guards_step s;
    (void)state;
    memset(st, 0, sizeof st);
    probes(&st[COLOR_BLUE], 100000, 30, 0);
    probes(&st[COLOR_GREEN], 100000, 30, 0);
    st[COLOR_BLUE].v[METRIC_TTFT].p95_us = 200000;
    st[COLOR_GREEN].v[METRIC_TTFT].p95_us = 260000;
    double same[NPROBES];
    spread(same, NPROBES, 100.0, 0.02);
    struct guards_probes pr[COLOR_COUNT] = {{same, NPROBES, 0}, {same, NPROBES, 0}};
    guards_check_step(&p, COLOR_BLUE, before, after, st, pr, T0 - 600, T0, &s);
    assert_true(s.allowed);
    assert_string_equal(s.ttft_stat, "median");
    assert_true(framed(s.text, "allowed: green median TTFT 100.0 ms is +0.0% [-",
                       "%] over blue's 100.0 ms (limit 8%; 31 and 31 probes)"));
    p.ttft_p95 = true;
    guards_check_step(&p, COLOR_BLUE, before, after, st, pr, T0 - 600, T0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_TTFT);
    assert_true(fabs(s.candidate_ms - 260.0) < 1e-9);
    assert_string_equal(s.text, "refused: green p95 TTFT 260.0 ms is 30.0% over blue's "
                                "200.0 ms (limit 8%; 30 and 30 probes)");
}

/* "Beyond 8%", judged with its interval: measured at the limit is no
 * confident evidence of more, so it passes; 10% with a tight interval
 * (its low end over 8%) halts; the limit is a parameter. The p95 rule
 * compares the numbers as they are: exactly 8% passes, a hair over not. */
static void test_ttft_limit_with_its_interval(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 10, 20, 150000, 162000, T0 - 600, T0, &s);
    assert_true(s.allowed);
    assert_true(s.ttft.lower_pct < 8);
    check(&p, COLOR_BLUE, 10, 20, 150000, 165000, T0 - 600, T0, &s);
    assert_false(s.allowed);
    assert_int_equal(s.refused, GUARDS_REFUSED_TTFT);
    assert_true(s.ttft.lower_pct > 8);
    p.ttft_halt_pct = 12.5;
    check(&p, COLOR_BLUE, 10, 20, 150000, 165000, T0 - 600, T0, &s);
    assert_true(s.allowed);
    assert_non_null(strstr(s.text, "(limit 12.5%;"));
    p.ttft_halt_pct = 8;
    p.ttft_p95 = true;
    struct window_stats st[COLOR_COUNT];
    const int before[COLOR_COUNT] = { 90, 10 }, after[COLOR_COUNT] = { 80, 20 };
    memset(st, 0, sizeof st);
    probes(&st[COLOR_BLUE], 50000, 30, 0);
    probes(&st[COLOR_GREEN], 54000, 30, 0);    /* p95s: 150 and 162 ms, 8.0% */
    guards_check_step(&p, COLOR_BLUE, before, after, st, NULL, T0 - 600, T0, &s);
    assert_true(s.allowed);
    st[COLOR_GREEN].v[METRIC_TTFT].p95_us = 162150;
    guards_check_step(&p, COLOR_BLUE, before, after, st, NULL, T0 - 600, T0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_TTFT);
}

/* The direction comes from `stable`, never from the color's name. */
static void test_ttft_green_stable_blue_candidate(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_GREEN, 40, 50, 100000, 120000, T0 - 600, T0, &s);
    assert_false(s.allowed);
    assert_int_equal(s.candidate, COLOR_BLUE);
    assert_true(framed(s.text, "refused: blue median TTFT 120.0 ms is +20.0% [+",
                       "%] over green's 100.0 ms (limit 8%; 31 and 31 probes)"));
}

/* Undecided (too few probes, or an interval too wide to say either way)
 * refuses as GUARDS_REFUSED_SAMPLES, which more probes settle; a candidate
 * whose latest probes all failed is down at once, whatever its window. */
static void test_ttft_undecided_and_down(void **state)
{
    struct guards_params p = params();
    struct window_stats st[COLOR_COUNT];
    const int before[COLOR_COUNT] = { 90, 10 }, after[COLOR_COUNT] = { 80, 20 };
    double blue[NPROBES], green[NPROBES];
    struct guards_step s;
    (void)state;
    memset(st, 0, sizeof st);
    spread(blue, NPROBES, 150, 0.02);
    spread(green, NPROBES, 100, 0.02);
    struct guards_probes pr[COLOR_COUNT] = {{blue, NPROBES, 0}, {green, 4, 0}};
    guards_check_step(&p, COLOR_BLUE, before, after, st, pr, T0 - 600, T0, &s);
    assert_false(s.allowed);
    assert_false(s.ttft_judged);
    assert_int_equal(s.refused, GUARDS_REFUSED_SAMPLES);
    assert_int_equal(s.candidate_samples, 4);
    assert_string_equal(s.text, "refused: TTFT undecided: green has 4 successful probes in "
                                "the window, blue 31 (need 8 each)");
    /* Enough probes, but so spread that neither a halt nor a pass is sure:
     * +5% with sigma 0.5 over 11 probes a side. */
    spread(blue, 11, 800, 0.5);
    spread(green, 11, 840, 0.5);
    pr[0] = (struct guards_probes){blue, 11, 0};
    pr[1] = (struct guards_probes){green, 11, 0};
    guards_check_step(&p, COLOR_BLUE, before, after, st, pr, T0 - 600, T0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_SAMPLES);
    assert_int_equal(s.ttft.outcome, MEDIAN_SHIFT_INCONCLUSIVE);
    assert_true(framed(s.text, "refused: TTFT undecided: green median TTFT 840.0 ms is +5.0% [",
                       "%] over blue's 800.0 ms (limit 8%; 11 and 11 probes)"));
    /* Its two latest probes failed: down, at once, the same row tripped. */
    pr[1].fail_streak = 2;
    guards_check_step(&p, COLOR_BLUE, before, after, st, pr, T0 - 600, T0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_DOWN);
    assert_true(s.candidate_down);
    assert_string_equal(s.text, "refused: green is down: its latest 2 probes failed (see the "
                                "failures view)");
    pr[1].fail_streak = 1;                     /* one failure is not down */
    guards_check_step(&p, COLOR_BLUE, before, after, st, pr, T0 - 600, T0, &s);
    assert_false(s.candidate_down);
    /* No probes at all, no window yet: undecided, not a division by zero. */
    guards_check_step(&p, COLOR_BLUE, before, after, st, NULL, T0 - 600, T0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_SAMPLES);
    /* The p95 rule counts the window's successful probes. */
    p.ttft_p95 = true;
    probes(&st[COLOR_BLUE], 150000, 30, 0);
    probes(&st[COLOR_GREEN], 100000, 10, 6);   /* fast, but only 4 succeeded */
    guards_check_step(&p, COLOR_BLUE, before, after, st, NULL, T0 - 600, T0, &s);
    assert_string_equal(s.text, "refused: cannot judge TTFT: green has 4 successful probes in "
                                "the window, blue 30 (need 5 each)");
    probes(&st[COLOR_GREEN], 0, 12, 12);
    guards_check_step(&p, COLOR_BLUE, before, after, st, NULL, T0 - 600, T0, &s);
    assert_string_equal(s.text, "refused: cannot judge TTFT: green is not answering its probes "
                                "(all 12 in the window failed; see the failures view)");
}

static void test_stable_p95_of_zero_stays_finite(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 10, 20, 0, 0, T0 - 600, T0, &s);
    assert_true(s.allowed);
    assert_true(isfinite(s.over_pct));
    check(&p, COLOR_BLUE, 10, 20, 0, 5000, T0 - 600, T0, &s);
    assert_false(s.allowed);
    assert_true(isfinite(s.over_pct));
}

/* Steps back and rollback are never held, whatever the numbers say. */
static void test_steps_back_and_rollback_never_refused(void **state)
{
    struct guards_params p = params();
    struct window_stats st[COLOR_COUNT];
    const int half[COLOR_COUNT] = { 50, 50 }, back[COLOR_COUNT] = { 60, 40 };
    const int rolled[COLOR_COUNT] = { 100, 0 };
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 50, 40, 150000, 900000, T0 - 1, T0, &s);
    assert_true(s.allowed);
    assert_false(s.toward_candidate);
    assert_int_equal(s.refused, 0);
    assert_string_equal(s.text, "allowed: not a step toward green; guards never hold a step "
                                "back or a rollback");
    memset(st, 0, sizeof st);                     /* no samples either */
    guards_check_step(&p, COLOR_BLUE, half, rolled, st, NULL, T0, T0, &s);
    assert_true(s.allowed);
    guards_check_step(&p, COLOR_BLUE, half, back, st, NULL, T0, T0, &s);
    assert_true(s.allowed);
    /* The numbers are still reported for a step back. */
    check(&p, COLOR_BLUE, 50, 40, 150000, 181200, T0 - 1, T0, &s);
    assert_true(s.ttft_judged);
    assert_true(fabs(s.over_pct - 20.8) < 1e-6);
}

/* ---- dwell -------------------------------------------------------------- */

static void test_dwell_counts_down(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 10, 20, 150000, 150000, T0 - 18, T0, &s);
    assert_false(s.allowed);
    assert_int_equal(s.refused, GUARDS_REFUSED_DWELL);
    assert_true(s.dwell_remaining_s == 42);
    assert_true(s.held_s == 18);
    assert_string_equal(s.text, "refused: the weights have held 18 s of the 60 s dwell "
                                "(42 s left)");
    check(&p, COLOR_BLUE, 10, 20, 150000, 150000, T0 - 59.5, T0, &s);
    assert_false(s.allowed);
    assert_true(s.dwell_remaining_s == 0.5);
    check(&p, COLOR_BLUE, 10, 20, 150000, 150000, T0 - 60, T0, &s);
    assert_true(s.allowed);
    assert_true(s.dwell_remaining_s == 0);
}

static void test_dwell_edges(void **state)
{
    (void)state;
    /* Unknown since (no move on record): nothing to wait for. */
    assert_true(guards_dwell_remaining(60, 0, T0) == 0);
    /* The clock went back: wait the whole dwell. */
    assert_true(guards_dwell_remaining(60, T0 + 30, T0) == 60);
    /* A dwell of 0 (the demo) never waits. */
    assert_true(guards_dwell_remaining(0, T0, T0) == 0);
    assert_true(guards_dwell_remaining(60, T0, T0) == 60);
}

static void test_ttft_and_dwell_both_named(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check(&p, COLOR_BLUE, 10, 20, 150000, 181200, T0 - 18, T0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_TTFT | GUARDS_REFUSED_DWELL);
    assert_true(framed(s.text, "refused: green median TTFT 181.2 ms is +20.8% [+",
                       "%] over blue's 150.0 ms (limit 8%; 31 and 31 probes); and the weights "
                       "have held 18 s of the 60 s dwell (42 s left)"));
}

/* ---- 5xx excess --------------------------------------------------------- */


/* n 5xx in a window: the failure row counts them too, as window_add does
 * (the failure guards read that row). */
static void set_5xx(struct window_stats *st, uint64_t n)
{
    st->v[METRIC_STATUS_5XX].sum = n;
    st->v[METRIC_FAILURES].sum = n;
}

/* n in-stream failures from the gateway's log, likewise. */
static void add_instream(struct window_stats *st, uint64_t n)
{
    st->v[METRIC_GW_FAILURES].sum = n;
    st->v[METRIC_FAILURES].sum += n;
}

static bool feed(struct guards_excess *e, const struct guards_params *p, enum color stable,
                 double now, int cand_weight, uint64_t cand_req, uint64_t cand_5xx,
                 uint64_t stable_req, uint64_t stable_5xx)
{
    struct window_stats st[COLOR_COUNT];
    int weight[COLOR_COUNT];
    enum color cand = color_other(stable);
    memset(st, 0, sizeof st);
    st[cand].v[METRIC_REQUESTS].sum = cand_req;
    set_5xx(&st[cand], cand_5xx);
    st[stable].v[METRIC_REQUESTS].sum = stable_req;
    set_5xx(&st[stable], stable_5xx);
    weight[cand] = cand_weight;
    weight[stable] = 100 - cand_weight;
    return guards_excess_update(e, p, now, stable, weight, st);
}

/* 5% errors on green against 0.1% on blue at 50/50, fed once a second. */
static bool feed_bad(struct guards_excess *e, const struct guards_params *p, double now)
{
    return feed(e, p, COLOR_BLUE, now, 50, 1000, 50, 1000, 1);
}

static bool feed_good(struct guards_excess *e, const struct guards_params *p, double now)
{
    return feed(e, p, COLOR_BLUE, now, 50, 1000, 2, 1000, 1);
}

static void test_excess_trips_once_after_sustain(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    int trips = 0;
    (void)state;
    guards_excess_init(&e);
    assert_int_equal(e.level, GUARDS_OK);
    assert_false(feed_good(&e, &p, T0));
    assert_int_equal(e.level, GUARDS_OK);
    assert_string_equal(e.text, "ok: green 5xx 0.20% (2/1000) vs blue 0.10% (1/1000), "
                                "+0.10 points (limit 0.5)");
    for (int t = 1; t < 180; t++) {
        assert_false(feed_bad(&e, &p, T0 + t));
        assert_int_equal(e.level, GUARDS_WATCHING);
    }
    assert_true(e.since == T0 + 1);
    assert_true(e.exceeding_s == 178);
    assert_true(fabs(e.excess_points - 4.9) < 1e-9);
    assert_string_equal(e.text, "auto-rollback in 2 s: green 5xx 5.00% (50/1000) vs blue 0.10% "
                                "(1/1000), +4.90 points, <0.01% likely by chance, over 0.5 for 178 s "
                                "of 180 s");
    assert_false(feed_bad(&e, &p, T0 + 180));       /* 179 s so far */
    assert_true(feed_bad(&e, &p, T0 + 181));        /* 180 s: trips */
    assert_int_equal(e.level, GUARDS_TRIPPED);
    assert_true(e.tripped_at == T0 + 181);
    assert_string_equal(e.text, "tripped: green 5xx 5.00% (50/1000) vs blue 0.10% (1/1000), "
                                "+4.90 points, over 0.5 for 180 s");
    /* Once: it stays tripped, recovered or not, and never trips again. */
    for (int t = 182; t < 600; t++)
        trips += (t % 2 ? feed_bad(&e, &p, T0 + t) : feed_good(&e, &p, T0 + t));
    assert_int_equal(trips, 0);
    assert_int_equal(e.level, GUARDS_TRIPPED);
}

/* Exceed, recover for one update, exceed again: the sustain starts over. */
static void test_excess_flapping_restarts_the_sustain(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    int t = 0;
    (void)state;
    guards_excess_init(&e);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 170; i++, t++)
            assert_false(feed_bad(&e, &p, T0 + t));
        assert_false(feed_good(&e, &p, T0 + t++));
        assert_int_equal(e.level, GUARDS_OK);
        assert_true(e.since < 0);
    }
    /* A run that lasts is still caught after the flapping. */
    for (int i = 0; i < 180; i++, t++)
        assert_false(feed_bad(&e, &p, T0 + t));
    assert_true(feed_bad(&e, &p, T0 + t));
}

/* A burst shorter than the sustain never rolls back, however high. */
static void test_excess_short_burst_never_trips(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    p.excess_5xx_for_s = 5;                          /* compressed, as the tests run it */
    guards_excess_init(&e);
    for (int t = 0; t < 5; t++)                      /* 4 s of exceeding: 0..4 */
        assert_false(feed(&e, &p, COLOR_BLUE, T0 + t, 50, 100, 100, 100, 0));
    assert_int_equal(e.level, GUARDS_WATCHING);
    for (int t = 5; t < 300; t++)
        assert_false(feed_good(&e, &p, T0 + t));
    assert_int_equal(e.level, GUARDS_OK);
    /* The same ratio held one second longer trips. */
    guards_excess_init(&e);
    for (int t = 0; t < 5; t++)
        assert_false(feed(&e, &p, COLOR_BLUE, T0 + t, 50, 100, 100, 100, 0));
    assert_true(feed(&e, &p, COLOR_BLUE, T0 + 5, 50, 100, 100, 100, 0));
}

/* "More than 0.5 points": exactly at the limit does not count. Ratios of
 * 60/80 and 20/80 are exact in binary, so the limit is met exactly. */
static void test_excess_limit_is_exclusive(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    p.excess_5xx_points = 50;
    guards_excess_init(&e);
    assert_false(feed(&e, &p, COLOR_BLUE, T0, 50, 80, 60, 80, 20));
    assert_int_equal(e.level, GUARDS_OK);
    assert_true(e.excess_points == 50);
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 1, 50, 80, 61, 80, 20));
    assert_int_equal(e.level, GUARDS_WATCHING);
}

/* No traffic on a color: no ratio, nothing to compare; say so, and a run
 * in progress ends (the excess was not continuous). */
static void test_excess_no_traffic_cannot_judge(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    guards_excess_init(&e);
    for (int t = 0; t < 100; t++)
        feed_bad(&e, &p, T0 + t);
    assert_int_equal(e.level, GUARDS_WATCHING);
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 100, 50, 1000, 500, 0, 0));
    assert_int_equal(e.level, GUARDS_OK);
    assert_false(e.judged);
    assert_true(e.since < 0);
    assert_string_equal(e.text, "ok: no traffic on blue in the window: cannot compare 5xx");
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 101, 50, 0, 0, 1000, 0));
    assert_string_equal(e.text, "ok: no traffic on green in the window: cannot compare 5xx");
    assert_true(e.candidate_ratio == 0);
    /* Feeding on: the sustain counts from the first judged excess again. */
    for (int t = 102; t < 281; t++)
        assert_false(feed_bad(&e, &p, T0 + t));
    assert_true(feed_bad(&e, &p, T0 + 282));
}

/* One failed request of one reads as 100%: the candidate needs
 * excess_min_requests in the window before its ratio is judged. */
static void test_excess_window_with_one_sample(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    p.excess_5xx_for_s = 1;
    guards_excess_init(&e);
    for (int t = 0; t < 10; t++)
        assert_false(feed(&e, &p, COLOR_BLUE, T0 + t, 10, 1, 1, 500, 0));
    assert_int_equal(e.level, GUARDS_OK);
    assert_true(e.candidate_ratio == 1.0);           /* the number is still shown */
    assert_string_equal(e.text, "ok: green has 1 requests in the window (need 20 to judge 5xx)");
    /* 19 of 19 failing: still not judged; 20 requests with one error (5%) is. */
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 10, 10, 19, 19, 500, 0));
    assert_int_equal(e.level, GUARDS_OK);
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 11, 10, 20, 1, 500, 0));
    assert_int_equal(e.level, GUARDS_WATCHING);
    /* The minimum is a parameter: at 1, a single failure is judged. */
    p.excess_min_requests = 1;
    guards_excess_init(&e);
    assert_false(feed(&e, &p, COLOR_BLUE, T0, 10, 1, 1, 500, 0));
    assert_int_equal(e.level, GUARDS_WATCHING);
    assert_true(feed(&e, &p, COLOR_BLUE, T0 + 1, 10, 1, 1, 500, 0));
}

/* The candidate back at 0 (rolled back, or not begun) resets everything,
 * a trip included; a later run can trip again. */
static void test_excess_candidate_at_zero_resets(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    p.excess_5xx_for_s = 10;
    guards_excess_init(&e);
    for (int t = 0; t < 5; t++)
        feed_bad(&e, &p, T0 + t);
    assert_int_equal(e.level, GUARDS_WATCHING);
    /* At 0 the window may still hold the candidate's old errors: ignored. */
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 5, 0, 1000, 50, 1000, 1));
    assert_int_equal(e.level, GUARDS_OK);
    assert_true(e.since < 0);
    assert_string_equal(e.text, "ok: green at weight 0: 5xx not watched");
    for (int t = 6; t < 16; t++)
        assert_false(feed_bad(&e, &p, T0 + t));
    assert_true(feed_bad(&e, &p, T0 + 16));
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 17, 0, 1000, 50, 1000, 1));
    assert_int_equal(e.level, GUARDS_OK);
    assert_true(e.tripped_at < 0);
    for (int t = 18; t < 28; t++)
        assert_false(feed_bad(&e, &p, T0 + t));
    assert_true(feed_bad(&e, &p, T0 + 28));
}

static void test_excess_green_stable(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    p.excess_5xx_for_s = 2;
    guards_excess_init(&e);
    /* Blue is the candidate here; green's errors are the baseline. */
    assert_false(feed(&e, &p, COLOR_GREEN, T0, 50, 1000, 10, 1000, 100));
    assert_int_equal(e.level, GUARDS_OK);
    assert_string_equal(e.text, "ok: blue 5xx 1.00% (10/1000) vs green 10.00% (100/1000), "
                                "-9.00 points (limit 0.5)");
    assert_false(feed(&e, &p, COLOR_GREEN, T0 + 1, 50, 1000, 100, 1000, 10));
    assert_false(feed(&e, &p, COLOR_GREEN, T0 + 2, 50, 1000, 100, 1000, 10));
    assert_true(feed(&e, &p, COLOR_GREEN, T0 + 3, 50, 1000, 100, 1000, 10));
}

/* Over the limit on its face for the whole sustain is not enough: one
 * failure in 57 against none of 600 reads as +1.75 points, but the one
 * failure lands among green's 57 of the 657 requests 8.7% of the time by
 * chance alone. It keeps watching past the sustain, says it is not sure, and
 * trips the moment the window is: 3 of 57 is (57*56*55)/(657*656*655), 0.062%
 * likely. */
static void test_excess_waits_until_sure(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    char reason[GUARDS_TEXT];
    (void)state;
    p.excess_5xx_for_s = 8;
    guards_excess_init(&e);
    for (int t = 0; t <= 30; t++)
        assert_false(feed(&e, &p, COLOR_BLUE, T0 + t, 10, 57, 1, 600, 0));
    assert_int_equal(e.level, GUARDS_WATCHING);
    assert_false(e.sure);
    assert_true(e.exceeding_s == 30);
    assert_true(fabs(e.chance - 57.0 / 657.0) < 1e-12);
    assert_string_equal(e.text, "auto-rollback once sure: green 5xx 1.75% (1/57) vs blue 0.00% "
                                "(0/600), +1.75 points, not sure: 8.7% likely by chance, over "
                                "0.5 for 30 s");
    assert_true(feed(&e, &p, COLOR_BLUE, T0 + 31, 10, 57, 3, 600, 0));
    assert_int_equal(e.level, GUARDS_TRIPPED);
    assert_true(e.sure);
    guards_excess_reason(&e, &p, COLOR_BLUE, reason, sizeof reason);
    assert_string_equal(reason, "green 5xx 5.26% vs blue 0.00% for 31 s (+5.26 points, 0.062% "
                                "likely by chance; limit 0.5)");
    /* Before the sustain is up the countdown runs, sure or not. */
    guards_excess_init(&e);
    assert_false(feed(&e, &p, COLOR_BLUE, T0, 10, 57, 1, 600, 0));
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 2, 10, 57, 1, 600, 0));
    assert_non_null(strstr(e.text, "auto-rollback in 6 s: "));
    assert_non_null(strstr(e.text, "not sure: 8.7% likely by chance"));
    /* A chance of 99.5% reads as such, not as "1e+02%": 10 of 1999
     * against 0 of 1, at a limit of 0 and a minimum of 1 request. */
    p.excess_5xx_points = 0;
    p.excess_min_requests = 1;
    guards_excess_init(&e);
    assert_false(feed(&e, &p, COLOR_BLUE, T0, 10, 1999, 10, 1, 0));
    assert_int_equal(e.level, GUARDS_WATCHING);
    assert_non_null(strstr(e.text, "not sure: >99% likely by chance"));
}

/* The countdown leads the row, in minutes once it is long; with
 * auto_rollback off the consequence is an alarm. */
static void test_excess_row_leads_with_the_consequence(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    (void)state;
    guards_excess_init(&e);
    feed_bad(&e, &p, T0);
    assert_false(feed_bad(&e, &p, T0 + 26));
    assert_string_equal(e.text, "auto-rollback in 2m34s: green 5xx 5.00% (50/1000) vs blue "
                                "0.10% (1/1000), +4.90 points, <0.01% likely by chance, over 0.5 for 26 s "
                                "of 180 s");
    p.auto_rollback = false;
    assert_false(feed_bad(&e, &p, T0 + 27));
    assert_non_null(strstr(e.text, "alarm in 2m33s: "));
}

/* The guard reads failures of any HTTP status: green's nginx log shows 4
 * 5xx of 1020, its gateway log (log_file) 120 in-stream failures. The
 * excess trips on them, and every text says what the ratio counts and
 * where it came from. */
static void test_excess_counts_in_stream_failures(void **state)
{
    struct guards_params p = params();
    struct guards_excess e;
    struct window_stats st[COLOR_COUNT];
    int weight[COLOR_COUNT] = {50, 50};
    char reason[GUARDS_TEXT];
    (void)state;
    memset(st, 0, sizeof st);
    st[COLOR_GREEN].v[METRIC_REQUESTS].sum = 1020;
    set_5xx(&st[COLOR_GREEN], 4);
    add_instream(&st[COLOR_GREEN], 120);
    st[COLOR_BLUE].v[METRIC_REQUESTS].sum = 1000;
    guards_excess_init(&e);
    assert_false(guards_excess_update(&e, &p, T0, COLOR_BLUE, weight, st));
    assert_int_equal(e.level, GUARDS_WATCHING);
    assert_int_equal(e.candidate_failures, 124);
    assert_string_equal(e.text, "auto-rollback in 3m00s: green failures 12.16% (5xx 0.39% + "
                                "in-stream 11.76%, 124/1020) vs blue 0.00% (0/1000), +12.16 "
                                "points, <0.01% likely by chance, over 0.5 for 0 s of 180 s");
    assert_true(guards_excess_update(&e, &p, T0 + 180, COLOR_BLUE, weight, st));
    guards_excess_reason(&e, &p, COLOR_BLUE, reason, sizeof reason);
    assert_string_equal(reason, "green failures 12.16% vs blue 0.00% for 180 s (5xx 0.39% + "
                                "in-stream 11.76% of 1020 requests: nginx's access log + green's "
                                "gateway log; +12.16 points, <0.01% likely by chance; limit 0.5)");
    /* the step toward green is refused on the same ratio, saying so */
    struct guards_step s;
    int before[COLOR_COUNT] = {50, 50}, after[COLOR_COUNT] = {40, 60};
    probes(&st[COLOR_BLUE], 150000, 30, 0);
    probes(&st[COLOR_GREEN], 150000, 30, 0);
    guards_check_step(&p, COLOR_BLUE, before, after, st, tight(150, 150), T0, T0 + 100, &s);
    assert_true(s.refused & GUARDS_REFUSED_FAILURES);
    assert_non_null(strstr(s.text, "refused: green failures 12.16% (5xx 0.39% + in-stream "
                                   "11.76%, 124/1020) vs blue 0.00% (0/1000)"));
    /* without in-stream failures the ratio is the 5xx one and says so */
    set_5xx(&st[COLOR_GREEN], 124);
    st[COLOR_GREEN].v[METRIC_GW_FAILURES].sum = 0;
    assert_false(guards_excess_update(&e, &p, T0 + 181, COLOR_BLUE, weight, st));
    guards_excess_reason(&e, &p, COLOR_BLUE, reason, sizeof reason);
    assert_string_equal(reason, "green 5xx 12.16% vs blue 0.00% for 181 s (+12.16 points, "
                                "<0.01% likely by chance; limit 0.5)");
}

/* ---- failure parity before a step --------------------------------------- */

/* A step at 50/50 with TTFT and dwell fine, the 5xx counts given. */
static void check_failures(const struct guards_params *p, int from, int to, uint64_t cand_req,
                           uint64_t cand_5xx, uint64_t stable_req, uint64_t stable_5xx,
                           struct guards_step *out)
{
    struct window_stats st[COLOR_COUNT];
    int before[COLOR_COUNT] = { 100 - from, from }, after[COLOR_COUNT] = { 100 - to, to };
    memset(st, 0, sizeof st);
    probes(&st[COLOR_BLUE], 150000, 30, 0);
    probes(&st[COLOR_GREEN], 150000, 30, 0);
    st[COLOR_GREEN].v[METRIC_REQUESTS].sum = cand_req;
    set_5xx(&st[COLOR_GREEN], cand_5xx);
    st[COLOR_BLUE].v[METRIC_REQUESTS].sum = stable_req;
    set_5xx(&st[COLOR_BLUE], stable_5xx);
    guards_check_step(p, COLOR_BLUE, before, after, st, tight(150, 150), T0, T0 + 100, out);
}

/* The drill's green at 11.6% against blue's 0%: the 3-minute sustain is
 * for rolling back alone, not leave to step forward. Bounds from
 * core/proportion (Newcombe, z for one-sided 99%): 29/250 - 0/480 is
 * 11.6 points, at least 7.53 (checked by hand with the same formulas). */
static void test_step_refused_while_failures_surely_over(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check_failures(&p, 50, 60, 250, 29, 480, 0, &s);
    assert_false(s.allowed);
    assert_int_equal(s.refused, GUARDS_REFUSED_FAILURES);
    assert_true(s.failures.judged);
    assert_true(s.failures.candidate.failed == 29 && s.failures.candidate.requests == 250);
    assert_true(s.failures.stable.failed == 0 && s.failures.stable.requests == 480);
    assert_true(fabs(s.failures.excess_points - 11.6) < 1e-9);
    assert_true(fabs(s.failures.low_points - 7.5263) < 1e-3);
    assert_true(fabs(s.failures.high_points - 17.1455) < 1e-3);
    assert_string_equal(s.text, "refused: green 5xx 11.60% (29/250) vs blue 0.00% (0/480): "
                                "+11.6 points, surely over +7.5 (limit 0.5)");
    /* The 5xx row says first that steps are held, with the same numbers. */
    struct guards_excess e;
    struct guards_drain d;
    struct guards_concurrency c;
    struct guards_view v;
    guards_excess_init(&e);
    guards_drain_init(&d);
    guards_concurrency_init(&c);
    guards_view_fill(&v, &s, &e, &d, &c);
    assert_int_equal(v.item[GUARDS_ITEM_EXCESS].level, GUARDS_WATCHING);
    assert_string_equal(v.item[GUARDS_ITEM_EXCESS].text, "steps held: green 5xx 11.60% (29/250) "
                        "vs blue 0.00% (0/480): +11.6 points, surely over +7.5 (limit 0.5)");
    /* While the sustained rule counts down, the held steps do not hide it. */
    assert_false(feed(&e, &p, COLOR_BLUE, T0, 50, 250, 29, 480, 0));
    assert_false(feed(&e, &p, COLOR_BLUE, T0 + 26, 50, 250, 29, 480, 0));
    guards_view_fill(&v, &s, &e, &d, &c);
    assert_string_equal(v.item[GUARDS_ITEM_EXCESS].text, "steps held, auto-rollback in 2m34s: "
                        "green 5xx 11.60% (29/250) vs blue 0.00% (0/480): +11.6 points, surely "
                        "over +7.5 (limit 0.5)");
    /* A step back, and a rollback, are never held. */
    check_failures(&p, 50, 40, 250, 29, 480, 0, &s);
    assert_true(s.allowed);
    check_failures(&p, 50, 0, 250, 29, 480, 0, &s);
    assert_true(s.allowed);
}

/* Over the limit on its face is not enough: 3/100 against 1/400 is 2.75
 * points, but could be -0.24 (3 failures take the Poisson bound, core/
 * proportion.h); 5/100 is surely over (1.25); one failure in 20 against
 * none of 2000 is 5 points, surely over only +0.04. Fewer than
 * excess_min_requests candidate requests are not judged at all. */
static void test_step_failures_need_evidence(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    (void)state;
    check_failures(&p, 50, 60, 100, 3, 400, 1, &s);
    assert_true(s.allowed);
    assert_true(s.failures.judged);
    assert_true(s.failures.excess_points > p.excess_5xx_points);
    assert_true(fabs(s.failures.low_points - -0.2429) < 1e-3);
    check_failures(&p, 50, 60, 100, 5, 400, 1, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_FAILURES);
    check_failures(&p, 50, 60, 20, 1, 2000, 0, &s);
    assert_true(s.allowed);
    assert_true(fabs(s.failures.low_points - 0.0429) < 1e-3);
    check_failures(&p, 50, 60, 19, 19, 400, 0, &s);
    assert_true(s.allowed);
    assert_false(s.failures.judged);
    p.excess_min_requests = 3;
    check_failures(&p, 50, 60, 3, 3, 400, 0, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_FAILURES);
}

/* Every reason at once: each with its numbers, the line never cut. */
static void test_step_names_every_reason_whole(void **state)
{
    struct guards_params p = params();
    struct window_stats st[COLOR_COUNT];
    int before[COLOR_COUNT] = { 50, 50 }, after[COLOR_COUNT] = { 40, 60 };
    struct guards_step s;
    (void)state;
    memset(st, 0, sizeof st);
    probes(&st[COLOR_BLUE], 150000, 30, 0);
    probes(&st[COLOR_GREEN], 181234, 30, 0);
    st[COLOR_GREEN].v[METRIC_REQUESTS].sum = 250;
    set_5xx(&st[COLOR_GREEN], 29);
    st[COLOR_BLUE].v[METRIC_REQUESTS].sum = 480;
    guards_check_step(&p, COLOR_BLUE, before, after, st, tight(150, 181.234), T0, T0 + 18, &s);
    assert_int_equal(s.refused, GUARDS_REFUSED_FAILURES | GUARDS_REFUSED_TTFT | GUARDS_REFUSED_DWELL);
    assert_true(framed(s.text, "refused: green 5xx 11.60% (29/250) vs blue 0.00% (0/480): "
                               "+11.6 points, surely over +7.5 (limit 0.5); and green median "
                               "TTFT 181.2 ms is +20.8% [+", "%] over blue's 150.0 ms (limit 8%; "
                               "31 and 31 probes); and the weights have held 18 s of the 60 s "
                               "dwell (42 s left)"));
}

/* ---- concurrency -------------------------------------------------------- */

static bool conc(struct guards_concurrency *c, const struct guards_params *p, double now,
                 int green_weight, int64_t blue_conns, int64_t green_conns)
{
    const int weight[COLOR_COUNT] = { 100 - green_weight, green_weight };
    const int64_t conns[COLOR_COUNT] = { blue_conns, green_conns };
    return guards_concurrency_update(c, p, now, COLOR_BLUE, weight, conns);
}

/* Green at 10% with 24 connections against blue's 90 at 90%: 2.4 times the
 * connections per weight. Alarms once, after concurrency_for_s. */
static void test_concurrency_doubled_alarms_after_sustain(void **state)
{
    struct guards_params p = params();
    struct guards_concurrency c;
    int alarms = 0;
    (void)state;
    guards_concurrency_init(&c);
    assert_false(conc(&c, &p, T0, 10, 90, 11));
    assert_int_equal(c.level, GUARDS_OK);
    assert_true(fabs(c.ratio - 1.1) < 1e-9);
    assert_string_equal(c.text, "ok: green 1.1x blue's connections per weight (11 at 10% vs 90 "
                                "at 90%) (limit 2x)");
    for (int t = 1; t <= 30; t++)
        alarms += conc(&c, &p, T0 + t, 10, 90, 24);
    assert_int_equal(alarms, 0);
    assert_int_equal(c.level, GUARDS_WATCHING);
    assert_string_equal(c.text, "alarm in 1 s: green 2.4x blue's connections per weight (24 at "
                                "10% vs 90 at 90%) (limit 2x)");
    assert_true(conc(&c, &p, T0 + 31, 10, 90, 24));
    assert_int_equal(c.level, GUARDS_TRIPPED);
    assert_string_equal(c.text, "alarm: green 2.4x blue's connections per weight (24 at 10% vs "
                                "90 at 90%) for 30 s (limit 2x): shift traffic back to blue");
    assert_false(conc(&c, &p, T0 + 32, 10, 90, 24));     /* once */
    /* Back under: the alarm ends; a new run alarms again. */
    assert_false(conc(&c, &p, T0 + 33, 10, 90, 12));
    assert_int_equal(c.level, GUARDS_OK);
    for (int t = 34; t < 64; t++)
        assert_false(conc(&c, &p, T0 + t, 10, 90, 24));
    assert_true(conc(&c, &p, T0 + 64, 10, 90, 24));
}

/* No decision on a handful of connections, on unknown counts, or with a
 * color at weight 0 (the drain watches that). A stable with none counts as
 * one, so the ratio is finite and errs low. */
static void test_concurrency_needs_evidence(void **state)
{
    struct guards_params p = params();
    struct guards_concurrency c;
    (void)state;
    p.concurrency_for_s = 0;
    guards_concurrency_init(&c);
    assert_false(conc(&c, &p, T0, 10, 20, 9));           /* 4.5x, but 9 connections */
    assert_false(c.judged);
    assert_string_equal(c.text, "ok: green has 9 connections (need 10 to compare)");
    assert_false(conc(&c, &p, T0, 10, -1, 30));
    assert_string_equal(c.text, "ok: connection counts unknown");
    assert_false(conc(&c, &p, T0, 0, 20, 30));
    assert_string_equal(c.text, "ok: one color at weight 0: connections not compared");
    assert_true(conc(&c, &p, T0, 50, 0, 10));            /* 10 vs "1" at equal weight */
    assert_true(fabs(c.ratio - 10.0) < 1e-9);
    p.concurrency_min_connections = 5;
    guards_concurrency_init(&c);
    assert_true(conc(&c, &p, T0, 10, 20, 9));
}

/* ---- drain -------------------------------------------------------------- */

static bool drain(struct guards_drain *d, const struct guards_params *p, double now,
                  int blue_weight, int64_t blue_conns, int64_t green_conns)
{
    const int weight[COLOR_COUNT] = { blue_weight, 100 - blue_weight };
    const int64_t conns[COLOR_COUNT] = { blue_conns, green_conns };
    return guards_drain_update(d, p, now, weight, conns);
}

static void test_drain_counts_down_then_idles_then_drained(void **state)
{
    struct guards_params p = params();
    struct guards_drain d;
    int reached = 0;
    (void)state;
    guards_drain_init(&d);
    assert_false(drain(&d, &p, T0, 0, 12, 40));
    assert_int_equal(d.state, GUARDS_DRAIN_DRAINING);
    assert_int_equal(d.color, COLOR_BLUE);
    assert_int_equal(d.connections, 12);
    assert_string_equal(d.text, "draining: blue has 12 connections open");
    assert_false(drain(&d, &p, T0 + 1, 0, 5, 40));
    assert_int_equal(d.connections, 5);
    assert_false(drain(&d, &p, T0 + 2, 0, 0, 40));
    assert_int_equal(d.state, GUARDS_DRAIN_IDLE);
    assert_true(d.idle_since == T0 + 2);
    for (int t = 3; t <= 200; t++)
        reached += drain(&d, &p, T0 + t, 0, 0, 40);
    assert_int_equal(reached, 1);
    assert_int_equal(d.state, GUARDS_DRAIN_DRAINED);
    assert_true(d.drained_at == T0 + 122);
    assert_string_equal(d.text, "drained: blue has had 0 connections for 198 s; "
                                "it can be retired");
    assert_string_equal(guards_drain_state_name(d.state), "drained");
}

static void test_drain_any_connection_resets_idle(void **state)
{
    struct guards_params p = params();
    struct guards_drain d;
    (void)state;
    guards_drain_init(&d);
    assert_false(drain(&d, &p, T0, 0, 0, 9));
    assert_false(drain(&d, &p, T0 + 100, 0, 0, 9));
    assert_string_equal(d.text, "idle: blue has had 0 connections for 100 s of 120 s");
    assert_false(drain(&d, &p, T0 + 101, 0, 1, 9));   /* a stream came back */
    assert_int_equal(d.state, GUARDS_DRAIN_DRAINING);
    assert_false(drain(&d, &p, T0 + 102, 0, 0, 9));
    assert_false(drain(&d, &p, T0 + 221, 0, 0, 9));   /* 119 s */
    assert_int_equal(d.state, GUARDS_DRAIN_IDLE);
    assert_true(drain(&d, &p, T0 + 222, 0, 0, 9));
    /* A connection after "drained": not drained any more, and it can
     * become drained again. */
    assert_false(drain(&d, &p, T0 + 223, 0, 2, 9));
    assert_int_equal(d.state, GUARDS_DRAIN_DRAINING);
    assert_true(d.drained_at < 0);
    assert_false(drain(&d, &p, T0 + 224, 0, 0, 9));
    assert_true(drain(&d, &p, T0 + 344, 0, 0, 9));
}

static void test_drain_unknown_count_is_not_idle(void **state)
{
    struct guards_params p = params();
    struct guards_drain d;
    (void)state;
    guards_drain_init(&d);
    assert_false(drain(&d, &p, T0, 0, 0, 9));
    assert_false(drain(&d, &p, T0 + 60, 0, -1, 9));
    assert_int_equal(d.state, GUARDS_DRAIN_DRAINING);
    assert_string_equal(d.text, "draining: blue's connections are unknown");
    assert_false(drain(&d, &p, T0 + 130, 0, 0, 9));
    assert_int_equal(d.state, GUARDS_DRAIN_IDLE);
}

/* Only at an end; the color at 0 is the one that drains (after a rollback,
 * the candidate); leaving the end or flipping it starts over. */
static void test_drain_only_at_an_end(void **state)
{
    struct guards_params p = params();
    struct guards_drain d;
    (void)state;
    guards_drain_init(&d);
    assert_false(drain(&d, &p, T0, 40, 0, 0));
    assert_int_equal(d.state, GUARDS_DRAIN_NONE);
    assert_int_equal(d.color, COLOR_NONE);
    assert_string_equal(d.text, "weights blue 40 / green 60: no color draining");
    for (int t = 1; t < 100; t++)
        drain(&d, &p, T0 + t, 0, 0, 7);
    assert_int_equal(d.state, GUARDS_DRAIN_IDLE);
    assert_false(drain(&d, &p, T0 + 100, 10, 0, 7));   /* stepped back from the end */
    assert_int_equal(d.state, GUARDS_DRAIN_NONE);
    assert_false(drain(&d, &p, T0 + 101, 0, 0, 7));    /* the idle time starts over */
    assert_true(d.idle_since == T0 + 101);
    assert_false(drain(&d, &p, T0 + 102, 100, 7, 3));  /* rolled back: green drains */
    assert_int_equal(d.color, COLOR_GREEN);
    assert_string_equal(d.text, "draining: green has 3 connections open");
}

static void test_drain_idle_zero_drains_at_once(void **state)
{
    struct guards_params p = params();
    struct guards_drain d;
    (void)state;
    p.drain_idle_s = 0;
    guards_drain_init(&d);
    assert_false(drain(&d, &p, T0, 0, 4, 0));
    assert_true(drain(&d, &p, T0 + 1, 0, 0, 0));
    assert_int_equal(d.state, GUARDS_DRAIN_DRAINED);
    assert_false(drain(&d, &p, T0 + 2, 0, 0, 0));
}

/* ---- view and config ---------------------------------------------------- */

static void test_view_levels_and_texts(void **state)
{
    struct guards_params p = params();
    struct guards_step s;
    struct guards_excess e;
    struct guards_drain d;
    struct guards_concurrency c;
    struct guards_view v;
    (void)state;
    guards_excess_init(&e);
    guards_drain_init(&d);
    guards_concurrency_init(&c);
    check(&p, COLOR_BLUE, 50, 60, 150000, 181200, T0 - 18, T0, &s);
    feed_bad(&e, &p, T0 - 10);
    feed_bad(&e, &p, T0);
    drain(&d, &p, T0, 50, 10, 10);
    guards_view_fill(&v, &s, &e, &d, &c);
    assert_string_equal(v.item[GUARDS_ITEM_TTFT].name, "ttft");
    assert_int_equal(v.item[GUARDS_ITEM_TTFT].level, GUARDS_TRIPPED);
    assert_true(framed(v.item[GUARDS_ITEM_TTFT].text, "halt: green median TTFT 181.2 ms is +20.8% [+",
                       "%] over blue's 150.0 ms (limit 8%; 31 and 31 probes)"));
    assert_int_equal(v.item[GUARDS_ITEM_DWELL].level, GUARDS_WATCHING);
    assert_string_equal(v.item[GUARDS_ITEM_DWELL].text, "next step in 42 s (held 18 s)");
    assert_string_equal(v.item[GUARDS_ITEM_EXCESS].name, "5xx");
    assert_int_equal(v.item[GUARDS_ITEM_EXCESS].level, GUARDS_WATCHING);
    assert_string_equal(v.item[GUARDS_ITEM_EXCESS].text, e.text);
    assert_int_equal(v.item[GUARDS_ITEM_DRAIN].level, GUARDS_OK);
    assert_true(v.excess.exceeding_s == 10);
    assert_true(fabs(v.step.over_pct - 20.8) < 1e-9);
    assert_string_equal(guards_level_name(v.item[GUARDS_ITEM_DWELL].level), "watching");
    assert_string_equal(guards_level_name(GUARDS_TRIPPED), "tripped");
    assert_string_equal(guards_level_name(GUARDS_OK), "ok");
    /* Undecided is the steady state (a probe every 10 s decides nothing
     * alone; a step bursts): ok, and the row says so. No next step: ok. */
    check(&p, COLOR_BLUE, 50, 60, 150000, 150000, T0 - 600, T0, &s);
    s.refused = GUARDS_REFUSED_SAMPLES;
    s.ttft_judged = false;
    guards_view_fill(&v, &s, &e, &d, &c);
    assert_int_equal(v.item[GUARDS_ITEM_TTFT].level, GUARDS_OK);
    assert_true(framed(v.item[GUARDS_ITEM_TTFT].text, "undecided until a step asks (it probes "
                       "to decide): green median TTFT 150.0 ms", "(limit 8%; 31 and 31 probes)"));
    assert_string_equal(v.item[GUARDS_ITEM_DWELL].text, "dwell passed (held 600 s)");
    /* While a step waits on it, the row says so, and watches. */
    s.deciding = true;
    guards_view_fill(&v, &s, &e, &d, &c);
    assert_int_equal(v.item[GUARDS_ITEM_TTFT].level, GUARDS_WATCHING);
    assert_true(framed(v.item[GUARDS_ITEM_TTFT].text, "deciding (a step waits on it): green "
                       "median TTFT 150.0 ms", "(limit 8%; 31 and 31 probes)"));
    drain(&d, &p, T0, 0, 3, 10);
    guards_view_fill(&v, NULL, &e, &d, &c);
    assert_int_equal(v.item[GUARDS_ITEM_TTFT].level, GUARDS_OK);
    assert_string_equal(v.item[GUARDS_ITEM_TTFT].text, "no step toward the candidate left");
    assert_int_equal(v.item[GUARDS_ITEM_DRAIN].level, GUARDS_WATCHING);
    assert_string_equal(v.item[GUARDS_ITEM_DRAIN].text, "draining: blue has 3 connections open");
}

/* A signal's row says which guard reads it; that name must be a row of the
 * guard table, or the guard would read a signal nothing shows it reading. */
static void test_every_signal_guard_is_a_rule(void **state)
{
    (void)state;
    int named = 0;
    for (int m = 0; m < METRIC_COUNT; m++) {
        char names[64], *save = NULL;
        if (metric_table[m].guard == NULL)
            continue;
        snprintf(names, sizeof names, "%s", metric_table[m].guard);
        for (char *g = strtok_r(names, " ", &save); g; g = strtok_r(NULL, " ", &save)) {
            bool found = false;
            named++;
            for (int i = 0; i < GUARDS_ITEM_COUNT; i++)
                found = found || strcmp(guards_rules[i].name, g) == 0;
            assert_true(found);
        }
    }
    /* ttft, 5xx, drain and conc read signals; dwell reads the clock */
    assert_int_equal(named, GUARDS_ITEM_COUNT - 1);
}

static void test_params_from_config(void **state)
{
    struct config *cfg = config_new_defaults();
    struct guards_params p;
    (void)state;
    assert_non_null(cfg);
    cfg->rollout.min_samples = 9;
    guards_params_from_config(cfg, &p);
    assert_true(p.ttft_halt_pct == 8);
    assert_false(p.ttft_p95);   /* medians, as the runbook says */
    assert_int_equal(p.min_samples, 9);
    assert_int_equal(p.min_dwell_s, 60);
    assert_true(p.excess_5xx_points == 0.5);
    assert_int_equal(p.excess_5xx_for_s, 180);
    assert_int_equal(p.excess_min_requests, 20);
    assert_true(p.auto_rollback);
    assert_int_equal(p.drain_idle_s, 120);
    assert_true(p.concurrency_ratio == 2);
    assert_int_equal(p.concurrency_for_s, 30);
    assert_int_equal(p.concurrency_min_connections, 10);
    free(cfg->rollout.ttft_stat);
    cfg->rollout.ttft_stat = strdup("p95");
    cfg->rollout.excess_min_requests = 7;
    cfg->rollout.auto_rollback = false;
    guards_params_from_config(cfg, &p);
    assert_true(p.ttft_p95);
    assert_int_equal(p.excess_min_requests, 7);
    assert_false(p.auto_rollback);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttft_regression_refuses_with_numbers),
        cmocka_unit_test(test_ttft_small_regression_and_faster_candidate_pass),
        cmocka_unit_test(test_ttft_stat_p95_compares_tails),
        cmocka_unit_test(test_ttft_limit_with_its_interval),
        cmocka_unit_test(test_ttft_green_stable_blue_candidate),
        cmocka_unit_test(test_ttft_undecided_and_down),
        cmocka_unit_test(test_stable_p95_of_zero_stays_finite),
        cmocka_unit_test(test_steps_back_and_rollback_never_refused),
        cmocka_unit_test(test_dwell_counts_down),
        cmocka_unit_test(test_dwell_edges),
        cmocka_unit_test(test_ttft_and_dwell_both_named),
        cmocka_unit_test(test_excess_trips_once_after_sustain),
        cmocka_unit_test(test_excess_flapping_restarts_the_sustain),
        cmocka_unit_test(test_excess_short_burst_never_trips),
        cmocka_unit_test(test_excess_limit_is_exclusive),
        cmocka_unit_test(test_excess_no_traffic_cannot_judge),
        cmocka_unit_test(test_excess_window_with_one_sample),
        cmocka_unit_test(test_excess_candidate_at_zero_resets),
        cmocka_unit_test(test_excess_green_stable),
        cmocka_unit_test(test_excess_waits_until_sure),
        cmocka_unit_test(test_excess_row_leads_with_the_consequence),
        cmocka_unit_test(test_excess_counts_in_stream_failures),
        cmocka_unit_test(test_step_refused_while_failures_surely_over),
        cmocka_unit_test(test_step_failures_need_evidence),
        cmocka_unit_test(test_step_names_every_reason_whole),
        cmocka_unit_test(test_concurrency_doubled_alarms_after_sustain),
        cmocka_unit_test(test_concurrency_needs_evidence),
        cmocka_unit_test(test_drain_counts_down_then_idles_then_drained),
        cmocka_unit_test(test_drain_any_connection_resets_idle),
        cmocka_unit_test(test_drain_unknown_count_is_not_idle),
        cmocka_unit_test(test_drain_only_at_an_end),
        cmocka_unit_test(test_drain_idle_zero_drains_at_once),
        cmocka_unit_test(test_view_levels_and_texts),
        cmocka_unit_test(test_every_signal_guard_is_a_rule),
        cmocka_unit_test(test_params_from_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* median_shift: one fixed pair of samples per outcome, with every number
 * the operator would read checked exactly, then the edges (empty, one value,
 * ties, bad values, bad settings) and the probing policy.
 *
 * The expected numbers were computed once, independently of the C code, by a
 * short python3 script: it sorts all n*m differences log(c) - log(s) by brute
 * force, takes their median, and picks the interval's order statistics with
 * k = floor(nm/2 + 1/2 - z*sqrt(nm(n+m+1)/12)), z from Python's
 * statistics.NormalDist().inv_cdf(0.99); percents are 100*expm1(x). (An exact
 * Mann-Whitney table gives the same k for 12 and 12, and k + 1 for 10 and 10:
 * the approximation errs on the wide side.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/median_shift.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

static const struct median_shift_labels LABELS = {
    .stable = "blue", .candidate = "green", .unit = "ms", .samples = "probes"
};

/* Within 1e-6 percent points: the script printed six decimals. */
static void assert_pct(double got, double want)
{
    if (!(fabs(got - want) < 1e-6))
        fail_msg("got %.9f, want %.6f", got, want);
}

/* Fixed settings, so the expected numbers do not move with the defaults:
 * 98% interval, a 2.5 x 8% = 20% regression catchable, 8 values a side. */
static const struct median_shift_settings SET = { .confidence = 0.98, .catch_factor = 2.5,
                                                  .min_samples = 8 };

static struct median_shift_result compare(const double *s, size_t n, const double *c, size_t m)
{
    struct median_shift_settings set = SET;
    struct median_shift_result r;
    char err[160] = "";
    if (median_shift_compare(s, n, c, m, 8.0, &set, &r, err, sizeof err) != 0)
        fail_msg("compare failed: %s", err);
    return r;
}

/* Tight samples, green about 2% slower: the interval [+0.5%, +3.4%] is
 * narrow enough that a 20% regression (2.5 x 8%) would have halted. */
static void test_pass(void **state)
{
    (void)state;
    static const double blue[] = { 800, 812, 790, 805, 798, 820, 785, 810, 802, 795, 808, 815 };
    static const double green[] = { 818, 826, 806, 822, 810, 835, 800, 829, 815, 812, 824, 830 };
    struct median_shift_result r = compare(blue, N(blue), green, N(green));
    assert_int_equal(r.outcome, MEDIAN_SHIFT_PASS);
    assert_int_equal(r.stable_n, 12);
    assert_int_equal(r.candidate_n, 12);
    assert_pct(r.stable_median, 803.5);
    assert_pct(r.candidate_median, 820.0);
    assert_pct(r.shift_pct, 1.943063);
    assert_true(r.has_interval);
    assert_pct(r.lower_pct, 0.495050);
    assert_pct(r.upper_pct, 3.396226);
    assert_pct(r.catchable_pct, 9.556151);
    char text[MEDIAN_SHIFT_TEXT];
    median_shift_format(&r, &LABELS, text, sizeof text);
    assert_string_equal(text, "green +1.9% [+0.5%, +3.4%] over blue, medians 820 and 804 ms "
                              "(12 and 12 probes): pass");
}

/* Green 30% slower, tight: the lower bound +27.8% is over 8%. */
static void test_halt(void **state)
{
    (void)state;
    static const double blue[] = { 800, 812, 790, 805, 798, 820, 785, 810, 802, 795 };
    static const double green[] = { 1040, 1060, 1025, 1048, 1035, 1070, 1020, 1052, 1043, 1031 };
    struct median_shift_result r = compare(blue, N(blue), green, N(green));
    assert_int_equal(r.outcome, MEDIAN_SHIFT_HALT);
    assert_int_equal(r.stable_n, 10);
    assert_int_equal(r.candidate_n, 10);
    assert_pct(r.stable_median, 801.0);
    assert_pct(r.candidate_median, 1041.5);
    assert_pct(r.shift_pct, 29.968149);
    assert_pct(r.lower_pct, 27.804878);
    assert_pct(r.upper_pct, 32.327044);
    assert_pct(r.catchable_pct, 9.828046);
    char text[MEDIAN_SHIFT_TEXT];
    median_shift_format(&r, &LABELS, text, sizeof text);
    assert_string_equal(text, "green +30.0% [+27.8%, +32.3%] over blue, medians 1042 and 801 ms "
                              "(10 and 10 probes): halt: over 8%");
}

/* Noisy samples: +13.5% but the interval [-17.9%, +57.9%] neither clears 8%
 * nor is narrow enough to rule out a 20% regression. */
static void test_inconclusive(void **state)
{
    (void)state;
    static const double blue[] = { 600, 950, 720, 1300, 810, 540, 880, 1010, 700, 760 };
    static const double green[] = { 690, 1200, 780, 1500, 860, 610, 1050, 930, 820, 990 };
    struct median_shift_result r = compare(blue, N(blue), green, N(green));
    assert_int_equal(r.outcome, MEDIAN_SHIFT_INCONCLUSIVE);
    assert_pct(r.stable_median, 785.0);
    assert_pct(r.candidate_median, 895.0);
    assert_pct(r.shift_pct, 13.522803);
    assert_pct(r.lower_pct, -17.894737);
    assert_pct(r.upper_pct, 57.894737);
    assert_pct(r.catchable_pct, 49.326149);
    char text[MEDIAN_SHIFT_TEXT];
    median_shift_format(&r, &LABELS, text, sizeof text);
    assert_string_equal(text, "green +13.5% [-17.9%, +57.9%] over blue, medians 895 and 785 ms "
                              "(10 and 10 probes): inconclusive");
}

/* The order of the samples does not matter: the same result reversed. */
static void test_order_free(void **state)
{
    (void)state;
    double blue[] = { 600, 950, 720, 1300, 810, 540, 880, 1010, 700, 760 };
    double green[] = { 690, 1200, 780, 1500, 860, 610, 1050, 930, 820, 990 };
    struct median_shift_result a = compare(blue, N(blue), green, N(green));
    for (size_t i = 0; i < N(blue) / 2; i++) {
        double t = blue[i];
        blue[i] = blue[N(blue) - 1 - i];
        blue[N(blue) - 1 - i] = t;
    }
    struct median_shift_result b = compare(blue, N(blue), green, N(green));
    assert_memory_equal(&a, &b, sizeof a);
}

/* ---- the search against brute force --------------------------------------- */

static uint64_t next_rand(uint64_t *s)    /* xorshift: a failure reproduces */
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* All n*m differences sorted: what the module finds without storing them. */
static size_t all_differences(const double *s, size_t n, const double *c, size_t m, double *d)
{
    size_t nm = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            d[nm++] = log(c[j]) - log(s[i]);
    qsort(d, nm, sizeof *d, cmp_double);
    return nm;
}

/* Random sizes and whole-millisecond values (so ties are common): the
 * estimate and both ends equal the brute-force order statistics exactly. */
static void test_matches_brute_force(void **state)
{
    (void)state;
    static double s[40], c[40], d[1600];
    const double z = 2.3263478740408408;       /* P(Z <= z) = 0.99 */
    uint64_t seed = 12345;
    for (int trial = 0; trial < 300; trial++) {
        size_t n = 2 + next_rand(&seed) % 39, m = 2 + next_rand(&seed) % 39;
        for (size_t i = 0; i < n; i++)
            s[i] = 700 + (double)(next_rand(&seed) % (trial % 2 ? 20 : 400));
        for (size_t j = 0; j < m; j++)
            c[j] = 700 + (double)(next_rand(&seed) % (trial % 2 ? 20 : 400));
        size_t nm = all_differences(s, n, c, m, d);
        double est = nm % 2 ? d[nm / 2] : (d[nm / 2 - 1] + d[nm / 2]) / 2;
        double k = floor((double)nm / 2 + 0.5 - z * sqrt((double)nm * (double)(n + m + 1) / 12));
        struct median_shift_result r = compare(s, n, c, m);
        assert_true(fabs(r.shift_pct - 100 * expm1(est)) < 1e-9);
        assert_int_equal(r.has_interval, k >= 1);
        if (k >= 1) {
            assert_true(r.lower_pct == 100 * expm1(d[(size_t)k - 1]));
            assert_true(r.upper_pct == 100 * expm1(d[nm - (size_t)k]));
        }
    }
}

static void test_empty(void **state)
{
    (void)state;
    static const double green[] = { 800, 810 };
    struct median_shift_result r = compare(NULL, 0, green, N(green));
    assert_int_equal(r.outcome, MEDIAN_SHIFT_INCONCLUSIVE);
    assert_int_equal(r.stable_n, 0);
    assert_true(isnan(r.stable_median));
    assert_pct(r.candidate_median, 805.0);
    assert_true(isnan(r.shift_pct));
    assert_false(r.has_interval);
    char text[MEDIAN_SHIFT_TEXT];
    median_shift_format(&r, &LABELS, text, sizeof text);
    assert_string_equal(text, "green over blue (2 and 0 probes): inconclusive");
}

/* One value each: an estimate (the ratio itself) but no interval. */
static void test_one_sample(void **state)
{
    (void)state;
    static const double blue[] = { 800 }, green[] = { 880 };
    struct median_shift_result r = compare(blue, 1, green, 1);
    assert_int_equal(r.outcome, MEDIAN_SHIFT_INCONCLUSIVE);
    assert_pct(r.shift_pct, 10.0);
    assert_false(r.has_interval);
    assert_true(isnan(r.lower_pct) && isnan(r.upper_pct) && isnan(r.catchable_pct));
    char text[MEDIAN_SHIFT_TEXT];
    median_shift_format(&r, &LABELS, text, sizeof text);
    assert_string_equal(text, "green +10.0% over blue, medians 880 and 800 ms (1 and 1 probes): "
                              "inconclusive");
}

/* All values equal: every difference is 0, the interval is [0, 0], and
 * the smallest catchable regression is the threshold itself: pass. */
static void test_ties(void **state)
{
    (void)state;
    static const double same[] = { 800, 800, 800, 800, 800, 800, 800, 800 };
    struct median_shift_result r = compare(same, N(same), same, N(same));
    assert_int_equal(r.outcome, MEDIAN_SHIFT_PASS);
    assert_pct(r.shift_pct, 0.0);
    assert_pct(r.lower_pct, 0.0);
    assert_pct(r.upper_pct, 0.0);
    assert_pct(r.catchable_pct, 8.0);
}

/* Fewer than min_samples (8) on a side: inconclusive even when tight. */
static void test_below_min_samples(void **state)
{
    (void)state;
    static const double blue[] = { 800, 801, 802, 803, 804, 805, 806 };
    static const double green[] = { 1200, 1201, 1202, 1203, 1204, 1205, 1206 };
    struct median_shift_result r = compare(blue, N(blue), green, N(green));
    assert_int_equal(r.outcome, MEDIAN_SHIFT_INCONCLUSIVE);
    assert_true(r.has_interval);
    assert_true(r.lower_pct > 8.0);
}

static void expect_error(const double *s, size_t n, const double *c, size_t m, double thr,
                         const char *want)
{
    struct median_shift_settings set = SET;
    struct median_shift_result r;
    char err[160] = "";
    assert_int_equal(median_shift_compare(s, n, c, m, thr, &set, &r, err, sizeof err), -1);
    assert_string_equal(err, want);
}

static void test_bad_values(void **state)
{
    (void)state;
    static const double ok[] = { 800, 810 };
    static const double zero[] = { 800, 0 };
    static const double neg[] = { -5 };
    const double nan_one[] = { NAN };
    expect_error(zero, 2, ok, 2, 8, "stable value 2 is 0: values must be positive");
    expect_error(ok, 2, neg, 1, 8, "candidate value 1 is -5: values must be positive");
    expect_error(ok, 2, nan_one, 1, 8, "candidate value 1 is nan: values must be positive");
    expect_error(ok, 2, ok, 2, 0, "threshold 0% is not positive");
    static double many[MEDIAN_SHIFT_MAX_SAMPLES + 1];
    for (size_t i = 0; i < N(many); i++)
        many[i] = 800;
    expect_error(ok, 2, many, N(many), 8, "candidate sample has 1025 values, more than 1024");
}

static void test_bad_settings(void **state)
{
    (void)state;
    char err[160];
    struct median_shift_settings s = MEDIAN_SHIFT_SETTINGS_DEFAULT;
    assert_int_equal(median_shift_settings_check(&s, err, sizeof err), 0);
    s.confidence = 1.0;
    assert_int_equal(median_shift_settings_check(&s, err, sizeof err), -1);
    assert_string_equal(err, "confidence 1 is not in [0.5, 1)");
    s = (struct median_shift_settings)MEDIAN_SHIFT_SETTINGS_DEFAULT;
    s.catch_factor = 1.0;
    assert_int_equal(median_shift_settings_check(&s, err, sizeof err), -1);
    assert_string_equal(err, "catch factor 1 is not over 1 (the threshold itself)");
    s = (struct median_shift_settings)MEDIAN_SHIFT_SETTINGS_DEFAULT;
    s.min_samples = 1;
    assert_int_equal(median_shift_settings_check(&s, err, sizeof err), -1);
    assert_string_equal(err, "min samples 1 is under 2: one value has no spread");
}

/* Bursting goes on only while undecided and within the budget. */
static void test_policy(void **state)
{
    (void)state;
    char err[160];
    struct median_shift_policy p = MEDIAN_SHIFT_POLICY_DEFAULT;
    assert_int_equal(median_shift_policy_check(&p, err, sizeof err), 0);
    assert_true(p.steady_interval_s >= 10.0);      /* the issue: at most 1 per 10 s per color */
    assert_true(fabs(median_shift_burst_interval_s(&p) - 1.0 / p.burst_rate) < 1e-12);
    assert_true(median_shift_burst_budget_s(&p) <= 60.0);   /* a verdict within 60 s */
    assert_true(median_shift_keep_bursting(&p, MEDIAN_SHIFT_INCONCLUSIVE, 0));
    assert_true(median_shift_keep_bursting(&p, MEDIAN_SHIFT_INCONCLUSIVE, p.burst_max - 1));
    assert_false(median_shift_keep_bursting(&p, MEDIAN_SHIFT_INCONCLUSIVE, p.burst_max));
    assert_false(median_shift_keep_bursting(&p, MEDIAN_SHIFT_PASS, 0));
    assert_false(median_shift_keep_bursting(&p, MEDIAN_SHIFT_HALT, 0));
    p.burst_rate = 0;
    assert_int_equal(median_shift_policy_check(&p, err, sizeof err), -1);
    assert_string_equal(err, "burst rate 0 probes/s is not in (0, 100]");
    p = (struct median_shift_policy)MEDIAN_SHIFT_POLICY_DEFAULT;
    p.burst_max = 0;
    assert_int_equal(median_shift_policy_check(&p, err, sizeof err), -1);
    assert_string_equal(err, "burst max 0 is not in [1, 512]");
}

static void test_outcome_names(void **state)
{
    (void)state;
    assert_string_equal(median_shift_outcome_name(MEDIAN_SHIFT_PASS), "pass");
    assert_string_equal(median_shift_outcome_name(MEDIAN_SHIFT_HALT), "halt");
    assert_string_equal(median_shift_outcome_name(MEDIAN_SHIFT_INCONCLUSIVE), "inconclusive");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass),
        cmocka_unit_test(test_halt),
        cmocka_unit_test(test_inconclusive),
        cmocka_unit_test(test_order_free),
        cmocka_unit_test(test_matches_brute_force),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_one_sample),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_below_min_samples),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_settings),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_outcome_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

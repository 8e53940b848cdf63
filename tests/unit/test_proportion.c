/* proportion: the intervals against the worked examples of the papers that
 * define them, and the edges a guard meets (0 of n, n of n, nothing seen). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "core/proportion.h"

#define Z95 1.959963984540054

/* Newcombe (1998), "Two-sided confidence intervals for the single
 * proportion", Table I: 81 of 263, score method: 0.2553 to 0.3662. */
static void test_wilson_matches_newcombe_example(void **state)
{
    (void)state;
    struct proportion_interval r = proportion_wilson(81, 263, Z95);
    assert_float_equal(r.estimate, 81.0 / 263.0, 1e-12);
    assert_float_equal(r.low, 0.2553, 5e-5);
    assert_float_equal(r.high, 0.3662, 5e-5);
}

/* 0 of 10: the lower bound is 0 and the upper z^2/(n+z^2) = 0.2775. */
static void test_wilson_edges(void **state)
{
    (void)state;
    struct proportion_interval r = proportion_wilson(0, 10, Z95);
    assert_float_equal(r.low, 0.0, 0.0);
    assert_float_equal(r.high, Z95 * Z95 / (10.0 + Z95 * Z95), 1e-12);
    r = proportion_wilson(10, 10, Z95);
    assert_float_equal(r.high, 1.0, 0.0);
    assert_float_equal(r.low, 10.0 / (10.0 + Z95 * Z95), 1e-12);
    r = proportion_wilson(0, 0, Z95);
    assert_float_equal(r.low, 0.0, 0.0);
    assert_float_equal(r.high, 1.0, 0.0);
    r = proportion_wilson(12, 10, Z95);       /* more failures than requests: n of n */
    assert_float_equal(r.estimate, 1.0, 0.0);
}

/* Newcombe (1998), "Interval estimation for the difference between
 * independent proportions", Table II example (a): 56/70 - 48/80, method 10:
 * +0.0524 to +0.3339. */
static void test_difference_matches_newcombe_example(void **state)
{
    (void)state;
    struct proportion_interval r = proportion_difference(56, 70, 48, 80, Z95);
    assert_float_equal(r.estimate, 0.2, 1e-12);
    assert_float_equal(r.low, 0.0524, 5e-5);
    assert_float_equal(r.high, 0.3339, 5e-5);
}

/* What the failure guard relies on: one failure among a few dozen is not
 * sure, a clear excess over hundreds is. */
static void test_difference_needs_counts_to_be_sure(void **state)
{
    (void)state;
    /* 1 failure of 40 against 0 of 400: 2.5 points on its face, not even sure of 0. */
    struct proportion_interval few = proportion_difference(1, 40, 0, 400, PROPORTION_Z_99);
    assert_float_equal(few.estimate, 0.025, 1e-12);
    assert_true(few.low < 0.0);
    /* 29 of 250 against 0 of 480 (the drill's 11.6% against 0%): sure. */
    struct proportion_interval many = proportion_difference(29, 250, 0, 480, PROPORTION_Z_99);
    assert_true(many.low > 0.05);
    assert_true(many.high < 0.2);
    /* Equal ratios: the interval holds 0. */
    struct proportion_interval same = proportion_difference(5, 500, 10, 1000, PROPORTION_Z_99);
    assert_true(same.low < 0.0 && same.high > 0.0);
}

/* Fisher's exact test, one-sided, against sums done by hand: the lady
 * tasting tea (3 of 4 right cups against 1 of 4) is 17/70; one failure
 * among 57 against none of 600 is 57/657 (where the one failure landed);
 * no failure is never evidence; n of n against 0 of n is 1 / C(2n, n). */
static void test_excess_chance_exact(void **state)
{
    (void)state;
    assert_float_equal(proportion_excess_chance(3, 4, 1, 4), 17.0 / 70.0, 1e-12);
    assert_float_equal(proportion_excess_chance(1, 57, 0, 600), 57.0 / 657.0, 1e-12);
    assert_float_equal(proportion_excess_chance(1, 30, 0, 600), 30.0 / 630.0, 1e-12);
    /* 2 of 57 against 0 of 600: both in the candidate's 57 of 657. */
    assert_float_equal(proportion_excess_chance(2, 57, 0, 600),
                       (57.0 * 56.0) / (657.0 * 656.0), 1e-12);
    assert_float_equal(proportion_excess_chance(0, 57, 3, 600), 1.0, 0.0);
    assert_float_equal(proportion_excess_chance(4, 4, 0, 4), 1.0 / 70.0, 1e-12);
    /* The candidate no worse (5 of 500 against 10 of 1000): likely by chance. */
    assert_true(proportion_excess_chance(5, 500, 10, 1000) > 0.4);
    /* A clear excess at the drill's size, and at a day's traffic. */
    assert_true(proportion_excess_chance(29, 250, 0, 480) < 1e-9);
    double big = proportion_excess_chance(600, 100000, 400, 100000);
    assert_true(big > 0.0 && big < 1e-9);
    /* The interval agrees that one failure is not sure. */
    struct proportion_interval d = proportion_difference(1, 30, 0, 600, PROPORTION_Z_99);
    assert_true(d.low < 0.0);
    assert_true(proportion_excess_chance(1, 30, 0, 600) > 0.01);
}

/* Brown, Cai and DasGupta's edges: at one event the lower bound is the
 * Poisson one, -ln(1 - alpha) / n (1 - e^-L = alpha), not Wilson's 0.69%
 * for 1 of 20; at two, L solves 1 - e^-L (1 + L) = alpha; at n - 1 of n the
 * upper bound mirrors it; from 4 events on Wilson's bound stands. */
static void test_wilson_poisson_edges(void **state)
{
    (void)state;
    struct proportion_interval r = proportion_wilson(1, 20, PROPORTION_Z_99);
    assert_float_equal(r.low, -log(0.99) / 20.0, 1e-9);
    r = proportion_wilson(2, 100, PROPORTION_Z_99);
    double l = r.low * 100.0;
    assert_float_equal(1.0 - exp(-l) * (1.0 + l), 0.01, 1e-9);
    r = proportion_wilson(19, 20, PROPORTION_Z_99);
    assert_float_equal(r.high, 1.0 + log(0.99) / 20.0, 1e-9);
    /* two-sided 95%: each tail 2.5% */
    r = proportion_wilson(1, 40, Z95);
    assert_float_equal(r.low, -log(0.975) / 40.0, 1e-6);
    /* x = 3 at n = 50 is past the edge there; at n = 51 it is not */
    struct proportion_interval w = proportion_wilson(3, 50, PROPORTION_Z_99);
    struct proportion_interval p = proportion_wilson(3, 51, PROPORTION_Z_99);
    double z2 = PROPORTION_Z_99 * PROPORTION_Z_99, ph = 3.0 / 50.0;
    assert_float_equal(w.low, ((ph + z2 / 100.0) - PROPORTION_Z_99 * sqrt(ph * (1 - ph) / 50.0 +
                       z2 / 10000.0)) / (1.0 + z2 / 50.0), 1e-12);
    l = p.low * 51.0;
    assert_float_equal(1.0 - exp(-l) * (1.0 + l + l * l / 2.0), 0.01, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilson_matches_newcombe_example),
        cmocka_unit_test(test_wilson_edges),
        cmocka_unit_test(test_difference_matches_newcombe_example),
        cmocka_unit_test(test_difference_needs_counts_to_be_sure),
        cmocka_unit_test(test_excess_chance_exact),
        cmocka_unit_test(test_wilson_poisson_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

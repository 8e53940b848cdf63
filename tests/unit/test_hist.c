/* hist: quantiles the guards rely on are within 1% of the exact value a
 * sorted array gives, and a merge is undone exactly by a subtract. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/hist.h"

static const double QS[] = { 0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 };
#define NQ (sizeof QS / sizeof QS[0])

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank on a sorted copy: the reference the histogram must match. */
static uint64_t exact_quantile(const uint64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)(q * (double)n);
    if ((double)rank < q * (double)n)
        rank++;
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

/* Deterministic xorshift, so a failure reproduces. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void assert_within_1pct(const uint64_t *values, size_t n)
{
    struct hist *h = calloc(1, sizeof *h);
    uint64_t *sorted = malloc(n * sizeof *sorted);
    assert_non_null(h);
    assert_non_null(sorted);
    for (size_t i = 0; i < n; i++)
        hist_add(h, values[i]);
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    assert_int_equal(h->count, n);
    for (size_t i = 0; i < NQ; i++) {
        double want = (double)exact_quantile(sorted, n, QS[i]);
        double got = (double)hist_quantile(h, QS[i]);
        double err = want > 0 ? (got - want) / want : got;
        if (err < 0)
            err = -err;
        if (err > 0.01)
            fail_msg("q=%g: got %.0f, exact %.0f (%.2f%%)", QS[i], got, want, err * 100);
    }
    free(sorted);
    free(h);
}

static void test_uniform(void **state)
{
    (void)state;
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    uint64_t seed = 88172645463325252ull;
    for (size_t i = 0; i < n; i++)
        v[i] = 1 + next_rand(&seed) % 100000;
    assert_within_1pct(v, n);
    free(v);
}

/* Every value 1..100000 once: the exact quantile is known in closed form too. */
static void test_each_value_once(void **state)
{
    (void)state;
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = n - i;
    assert_within_1pct(v, n);
    free(v);
}

static void test_constant(void **state)
{
    (void)state;
    static const uint64_t values[] = { 7, 63, 64, 65, 150000, 999999, 3000000000ull };
    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        uint64_t v[500];
        for (size_t i = 0; i < 500; i++)
            v[i] = values[k];
        assert_within_1pct(v, 500);
    }
}

/* Two clusters (a fast path and a slow path): p50 sits in the fast one,
 * p95 and p99 in the slow one, each within 1%. */
static void test_two_clusters(void **state)
{
    (void)state;
    size_t n = 20000;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    uint64_t seed = 12345;
    for (size_t i = 0; i < n; i++) {
        if (i % 10 < 8)
            v[i] = 150000 + next_rand(&seed) % 10000;       /* 150-160 ms */
        else
            v[i] = 2400000 + next_rand(&seed) % 400000;     /* 2.4-2.8 s */
    }
    assert_within_1pct(v, n);
    free(v);
}

static void test_small_values_exact(void **state)
{
    (void)state;
    struct hist h;
    hist_clear(&h);
    for (uint64_t v = 0; v < 64; v++)
        hist_add(&h, v);
    assert_int_equal(hist_quantile(&h, 0.0), 0);
    assert_int_equal(hist_quantile(&h, 0.5), 31);
    assert_int_equal(hist_quantile(&h, 1.0), 63);
}

static void test_empty_is_zero(void **state)
{
    (void)state;
    struct hist h;
    hist_clear(&h);
    assert_int_equal(hist_quantile(&h, 0.5), 0);
    assert_int_equal(hist_quantile(&h, 0.99), 0);
    hist_add(&h, 5000);
    struct hist copy = h;
    hist_subtract(&h, &copy);
    assert_int_equal(h.count, 0);
    assert_int_equal(hist_quantile(&h, 0.95), 0);
}

/* Values past 2^33 us land in the last bucket instead of out of bounds,
 * and still read back as a huge value rather than a small one. */
static void test_huge_values_clamp(void **state)
{
    (void)state;
    struct hist h;
    hist_clear(&h);
    hist_add(&h, UINT64_MAX);
    hist_add(&h, (uint64_t)1 << 40);
    hist_add(&h, (uint64_t)1 << 33);
    assert_int_equal(h.count, 3);
    assert_int_equal(h.bucket[HIST_BUCKETS - 1], 3);
    uint64_t top = hist_quantile(&h, 1.0);
    assert_true(top >= ((uint64_t)1 << 33) - ((uint64_t)1 << 27));
    assert_true(top < ((uint64_t)1 << 33));
    /* the largest in-range value shares that bucket */
    hist_add(&h, ((uint64_t)1 << 33) - 1);
    assert_int_equal(h.bucket[HIST_BUCKETS - 1], 4);
}

static void test_merge_subtract_inverse(void **state)
{
    (void)state;
    struct hist *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct hist *orig = calloc(1, sizeof *orig);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(orig);
    uint64_t seed = 99;
    for (int i = 0; i < 5000; i++)
        hist_add(a, next_rand(&seed) % 5000000);
    for (int i = 0; i < 3000; i++)
        hist_add_n(b, next_rand(&seed) % 90000000, 1 + (uint32_t)(i % 3));
    *orig = *a;
    uint64_t p95_a = hist_quantile(a, 0.95);
    hist_merge(a, b);
    assert_int_equal(a->count, orig->count + b->count);
    assert_true(hist_quantile(a, 0.95) != p95_a);
    hist_subtract(a, b);
    assert_memory_equal(a, orig, sizeof *a);
    assert_int_equal(hist_quantile(a, 0.95), p95_a);
    free(a);
    free(b);
    free(orig);
}

static void test_add_n_counts_n(void **state)
{
    (void)state;
    struct hist h;
    hist_clear(&h);
    hist_add_n(&h, 100, 99);
    hist_add_n(&h, 100000, 1);
    assert_int_equal(h.count, 100);
    assert_int_equal(hist_quantile(&h, 0.99), 100);
    uint64_t top = hist_quantile(&h, 1.0);
    assert_true(top >= 99000 && top <= 101000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_each_value_once),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_two_clusters),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_empty_is_zero),
        cmocka_unit_test(test_huge_values_clamp),
        cmocka_unit_test(test_merge_subtract_inverse),
        cmocka_unit_test(test_add_n_counts_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* sample_ring: a window's values read back whole, oldest first, and the
 * oldest make room once it is full. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "core/sample_ring.h"

static void test_values_since_a_time(void **state)
{
    (void)state;
    struct sample_ring *r = calloc(1, sizeof *r);
    double out[8];
    assert_int_equal(sample_ring_since(r, 0, out, 8), 0);
    sample_ring_push(r, 10.0, 100);
    sample_ring_push(r, 12.0, 120);
    sample_ring_push(r, 11.5, 115);          /* finished late: still read */
    sample_ring_push(r, 20.0, 200);
    assert_int_equal(sample_ring_since(r, 11.5, out, 8), 3);
    assert_true(out[0] == 120 && out[1] == 115 && out[2] == 200);
    assert_int_equal(sample_ring_since(r, 0, out, 2), 2);   /* at most cap */
    assert_true(out[0] == 100 && out[1] == 120);
    assert_int_equal(sample_ring_since(r, 21, out, 8), 0);
    free(r);
}

static void test_full_ring_drops_the_oldest(void **state)
{
    (void)state;
    struct sample_ring *r = calloc(1, sizeof *r);
    double *out = calloc(SAMPLE_RING_CAP, sizeof *out);
    for (int i = 0; i < SAMPLE_RING_CAP + 10; i++)
        sample_ring_push(r, i, i);
    assert_int_equal(sample_ring_since(r, 0, out, SAMPLE_RING_CAP), SAMPLE_RING_CAP);
    assert_true(out[0] == 10);
    assert_true(out[SAMPLE_RING_CAP - 1] == SAMPLE_RING_CAP + 9);
    free(out);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_since_a_time),
        cmocka_unit_test(test_full_ring_drops_the_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

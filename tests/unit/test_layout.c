/* test_layout: where the console's panels go for a terminal size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tui/layout.h"

static void assert_rect(const struct layout_rect *r, int x, int y, int w, int h)
{
    assert_int_equal(r->x, x);
    assert_int_equal(r->y, y);
    assert_int_equal(r->w, w);
    assert_int_equal(r->h, h);
}

static bool empty(const struct layout_rect *r)
{
    return r->w <= 0 || r->h <= 0;
}

static void test_too_small(void **state)
{
    (void)state;
    struct layout_rect at[LAYOUT_PANEL_COUNT];
    assert_false(layout_place(LAYOUT_MIN_COLS - 1, 40, 0, 0, at));
    assert_false(layout_place(100, LAYOUT_MIN_ROWS - 1, 30, 10, at));
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        assert_true(empty(&at[p]));
    assert_true(layout_place(LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS, 0, 0, at));
}

/* 80x24: the panels share a band of 9 rows under the chart. */
static void test_narrow_band(void **state)
{
    (void)state;
    struct layout_rect at[LAYOUT_PANEL_COUNT];
    assert_true(layout_place(80, 24, 0, 0, at));
    assert_rect(&at[LAYOUT_CHART], 0, 0, 80, 14);
    assert_rect(&at[LAYOUT_WEIGHTS], 0, 14, 39, 9);
    assert_rect(&at[LAYOUT_GUARDS], 40, 14, 40, 6);
    assert_rect(&at[LAYOUT_EVENTS], 40, 20, 40, 3);
    assert_rect(&at[LAYOUT_STATUS], 0, 23, 80, 1);
    assert_true(empty(&at[LAYOUT_HELP]));
    /* 30 rows and more: an 11-row band. */
    assert_true(layout_place(120, 32, 0, 0, at));
    assert_rect(&at[LAYOUT_CHART], 0, 0, 120, 20);
    assert_rect(&at[LAYOUT_EVENTS], 60, 26, 60, 5);
}

/* From 140 columns the panels take a column on the right, wider on wider
 * terminals, one blank column from the chart. */
static void test_wide_column(void **state)
{
    (void)state;
    struct layout_rect at[LAYOUT_PANEL_COUNT];
    assert_true(layout_place(160, 50, 0, 0, at));
    assert_rect(&at[LAYOUT_CHART], 0, 0, 100, 49);
    assert_rect(&at[LAYOUT_WEIGHTS], 101, 0, 59, 9);
    assert_rect(&at[LAYOUT_GUARDS], 101, 9, 59, 6);
    assert_rect(&at[LAYOUT_EVENTS], 101, 15, 59, 34);
    assert_rect(&at[LAYOUT_STATUS], 0, 49, 160, 1);
    assert_true(layout_place(140, 30, 0, 0, at));
    assert_int_equal(at[LAYOUT_CHART].w, 92);
    assert_true(layout_place(250, 80, 0, 0, at));
    assert_int_equal(at[LAYOUT_CHART].w, 178);
}

/* The overlay: centred above the status line, clipped to the screen. */
static void test_help_centred_and_clipped(void **state)
{
    (void)state;
    struct layout_rect at[LAYOUT_PANEL_COUNT];
    assert_true(layout_place(80, 24, 40, 10, at));
    assert_rect(&at[LAYOUT_HELP], 20, 6, 40, 10);
    assert_true(layout_place(80, 24, 200, 100, at));
    assert_rect(&at[LAYOUT_HELP], 0, 0, 80, 23);
}

static bool overlap(const struct layout_rect *a, const struct layout_rect *b)
{
    return !empty(a) && !empty(b) && a->x < b->x + b->w && b->x < a->x + a->w &&
           a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Every size: the panels stay on the screen and never cover each other. */
static void test_every_size_fits(void **state)
{
    (void)state;
    struct layout_rect at[LAYOUT_PANEL_COUNT];
    for (int cols = LAYOUT_MIN_COLS; cols <= 260; cols++) {
        for (int rows = LAYOUT_MIN_ROWS; rows <= 90; rows++) {
            assert_true(layout_place(cols, rows, 0, 0, at));
            for (int p = 0; p < LAYOUT_PANEL_COUNT; p++) {
                if (empty(&at[p]))
                    continue;
                assert_true(at[p].x >= 0 && at[p].y >= 0);
                assert_true(at[p].x + at[p].w <= cols && at[p].y + at[p].h <= rows);
                for (int q = p + 1; q < LAYOUT_PANEL_COUNT; q++)
                    assert_false(overlap(&at[p], &at[q]));
            }
            assert_false(empty(&at[LAYOUT_CHART]));
            assert_false(empty(&at[LAYOUT_STATUS]));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_narrow_band),
        cmocka_unit_test(test_wide_column),
        cmocka_unit_test(test_help_centred_and_clipped),
        cmocka_unit_test(test_every_size_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

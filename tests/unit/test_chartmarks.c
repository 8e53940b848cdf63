/* test_chartmarks: reload-marker labels never write over each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "panels/chartmarks.h"

/* No two labels in one row share a column (a blank between them). */
static void assert_apart(const struct chartmarks_out *o, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            if (o[i].row != o[j].row)
                continue;
            int ei = o[i].x + (int)strlen(o[i].text), ej = o[j].x + (int)strlen(o[j].text);
            assert_true(ei < o[j].x || ej < o[i].x);
        }
}

static void test_apart_labels_keep_their_columns(void **state)
{
    (void)state;
    struct chartmarks_in in[] = {{5, "90/10 9a7d3e2"}, {40, "80/20 9a7d3e2"}};
    struct chartmarks_out out[CHARTMARKS_MAX];
    int n = chartmarks_layout(in, 2, 74, 1, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].x, 5);
    assert_int_equal(out[1].x, 40);
    assert_int_equal(out[0].count, 1);
    assert_string_equal(out[1].text, "80/20 9a7d3e2");
}

/* The "90/1080/2070/3060/40": five reloads a column apart. With
 * one row they merge into one counted label; with two they stack first. */
static void test_neighbours_merge_with_a_count(void **state)
{
    (void)state;
    struct chartmarks_in in[] = {{60, "90/10"}, {61, "80/20"}, {62, "70/30"}, {63, "60/40"},
                                 {64, "50/50 9a7d3e2"}};
    struct chartmarks_out out[CHARTMARKS_MAX];
    int n = chartmarks_layout(in, 5, 74, 1, out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].count, 5);
    assert_string_equal(out[0].text, "5 reloads, last 50/50 9a7d3e2");
    /* Pulled left to stay whole at the right edge. */
    assert_true(out[0].x + (int)strlen(out[0].text) <= 74);
    n = chartmarks_layout(in, 5, 74, 2, out);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].text, "90/10");
    assert_int_equal(out[0].row, 0);
    assert_int_equal(out[1].row, 1);
    assert_string_equal(out[1].text, "4 reloads, last 50/50 9a7d3e2");
    assert_apart(out, n);
}

/* A long label after a merged group: placed whole where it fits, else
 * merged into the last (and so still read). */
static void test_long_label_whole_or_merged(void **state)
{
    (void)state;
    const char *why = "auto-rollback: green 5xx 12.20% vs blue 0.00% for 180 s";
    struct chartmarks_in in[] = {{2, "90/10"}, {3, "80/20"}, {30, why}};
    struct chartmarks_out out[CHARTMARKS_MAX];
    int n = chartmarks_layout(in, 3, 120, 1, out);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].text, "2 reloads, last 80/20");
    assert_string_equal(out[1].text, why);
    assert_int_equal(out[1].x, 30);
    assert_apart(out, n);
    in[2].col = 10;
    n = chartmarks_layout(in, 3, 74, 1, out);
    assert_int_equal(n, 1);
    assert_non_null(strstr(out[0].text, "3 reloads, last auto-rollback: green 5xx 12.20%"));
    /* Nothing to lay out on no rows. */
    assert_int_equal(chartmarks_layout(in, 3, 74, 0, out), 0);
}

static void test_never_overlap_many(void **state)
{
    (void)state;
    struct chartmarks_in in[CHARTMARKS_MAX];
    struct chartmarks_out out[CHARTMARKS_MAX];
    for (int i = 0; i < CHARTMARKS_MAX; i++) {
        in[i].col = i * 3 / 2;
        in[i].label = i % 5 ? "70/30" : "100/0 9a7d3e2";
    }
    for (int rows = 1; rows <= 3; rows++) {
        int n = chartmarks_layout(in, CHARTMARKS_MAX, 100, rows, out);
        assert_true(n >= 1 && n <= CHARTMARKS_MAX);
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += out[i].count;
            assert_true(out[i].x >= 0 && out[i].row < rows);
        }
        assert_int_equal(total, CHARTMARKS_MAX);    /* every marker is told */
        assert_apart(out, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apart_labels_keep_their_columns),
        cmocka_unit_test(test_neighbours_merge_with_a_count),
        cmocka_unit_test(test_long_label_whole_or_merged),
        cmocka_unit_test(test_never_overlap_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

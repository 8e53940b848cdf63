/* test_wrap: sentences broken at spaces so they are read whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "view/wrap.h"

static void line_is(const struct wrap_line *l, const char *want)
{
    char got[256];
    snprintf(got, sizeof got, "%.*s", l->len, l->start);
    assert_string_equal(got, want);
}

static void test_breaks_at_spaces(void **state)
{
    (void)state;
    struct wrap_line l[8];
    const char *t = "refused: the weights have held 4 s of the 10 s dwell";
    int n = wrap_text(t, 20, l, 8);
    assert_int_equal(n, 3);
    line_is(&l[0], "refused: the weights");
    line_is(&l[1], "have held 4 s of the");
    line_is(&l[2], "10 s dwell");
    /* Every word is on some line: nothing is cut. */
    assert_int_equal(wrap_text(t, 200, l, 8), 1);
    line_is(&l[0], t);
}

static void test_long_word_split_and_count_beyond_max(void **state)
{
    (void)state;
    struct wrap_line l[2];
    int n = wrap_text("abcdefghij xy", 4, l, 2);
    assert_int_equal(n, 4);         /* abcd efgh ij xy: more than max, counted */
    line_is(&l[0], "abcd");
    line_is(&l[1], "efgh");
    assert_int_equal(wrap_text("", 10, l, 2), 0);
    assert_int_equal(wrap_text("x", 0, l, 2), 0);
    assert_int_equal(wrap_text("a b", 10, NULL, 0), 1);
}

static void test_newline_and_utf8(void **state)
{
    (void)state;
    struct wrap_line l[4];
    int n = wrap_text("one\ntwo three", 20, l, 4);
    assert_int_equal(n, 2);
    line_is(&l[0], "one");
    line_is(&l[1], "two three");
    /* Columns count characters: "→" is one column of three bytes. */
    assert_int_equal(wrap_columns("a→b", strlen("a→b")), 3);
    n = wrap_text("50/50→100/0 done", 11, l, 4);
    assert_int_equal(n, 2);
    line_is(&l[0], "50/50→100/0");
    line_is(&l[1], "done");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaks_at_spaces),
        cmocka_unit_test(test_long_word_split_and_count_beyond_max),
        cmocka_unit_test(test_newline_and_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

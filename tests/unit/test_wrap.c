/* test_wrap: sentences broken at spaces so they are read whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/grid.h"
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

/* OpenClaw's log says "⚠️": U+26A0 and the variation selector U+FE0F,
 * which draws nothing on its own. It takes no column, in the wrap and in the
 * grid alike (a column of its own showed it as '?' and pushed the line right),
 * and it stays with its sign when the line breaks. */
static void test_zero_width_takes_no_column(void **state)
{
    (void)state;
    const char *warn = "\u26a0\ufe0f model failed";
    assert_int_equal(wrap_columns(warn, strlen(warn)), 14);
    struct wrap_line l[4];
    assert_int_equal(wrap_text(warn, 7, l, 4), 2);
    line_is(&l[0], "\u26a0\ufe0f model");
    line_is(&l[1], "failed");
    /* a combining accent and a zero-width joiner: none of them a column */
    assert_int_equal(wrap_columns("e\u0301t\u200de", strlen("e\u0301t\u200de")), 3);

    struct grid *g = grid_new(20, 1);
    assert_int_equal(grid_put_text(g, 0, 0, warn, -1, ROLE_TEXT), 14);
    char *text = grid_dump(g);
    assert_string_equal(text, "\u26a0 model failed      ");
    free(text);
    assert_true(grid_zero_width("\ufe0f"));
    assert_false(grid_zero_width("\u26a0"));
    assert_false(grid_zero_width("a"));
    assert_int_equal(grid_utf8_code("\u26a0"), 0x26a0);
    assert_int_equal(grid_utf8_code("\xff"), 0xfffd);
    /* Broken UTF-8 too: the wrap counts the columns the grid draws. */
    static const char *const odd[] = {"\x80" "a", "\xe2\x82" "A", "\ufe0f" "x", "a\xff\ufe0f",
                                      "\xf0\x9f\x98", "ok \u26a0\ufe0f\u200d!"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        grid_clear(g);
        assert_int_equal(wrap_columns(odd[i], strlen(odd[i])),
                         grid_put_text(g, 0, 0, odd[i], -1, ROLE_TEXT));
    }
    grid_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaks_at_spaces),
        cmocka_unit_test(test_long_word_split_and_count_beyond_max),
        cmocka_unit_test(test_newline_and_utf8),
        cmocka_unit_test(test_zero_width_takes_no_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

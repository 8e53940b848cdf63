/* test_keymap: which key is bound to what in each mode, the help rows the
 * overlay lists, and the prompt's keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tui/keymap.h"

static const enum keymap_mode modes[] = {KEYMAP_CONTROL, KEYMAP_WATCH, KEYMAP_REPLAY};

static void test_moves_only_with_control(void **state)
{
    (void)state;
    assert_int_equal(keymap_lookup(KEYMAP_CONTROL, ']'), KEYMAP_ACT_STEP_UP);
    assert_int_equal(keymap_lookup(KEYMAP_CONTROL, '+'), KEYMAP_ACT_STEP_UP);
    assert_int_equal(keymap_lookup(KEYMAP_CONTROL, '-'), KEYMAP_ACT_STEP_DOWN);
    assert_int_equal(keymap_lookup(KEYMAP_CONTROL, 'R'), KEYMAP_ACT_ROLLBACK);
    assert_int_equal(keymap_lookup(KEYMAP_CONTROL, 'T'), KEYMAP_ACT_TAKE_CONTROL);
    static const int moving[] = {']', '+', '[', '-', 'r', 'R', 'T'};
    for (size_t i = 0; i < sizeof moving / sizeof moving[0]; i++) {
        assert_int_equal(keymap_lookup(KEYMAP_WATCH, moving[i]), KEYMAP_ACT_NONE);
        assert_int_equal(keymap_lookup(KEYMAP_REPLAY, moving[i]), KEYMAP_ACT_NONE);
    }
}

static void test_replay_keys_only_in_replay(void **state)
{
    (void)state;
    assert_int_equal(keymap_lookup(KEYMAP_REPLAY, ' '), KEYMAP_ACT_PAUSE);
    assert_int_equal(keymap_lookup(KEYMAP_REPLAY, '<'), KEYMAP_ACT_SLOWER);
    assert_int_equal(keymap_lookup(KEYMAP_REPLAY, '>'), KEYMAP_ACT_FASTER);
    assert_int_equal(keymap_lookup(KEYMAP_REPLAY, 'g'), KEYMAP_ACT_NEXT_EVENT);
    assert_int_equal(keymap_lookup(KEYMAP_CONTROL, ' '), KEYMAP_ACT_NONE);
    assert_int_equal(keymap_lookup(KEYMAP_WATCH, 'g'), KEYMAP_ACT_NONE);
}

static void test_view_keys_everywhere(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(keymap_lookup(modes[i], '?'), KEYMAP_ACT_HELP);
        assert_int_equal(keymap_lookup(modes[i], 'q'), KEYMAP_ACT_QUIT);
        assert_int_equal(keymap_lookup(modes[i], '3'), KEYMAP_ACT_SPAN_1H);
        assert_int_equal(keymap_lookup(modes[i], KEYMAP_KEY_UP), KEYMAP_ACT_SEL_UP);
        assert_int_equal(keymap_lookup(modes[i], 'j'), KEYMAP_ACT_SEL_DOWN);
        assert_int_equal(keymap_lookup(modes[i], KEYMAP_KEY_ENTER), KEYMAP_ACT_LOOKUP);
        assert_int_equal(keymap_lookup(modes[i], KEYMAP_KEY_ESC), KEYMAP_ACT_CLOSE);
        assert_int_equal(keymap_lookup(modes[i], 'Z'), KEYMAP_ACT_NONE);
    }
}

static bool help_has(const struct help_key *keys, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i].key, name) == 0)
            return true;
    return false;
}

/* A watcher's help offers no moves; each row is one action's keys. */
static void test_help_lists_the_bound_keys(void **state)
{
    (void)state;
    struct help_key keys[KEYMAP_HELP_MAX];
    int control = keymap_help(KEYMAP_CONTROL, keys, KEYMAP_HELP_MAX);
    assert_true(help_has(keys, control, "] or +"));
    assert_true(help_has(keys, control, "q"));
    assert_false(help_has(keys, control, "space"));
    int watch = keymap_help(KEYMAP_WATCH, keys, KEYMAP_HELP_MAX);
    assert_false(help_has(keys, watch, "] or +"));
    assert_false(help_has(keys, watch, "T"));
    assert_true(help_has(keys, watch, "1 2 3"));
    int replay = keymap_help(KEYMAP_REPLAY, keys, KEYMAP_HELP_MAX);
    assert_true(help_has(keys, replay, "space"));
    assert_true(help_has(keys, replay, "g"));
    assert_false(help_has(keys, replay, "R"));
    assert_true(watch < control);
    for (int i = 0; i < replay; i++)
        assert_non_null(keys[i].desc);
    /* A short array gets the first rows only. */
    assert_int_equal(keymap_help(KEYMAP_CONTROL, keys, 2), 2);
    assert_string_equal(keys[0].key, "] or +");
}

/* In WATCH a moving key is unbound but known, so the console answers it
 * with "read-only: watching" instead of ignoring it. */
static void test_moving_keys_known_everywhere(void **state)
{
    (void)state;
    const int moves[] = {']', '+', '[', '-', 'r', 'R', 'T'};
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        assert_true(keymap_is_move(moves[i]));
        assert_int_equal(keymap_lookup(KEYMAP_WATCH, moves[i]), KEYMAP_ACT_NONE);
    }
    assert_false(keymap_is_move('?'));
    assert_false(keymap_is_move('m'));
    assert_int_equal(keymap_lookup(KEYMAP_WATCH, 'm'), KEYMAP_ACT_MESSAGES);
}

static void test_prompt_keys(void **state)
{
    (void)state;
    assert_true(keymap_yes('y'));
    assert_true(keymap_yes('Y'));
    assert_false(keymap_yes('n'));
    assert_false(keymap_yes('\r'));
    assert_int_equal(keymap_edit(KEYMAP_KEY_ESC), KEYMAP_EDIT_CANCEL);
    assert_int_equal(keymap_edit('\r'), KEYMAP_EDIT_SUBMIT);
    assert_int_equal(keymap_edit('\n'), KEYMAP_EDIT_SUBMIT);
    assert_int_equal(keymap_edit(KEYMAP_KEY_ENTER), KEYMAP_EDIT_SUBMIT);
    assert_int_equal(keymap_edit(127), KEYMAP_EDIT_ERASE);
    assert_int_equal(keymap_edit(8), KEYMAP_EDIT_ERASE);
    assert_int_equal(keymap_edit(KEYMAP_KEY_BACKSPACE), KEYMAP_EDIT_ERASE);
    assert_int_equal(keymap_edit('o'), KEYMAP_EDIT_TYPE);
    assert_int_equal(keymap_edit(' '), KEYMAP_EDIT_TYPE);
    assert_int_equal(keymap_edit('~'), KEYMAP_EDIT_TYPE);
    assert_int_equal(keymap_edit(1), KEYMAP_EDIT_IGNORE);
    assert_int_equal(keymap_edit(KEYMAP_KEY_UP), KEYMAP_EDIT_IGNORE);
    assert_int_equal(keymap_edit(0xc3), KEYMAP_EDIT_IGNORE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves_only_with_control),
        cmocka_unit_test(test_replay_keys_only_in_replay),
        cmocka_unit_test(test_view_keys_everywhere),
        cmocka_unit_test(test_help_lists_the_bound_keys),
        cmocka_unit_test(test_prompt_keys),
        cmocka_unit_test(test_moving_keys_known_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

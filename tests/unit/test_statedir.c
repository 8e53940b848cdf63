/* statedir: the journal's newest move line is found from the end, however
 * long the journal and wherever its read window starts, and lines without a
 * move id (refusals, control) are passed over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "runtime/statedir.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/cutover-statedir.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    unlink(path);
    return rmdir(dir);
}

static void append(const char *action, const char *move_id, int blue)
{
    char msg[256];
    struct journal_event ev = {.time = 1764000000, .user = "ops", .action = (char *)action,
                               .before = {blue, 100 - blue}, .after = {blue, 100 - blue},
                               .outcome = "ok", .move_id = (char *)move_id,
                               .nginx = {blue, 100 - blue}};
    assert_int_equal(statedir_journal_append(dir, &ev, msg, sizeof msg), 0);
}

static void test_no_journal(void **state)
{
    struct journal_event ev;
    char msg[256];
    assert_int_equal(statedir_journal_last_move(dir, &ev, msg, sizeof msg), 0);
    append("take-control", NULL, 100);
    assert_int_equal(statedir_journal_last_move(dir, &ev, msg, sizeof msg), 0);
}

static void test_newest_move_line_past_other_lines(void **state)
{
    struct journal_event ev;
    char msg[256];
    append("intent", "m1", 90);
    append("shift", "m1", 80);
    append("intent", "m2", 80);
    /* more than one read window (64 KiB) of lines without a move id */
    for (int i = 0; i < 1500; i++)
        append("shift-refused-padding-to-make-the-line-longer-than-usual", NULL, 80);
    assert_int_equal(statedir_journal_last_move(dir, &ev, msg, sizeof msg), 1);
    assert_string_equal(ev.move_id, "m2");
    assert_string_equal(ev.action, "intent");
    assert_int_equal(ev.nginx[COLOR_BLUE], 80);
    journal_event_clear(&ev);
    append("shift", "m2", 70);
    assert_int_equal(statedir_journal_last_move(dir, &ev, msg, sizeof msg), 1);
    assert_string_equal(ev.action, "shift");
    assert_int_equal(ev.nginx[COLOR_BLUE], 70);
    journal_event_clear(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_journal),
        cmocka_unit_test(test_newest_move_line_past_other_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

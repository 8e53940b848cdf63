/* intent: from the journal's last move line and the file's weights, the
 * reconcile decision and its words; the one-step rule every reload obeys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/intent.h"

#define NOW 1764000100.0

/* A shift's intent 90/10 -> 80/20 by ops, nginx confirmed at 90/10. */
static struct journal_event intent_line(void)
{
    struct journal_event ev = {
        .time = NOW - 14, .user = "ops", .action = "intent", .outcome = "started",
        .before = {90, 10}, .after = {80, 20}, .candidate = "green",
        .move_id = "m1", .move = "shift", .nginx = {90, 10},
    };
    return ev;
}

static void last_of(const struct journal_event *ev, struct intent_last *last)
{
    intent_last_from_event(ev, last);
}

static void test_no_move_line_is_clear(void **state)
{
    struct intent_last last;
    struct intent_reconcile r;
    int file[COLOR_COUNT] = {70, 30};
    last_of(NULL, &last);
    assert_false(last.known);
    intent_decide(&last, file, COLOR_BLUE, 10, "nginx", NOW, &r);
    assert_int_equal(r.verdict, INTENT_CLEAR);
    /* nothing journaled: the file is all there is, as before intents */
    assert_int_equal(r.confirmed[COLOR_BLUE], 70);
}

static void test_pending_and_file_written_reconciles(void **state)
{
    struct journal_event ev = intent_line();
    struct intent_last last;
    struct intent_reconcile r;
    int file[COLOR_COUNT] = {80, 20};
    last_of(&ev, &last);
    assert_true(last.pending);
    assert_string_equal(last.move, "shift");
    intent_decide(&last, file, COLOR_BLUE, 10, "nginx", NOW, &r);
    assert_int_equal(r.verdict, INTENT_RECONCILE);
    assert_true(r.pending);
    assert_true(r.may_apply);
    assert_int_equal(r.confirmed[COLOR_BLUE], 90);
    assert_int_equal(r.file[COLOR_BLUE], 80);
    assert_string_equal(r.text,
        "a shift by ops 14 s ago (blue 90 / green 10 -> blue 80 / green 20) did not finish: "
        "nginx was last confirmed to run blue 90 / green 10; the upstream file holds blue 80 / "
        "green 20. Reconcile before anything else moves: `cutover reconcile --apply` (nginx -t "
        "and reload the file) or `cutover reconcile --restore` (put back blue 90 / green 10)");
}

static void test_pending_file_untouched_closes(void **state)
{
    struct journal_event ev = intent_line();
    struct intent_last last;
    struct intent_reconcile r;
    int file[COLOR_COUNT] = {90, 10};
    last_of(&ev, &last);
    intent_decide(&last, file, COLOR_BLUE, 10, "nginx", NOW, &r);
    assert_int_equal(r.verdict, INTENT_CLOSE);
    assert_non_null(strstr(r.text, "interrupted before the upstream file changed"));
    assert_non_null(strstr(r.text, "nothing to reconcile"));
}

static void test_outcome_ok_agreeing_file_is_clear(void **state)
{
    struct journal_event ev = intent_line();
    struct intent_last last;
    struct intent_reconcile r;
    int file[COLOR_COUNT] = {80, 20};
    ev.action = "shift";
    ev.outcome = "ok";
    ev.nginx[COLOR_BLUE] = 80;
    ev.nginx[COLOR_GREEN] = 20;
    last_of(&ev, &last);
    assert_false(last.pending);
    intent_decide(&last, file, COLOR_BLUE, 10, "nginx", NOW, &r);
    assert_int_equal(r.verdict, INTENT_CLEAR);
}

/* A reload that failed leaves the new file in place and nginx on the old
 * config: a mismatch with an outcome, reconciled the same way. */
static void test_failed_reload_reconciles(void **state)
{
    struct journal_event ev = intent_line();
    struct intent_last last;
    struct intent_reconcile r;
    int file[COLOR_COUNT] = {80, 20};
    ev.action = "shift";
    ev.outcome = "reload-failed";
    last_of(&ev, &last);
    intent_decide(&last, file, COLOR_BLUE, 10, "nginx", NOW + 300, &r);
    assert_int_equal(r.verdict, INTENT_RECONCILE);
    assert_false(r.pending);
    assert_non_null(strstr(r.text, "nginx was last confirmed to run blue 90 / green 10 (after a "
                                   "shift by ops 5 min ago"));
    assert_non_null(strstr(r.text, "reload-failed"));
}

/* A file more than a step from what nginx confirmed (edited by hand, or
 * written twice): applying it is not offered, restoring is. */
static void test_far_file_may_not_apply(void **state)
{
    struct journal_event ev = intent_line();
    struct intent_last last;
    struct intent_reconcile r;
    int file[COLOR_COUNT] = {60, 40};
    last_of(&ev, &last);
    intent_decide(&last, file, COLOR_BLUE, 10, "nginx", NOW, &r);
    assert_int_equal(r.verdict, INTENT_RECONCILE);
    assert_false(r.may_apply);
    assert_non_null(strstr(r.text, "not `cutover reconcile --apply`"));
    assert_non_null(strstr(r.text, "`cutover reconcile --restore` (put back blue 90 / green 10)"));
}

static void test_confirmed_after_outcomes(void **state)
{
    int before[COLOR_COUNT] = {90, 10}, after[COLOR_COUNT] = {80, 20}, out[COLOR_COUNT];
    static const struct {
        const char *outcome;
        int blue;
    } rows[] = {
        {"ok", 80}, {"test-failed", 90}, {"write-failed", 90}, {"restore-failed", 90},
        {"reload-failed", 90}, {"reload-not-applied", 90}, {"interrupted", 90},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        intent_confirmed_after(rows[i].outcome, before, after, out);
        assert_int_equal(out[COLOR_BLUE], rows[i].blue);
        assert_int_equal(out[COLOR_GREEN], 100 - rows[i].blue);
    }
}

static void test_one_step_rule(void **state)
{
    char msg[512];
    static const struct {
        int confirmed_blue, after_blue, stable;
        int rc;
    } rows[] = {
        {90, 80, COLOR_BLUE, 0},      /* a step */
        {80, 90, COLOR_BLUE, 0},      /* a step back */
        {80, 80, COLOR_BLUE, 0},      /* no move */
        {80, 60, COLOR_BLUE, -1},     /* two steps toward the candidate */
        {60, 80, COLOR_BLUE, -1},     /* two steps back, not all the way */
        {30, 100, COLOR_BLUE, 0},     /* rollback: all back to the stable color */
        {30, 100, COLOR_NONE, -1},    /* no stable known: no exception */
        {70, 0, COLOR_BLUE, -1},      /* all to the candidate in one go */
        {100, 0, COLOR_GREEN, 0},     /* green stable: everything back to green */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int c[COLOR_COUNT] = {rows[i].confirmed_blue, 100 - rows[i].confirmed_blue};
        int a[COLOR_COUNT] = {rows[i].after_blue, 100 - rows[i].after_blue};
        assert_int_equal(intent_check_step(c, a, rows[i].stable, 10, "nginx", msg, sizeof msg),
                         rows[i].rc);
    }
    int c[COLOR_COUNT] = {80, 20}, a[COLOR_COUNT] = {50, 50};
    intent_check_step(c, a, COLOR_BLUE, 10, "nginx", msg, sizeof msg);
    assert_string_equal(msg, "nginx runs blue 80 / green 20 (confirmed); blue 50 / green 50 would "
                             "move it 30 points in one reload, and a reload moves at most one "
                             "step (10): step by step, or `cutover rollback` to send everything "
                             "back");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_move_line_is_clear),
        cmocka_unit_test(test_pending_and_file_written_reconciles),
        cmocka_unit_test(test_pending_file_untouched_closes),
        cmocka_unit_test(test_outcome_ok_agreeing_file_is_clear),
        cmocka_unit_test(test_failed_reload_reconciles),
        cmocka_unit_test(test_far_file_may_not_apply),
        cmocka_unit_test(test_confirmed_after_outcomes),
        cmocka_unit_test(test_one_step_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

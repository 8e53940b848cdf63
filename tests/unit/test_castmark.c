/* test_castmark: a recording's marker labels read cleanly (issue 14: a
 * refusal read "shift 80/20 refused: refused: ..."); a restore and a
 * reconcile get one, a move's intent none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "view/castmark.h"

static struct model_event event(const char *user, const char *action, const char *outcome,
                                int b0, int b1, const char *error)
{
    struct model_event ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.user, sizeof ev.user, "%s", user);
    snprintf(ev.action, sizeof ev.action, "%s", action);
    snprintf(ev.outcome, sizeof ev.outcome, "%s", outcome);
    snprintf(ev.error, sizeof ev.error, "%s", error);
    ev.before[COLOR_BLUE] = b0;
    ev.before[COLOR_GREEN] = 100 - b0;
    ev.after[COLOR_BLUE] = b1;
    ev.after[COLOR_GREEN] = 100 - b1;
    return ev;
}

static void expect(const struct model_event *ev, const char *want)
{
    char label[1400];
    assert_true(castmark_label(ev, label, sizeof label));
    assert_string_equal(label, want);
}

static void test_a_refusal_says_refused_once(void **state)
{
    (void)state;
    struct model_event ev = event("root", "shift", "refused", 80, 80,
                                  "refused: the weights have held 4 s of the 10 s dwell (6 s left)");
    expect(&ev, "shift refused at 80/20: the weights have held 4 s of the 10 s dwell (6 s left)");
    ev = event("root", "shift", "refused", 80, 80, "shift refused: the journal is full");
    expect(&ev, "shift refused at 80/20: the journal is full");
    ev = event("root", "shift", "refused", 80, 80, "green p95 is over the limit");
    expect(&ev, "shift refused at 80/20: green p95 is over the limit");
}

static void test_moves_say_from_and_to(void **state)
{
    (void)state;
    struct model_event ev = event("root", "shift", "ok", 90, 80, "");
    expect(&ev, "shift 90/10 -> 80/20");
    ev = event("cutover (auto-rollback)", "auto-rollback", "started", 50, 100,
               "green 5xx 12.20% vs blue 0.00% for 180 s (+12.20 points, limit 0.5)");
    expect(&ev, "auto-rollback 50/50 -> 100/0: green 5xx 12.20% vs blue 0.00% for 180 s (+12.20 "
                "points, limit 0.5)");
    ev = event("cutover (auto-rollback)", "rollback", "ok", 50, 100, "");
    expect(&ev, "rollback 50/50 -> 100/0 by cutover (auto-rollback)");
    ev = event("root", "shift", "reload-failed", 90, 80, "nginx -s reload exited 1");
    expect(&ev, "shift reload-failed 90/10 -> 80/20: nginx -s reload exited 1");
}

static void test_restore_and_reconcile_are_marked_an_intent_is_not(void **state)
{
    (void)state;
    struct model_event ev = event("root", "restore", "ok", 70, 80, "");
    expect(&ev, "restore 70/30 -> 80/20");
    ev = event("cutover (server start)", "reconcile", "needed", 70, 70,
               "a shift by root 3 s ago (blue 80 / green 20 -> blue 70 / green 30) did not finish");
    expect(&ev, "reconcile needed at 70/30: a shift by root 3 s ago (blue 80 / green 20 -> blue 70 "
                "/ green 30) did not finish");
    ev = event("root", "intent", "started", 80, 70, "");
    char label[64];
    assert_false(castmark_label(&ev, label, sizeof label));
    ev = event("root", "take-control", "ok", 80, 80, "");
    expect(&ev, "take-control");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_refusal_says_refused_once),
        cmocka_unit_test(test_moves_say_from_and_to),
        cmocka_unit_test(test_restore_and_reconcile_are_marked_an_intent_is_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

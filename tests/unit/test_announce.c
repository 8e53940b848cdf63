/* test_announce: what the server did alone is told whole, from the journal
 * events every console gets: the banner's text, the chart marker's label,
 * the events row, and the status line's wrapped message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/banner.h"
#include "panels/events.h"
#include "panels/status.h"
#include "view/announce.h"
#include "view/model.h"

#define REASON "green 5xx 12.20% vs blue 0.00% for 180 s (+12.20 points, limit 0.5)"

static void event(struct model *m, double t, const char *user, const char *action,
                  const char *before, const char *after, const char *outcome, const char *error)
{
    char line[1024], err[128];
    snprintf(line, sizeof line,
             "{\"event\":{\"time\":%.3f,\"user\":\"%s\",\"action\":\"%s\",\"before\":%s,"
             "\"after\":%s,\"candidate\":\"green\",\"candidate_version\":\"9a7d3e2\","
             "\"outcome\":\"%s\",\"error\":\"%s\"}}",
             t, user, action, before, after, outcome, error);
    assert_int_equal(model_apply_line(m, line, strlen(line), err, sizeof err), MODEL_MSG_EVENT);
}

#define W(b, g) "{\"blue\":" #b ",\"green\":" #g "}"

/* The drill's end: a step to 50/50, the auto-rollback, its reload, the stop. */
static struct model *rolled_back(bool with_follow_ups)
{
    struct model *m = model_new();
    event(m, 1000.0, "alice", "shift", W(60, 40), W(50, 50), "ok", "");
    event(m, 1200.0, "cutover (auto-rollback)", "auto-rollback", W(50, 50), W(100, 0), "started",
          REASON);
    if (with_follow_ups) {
        event(m, 1200.8, "cutover (auto-rollback)", "rollback", W(50, 50), W(100, 0), "ok", "");
        event(m, 1201.1, "cutover (auto-rollback)", "stop", W(100, 0), W(100, 0), "ok", "");
    }
    return m;
}

static void test_announcement_whole(void **state)
{
    (void)state;
    struct model *m = rolled_back(false);
    struct announce a;
    announce_latest(m, &a);
    assert_true(a.have);
    assert_string_equal(a.title, "AUTO-ROLLBACK");
    assert_true(a.time == 1200.0);
    assert_non_null(strstr(a.text, REASON "; blue 50 / green 50 -> blue 100 / green 0"));
    assert_non_null(strstr(a.line, "AUTO-ROLLBACK at "));
    assert_non_null(strstr(a.line, ": green 5xx 12.20% vs blue 0.00% for 180 s"));
    /* The reload and the stop join the same announcement. */
    event(m, 1200.8, "cutover (auto-rollback)", "rollback", W(50, 50), W(100, 0), "ok", "");
    event(m, 1201.1, "cutover (auto-rollback)", "stop", W(100, 0), W(100, 0), "ok", "");
    announce_latest(m, &a);
    assert_true(a.time == 1200.0);
    assert_non_null(strstr(a.text, "-> blue 100 / green 0; reloaded; green stopped"));
    model_free(m);
}

static void test_people_are_not_announced_alarms_are(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct announce a;
    event(m, 1000.0, "alice", "rollback", W(50, 50), W(100, 0), "ok", "");
    event(m, 1001.0, "alice", "stop", W(100, 0), W(100, 0), "ok", "");
    announce_latest(m, &a);
    assert_false(a.have);
    event(m, 1100.0, "cutover (auto-rollback)", "alarm", W(60, 40), W(60, 40), "5xx-excess", REASON);
    announce_latest(m, &a);
    assert_true(a.have);
    assert_string_equal(a.title, "ALARM");
    assert_non_null(strstr(a.text, REASON "; auto-rollback is off"));
    model_free(m);
}

/* The marker says what happened, whichever of the two events came first. */
static void test_marker_labelled_with_the_reason(void **state)
{
    (void)state;
    struct model *m = rolled_back(true);
    const struct model_marker *k = model_marker_get(m, model_marker_count(m) - 1);
    assert_string_equal(k->what, "auto-rollback: green 5xx 12.20% vs blue 0.00% for 180 s");
    assert_string_equal(model_marker_get(m, 0)->what, "");     /* alice's shift: weights */
    model_free(m);
    m = model_new();
    event(m, 1200.8, "cutover (auto-rollback)", "rollback", W(50, 50), W(100, 0), "ok", "");
    assert_string_equal(model_marker_get(m, 0)->what, "auto-rollback to 100/0");
    event(m, 1200.0, "cutover (auto-rollback)", "auto-rollback", W(50, 50), W(100, 0), "started",
          REASON);
    assert_string_equal(model_marker_get(m, 0)->what,
                        "auto-rollback: green 5xx 12.20% vs blue 0.00% for 180 s");
    model_free(m);
}

static char *text_of(const struct grid *g)
{
    char *s = grid_dump(g);
    assert_non_null(s);
    return s;
}

/* The rows as one line: a row's trailing blanks and its break become one
 * space, so a sentence wrapped over rows reads as it was written. */
static void join_rows(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        char ch = *r == '\n' ? ' ' : *r;
        if (ch == ' ' && w > s && w[-1] == ' ')
            continue;
        *w++ = ch;
    }
    *w = '\0';
}

/* At 80x24 the banner takes 2-3 rows and says it all; the events panel's
 * row (40 columns) shows the real move and folds the reload and the stop. */
static void test_banner_and_row_at_80x24(void **state)
{
    (void)state;
    struct model *m = rolled_back(true);
    struct announce a;
    announce_latest(m, &a);
    int rows = banner_rows(&a, 80);
    assert_true(rows >= 2 && rows <= 3);
    struct grid *g = grid_new(80, rows);
    banner_draw(&a, g);
    char *s = text_of(g);
    join_rows(s);
    assert_non_null(strstr(s, "AUTO-ROLLBACK"));
    assert_non_null(strstr(s, "green 5xx 12.20% vs blue 0.00% for 180 s (+12.20 points,"));
    assert_non_null(strstr(s, "green stopped (Esc closes)"));
    assert_int_equal(grid_cell(g, 0, 0)->role, ROLE_ALERT);
    free(s);
    grid_free(g);
    struct grid *e = grid_new(40, 3);
    struct events_opts o = {.now = 1300};
    events_draw(m, e, &o);
    s = text_of(e);
    assert_non_null(strstr(s, " server auto-rollback "));
    assert_non_null(strstr(s, "  50/50->100/0 9a7d3e2 done, green stop"));
    assert_null(strstr(s, "50/50->50/50"));
    free(s);
    grid_free(e);
    model_free(m);
}

/* A message longer than the line is wrapped above it, whole. */
static void test_status_message_wraps(void **state)
{
    (void)state;
    struct model *m = model_new();
    const char *msg = "refused: the weights have held 4 s of the 10 s dwell (rollout.min_dwell_s); "
                      "override: --force --reason TEXT";
    struct status_opts o = {.host = "vm", .mode = STATUS_CONTROL, .keys = "q quit",
                            .message = msg, .now = 0};
    assert_int_equal(status_rows(m, &o, 80), 3);
    struct grid *g = grid_new(80, 3);
    status_draw(m, g, &o);
    char *s = text_of(g);
    assert_non_null(strstr(s, "refused: the weights have held 4 s of the 10 s dwell"));
    assert_non_null(strstr(s, "override: --force --reason TEXT"));
    assert_non_null(strstr(s, "\nvm  CONTROL"));
    free(s);
    grid_free(g);
    /* Longer than the rows: the last says where the rest is. */
    char longer[700];
    snprintf(longer, sizeof longer, "refused: preflight failed before the first step:%s",
             " nothing listens on 127.0.0.1:45699; health check failed" 
             " nothing listens on 127.0.0.1:45699; health check failed"
             " nothing listens on 127.0.0.1:45699; health check failed"
             " nothing listens on 127.0.0.1:45699; health check failed"
             " nothing listens on 127.0.0.1:45699; health check failed"
             " nothing listens on 127.0.0.1:45699; health check failed");
    o.message = longer;
    assert_int_equal(status_rows(m, &o, 80), 1 + STATUS_MESSAGE_ROWS);
    g = grid_new(80, 1 + STATUS_MESSAGE_ROWS);
    status_draw(m, g, &o);
    s = text_of(g);
    assert_non_null(strstr(s, "refused: preflight failed before the first step: nothing listens"));
    assert_non_null(strstr(s, "... (m shows it whole)\n"));
    free(s);
    /* Short: one row, on the line as before. */
    o.message = "cancelled";
    assert_int_equal(status_rows(m, &o, 80), 1);
    grid_free(g);
    model_free(m);
}


/* A move waiting for `cutover reconcile` (the snapshot says so while it
 * lasts): a standing banner naming the commands, whole at 80 columns;
 * gone with the snapshot that no longer carries it. */
static void snapshot(struct model *m, double at, const char *reconcile)
{
    char line[2048], err[128];
    snprintf(line, sizeof line, "{\"snapshot\":{\"seq\":1,\"at\":%.1f,\"weights\":"
             "{\"blue\":80,\"green\":20}%s%s}}", at, reconcile ? ",\"reconcile\":" : "",
             reconcile ? reconcile : "");
    assert_int_equal(model_apply_line(m, line, strlen(line), err, sizeof err), MODEL_MSG_SNAPSHOT);
}

#define REC "{\"text\":\"a shift by root 3 s ago did not finish ...\",\"interrupted\":true," \
            "\"may_apply\":true,\"confirmed\":{\"blue\":90,\"green\":10}," \
            "\"file\":{\"blue\":80,\"green\":20}}"

static void test_reconcile_banner(void **state)
{
    (void)state;
    struct model *m = rolled_back(true);
    snapshot(m, 5000.0, REC);
    snapshot(m, 5001.0, REC);
    struct announce a;
    announce_latest(m, &a);
    assert_true(a.have && a.standing);
    assert_string_equal(a.title, "RECONCILE NEEDED");
    assert_true(a.time == 5000.0);   /* when it first showed: rung once */
    assert_non_null(strstr(a.text, "a move did not finish: nginx runs 90/10 as last confirmed, the "
                                   "upstream file holds 80/20. Nothing moves until `cutover "
                                   "reconcile --apply` (test and reload the file) or `cutover "
                                   "reconcile --restore` (put back 90/10)"));
    assert_non_null(strstr(a.line, "cutover reconcile --apply"));
    int rows = banner_rows(&a, 80);
    assert_true(rows <= BANNER_MAX_ROWS);
    struct grid *g = grid_new(80, rows);
    banner_draw(&a, g);
    char *s = text_of(g);
    join_rows(s);
    assert_non_null(strstr(s, "(put back 90/10) (Esc closes)"));
    free(s);
    grid_free(g);
    /* resolved: the next snapshot has none, and the auto-rollback is the
     * newest announcement again */
    snapshot(m, 5002.0, NULL);
    announce_latest(m, &a);
    assert_false(a.standing);
    assert_string_equal(a.title, "AUTO-ROLLBACK");
    model_free(m);
}

/* The server's "reconcile needed" line at start, in a replay: said until a
 * move went through after it. */
static void test_reconcile_event_until_resolved(void **state)
{
    (void)state;
    struct model *m = model_new();
    event(m, 1000.0, "cutover (server start)", "reconcile", W(80, 20), W(80, 20), "needed",
          "a shift did not finish");
    struct announce a;
    announce_latest(m, &a);
    assert_string_equal(a.title, "RECONCILE NEEDED");
    event(m, 1010.0, "root", "restore", W(80, 20), W(90, 10), "ok", "");
    announce_latest(m, &a);
    assert_false(a.have);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_announcement_whole),
        cmocka_unit_test(test_people_are_not_announced_alarms_are),
        cmocka_unit_test(test_marker_labelled_with_the_reason),
        cmocka_unit_test(test_banner_and_row_at_80x24),
        cmocka_unit_test(test_status_message_wraps),
        cmocka_unit_test(test_reconcile_banner),
        cmocka_unit_test(test_reconcile_event_until_resolved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

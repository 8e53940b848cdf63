/* test_report: a recorded cutover (two steps, a refused step forced with a
 * reason, a 5xx excess that trips and rolls back) as the report model,
 * Markdown and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "tests/unit/fixture.h"

#define T0 1795566841.0

struct fx {
    char *text;
    struct timeline t;
    struct report r;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char err[200];
    f->text = fixture_read("timeline_rollback.jsonl");
    assert_int_equal(timeline_parse(f->text, strlen(f->text), &f->t, err, sizeof err), 0);
    assert_int_equal(report_build(&f->t, &f->r, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    report_free(&f->r);
    timeline_free(&f->t);
    free(f->text);
    free(f);
    return 0;
}

static void test_steps_with_start_dwell_weights(void **state)
{
    const struct report *r = &((struct fx *)*state)->r;
    assert_int_equal(r->n_steps, 4);
    static const int blue[4] = {100, 90, 80, 100};
    static const char *const action[4] = {"baseline", "shift", "shift", "rollback"};
    static const double start[4] = {T0 - 2, T0 + 0.25, T0 + 5.6, T0 + 8.0};
    static const double dwell[4] = {2.25, 5.35, 2.4, 3.1};   /* the last runs to the end line */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r->step[i].weight[COLOR_BLUE], blue[i]);
        assert_int_equal(r->step[i].weight[COLOR_GREEN], 100 - blue[i]);
        assert_string_equal(r->step[i].action, action[i]);
        assert_true(fabs(r->step[i].start - start[i]) < 1e-6);
        assert_true(fabs(r->step[i].dwell_s - dwell[i]) < 1e-6);
    }
    assert_string_equal(r->step[1].user, "alice");
    assert_string_equal(r->step[3].user, "cutover-server");
}

static void test_signals_per_color_over_each_step(void **state)
{
    const struct report *r = &((struct fx *)*state)->r;
    const struct report_signals *b = &r->step[1].sig[COLOR_BLUE], *g = &r->step[1].sig[COLOR_GREEN];
    assert_int_equal(b->seconds, 4);
    assert_true(fabs(b->v[METRIC_CONNECTIONS].avg - 4.0) < 1e-9);   /* 3, 5, 3, 5 */
    assert_int_equal(b->v[METRIC_CONNECTIONS].max, 5);
    assert_true(b->v[METRIC_STATUS_5XX].ratio == 0);
    assert_true(fabs(g->v[METRIC_STATUS_5XX].ratio - 1.0 / 8) < 1e-9);
    assert_true(fabs(g->v[METRIC_TTFT].max - 132.5) < 1e-9);
    assert_true(fabs(g->v[METRIC_TTFT].last - 132.5) < 1e-9);
    /* the excess step: every green request failed */
    assert_true(fabs(r->step[2].sig[COLOR_GREEN].v[METRIC_STATUS_5XX].ratio - 1.0) < 1e-9);
    /* after the rollback green has no requests and no probes: unknown, not 0 */
    assert_true(r->step[3].sig[COLOR_GREEN].v[METRIC_STATUS_5XX].ratio < 0);
    assert_true(r->step[3].sig[COLOR_GREEN].v[METRIC_TTFT].last < 0);
    assert_int_equal(r->step[0].sig[COLOR_BLUE].seconds, 3);   /* 2 pre-roll + 1 live */
}

static void test_guard_changes_actions_and_total(void **state)
{
    const struct report *r = &((struct fx *)*state)->r;
    assert_int_equal(r->n_guards, 3);
    assert_string_equal(r->guard[0].name, "excess_5xx");
    assert_string_equal(r->guard[0].from, "ok");
    assert_string_equal(r->guard[0].to, "watching");
    assert_string_equal(r->guard[1].to, "tripped");
    assert_non_null(strstr(r->guard[1].text, "rolling back"));
    assert_string_equal(r->guard[2].to, "ok");
    assert_int_equal(r->n_actions, 6);
    assert_string_equal(r->action[0].ssh_client, "10.0.0.5 51234 22");
    assert_string_equal(r->action[1].outcome, "refused");
    assert_true(r->action[2].forced);
    assert_string_equal(r->action[2].reason, "hotfix | needs traffic");
    assert_false(r->action[3].forced);
    assert_string_equal(r->outcome, "rolled-back");
    assert_string_equal(r->result, "auto-rolled-back");
    assert_string_equal(r->result_why, "green 5xx excess for 180 s");
    assert_true(fabs(r->total_s - 7.75) < 1e-6);
    assert_int_equal(r->samples, 11);
    assert_int_equal(r->preroll_samples, 2);
}

static void test_markdown(void **state)
{
    char *md = report_markdown(&((struct fx *)*state)->r);
    /* what happened, and why (issue 14: was "**rolled-back**") */
    assert_non_null(strstr(md, "outcome: **auto-rolled back** (green 5xx excess for 180 s; at 100/0; "
                               "file closed "));
    assert_non_null(strstr(md, "total time: 8s"));   /* 7.75 s, to the second */
    /* free text cannot break the table: the reason's pipe is escaped */
    assert_non_null(strstr(md, "| forced: hotfix \\| needs traffic |"));
    assert_non_null(strstr(md, "| 1 | 00:34:01 | 5s | 90/10 | shift | alice | 4.0 / 5 | 0.00% (0/36) | 121.0 (max 121.0) | 1.0 / 1 | 12.50% (1/8) | 132.5 (max 132.5) |"));
    free(md);
}

static void test_json_keys(void **state)
{
    char *text = report_json(&((struct fx *)*state)->r);
    cJSON *o = cJSON_Parse(text);
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "outcome")->valuestring, "rolled-back");
    assert_string_equal(cJSON_GetObjectItem(o, "result")->valuestring, "auto-rolled-back");
    cJSON *steps = cJSON_GetObjectItem(o, "steps");
    assert_int_equal(cJSON_GetArraySize(steps), 4);
    cJSON *s1 = cJSON_GetArrayItem(steps, 1);
    cJSON *green = cJSON_GetObjectItem(cJSON_GetObjectItem(s1, "signals"), "green");
    assert_true(fabs(cJSON_GetObjectItem(green, "ratio_5xx")->valuedouble - 0.125) < 1e-9);
    cJSON *conn = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s1, "signals"), "blue"),
                                      "connections");
    assert_int_equal(cJSON_GetObjectItem(conn, "max")->valueint, 5);
    cJSON *s3 = cJSON_GetArrayItem(steps, 3);
    cJSON *g3 = cJSON_GetObjectItem(cJSON_GetObjectItem(s3, "signals"), "green");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(g3, "ratio_5xx")));
    cJSON *a2 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "actions"), 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a2, "forced")));
    assert_string_equal(cJSON_GetObjectItem(a2, "reason")->valuestring, "hotfix | needs traffic");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "guard_events")), 3);
    assert_true(fabs(cJSON_GetObjectItem(o, "total_s")->valuedouble - 7.75) < 1e-6);
    cJSON_Delete(o);
    free(text);
}


/* ---- the outcome of files without an end line ----------------------------- */

#define HEAD "{\"type\":\"timeline\",\"version\":1,\"id\":\"cutover-x\",\"started\":1000," \
             "\"stable\":\"blue\",\"candidate\":\"green\"}\n"
#define SAMPLE(at, b, g) "{\"type\":\"sample\",\"at\":" #at ",\"sec\":" #at ",\"weights\":" \
             "{\"blue\":" #b ",\"green\":" #g "}}\n"
#define EV(at, user, action, outcome, b0, g0, b1, g1, extra) \
    "{\"type\":\"event\",\"event\":{\"time\":" #at ",\"user\":\"" user "\",\"action\":\"" \
    action "\",\"outcome\":\"" outcome "\",\"candidate\":\"green\",\"before\":{\"blue\":" #b0 \
    ",\"green\":" #g0 "},\"after\":{\"blue\":" #b1 ",\"green\":" #g1 "}" extra "}}\n"

struct built {
    struct timeline t;
    struct report r;
    char *md;
};

static void build(const char *text, struct built *b)
{
    char err[200];
    assert_int_equal(timeline_parse(text, strlen(text), &b->t, err, sizeof err), 0);
    assert_int_equal(report_build(&b->t, &b->r, err, sizeof err), 0);
    b->md = report_markdown(&b->r);
    assert_non_null(b->md);
}

static void unbuild(struct built *b)
{
    free(b->md);
    report_free(&b->r);
    timeline_free(&b->t);
}

/* A rollback by hand, the file still in its post-roll: rolled back, not
 * "unfinished (at 100/0 ...)". */
static void test_rolled_back_before_the_end_line(void **state)
{
    (void)state;
    struct built b;
    build(HEAD SAMPLE(1000, 100, 0)
          EV(1001, "alice", "shift", "ok", 100, 0, 90, 10, "")
          SAMPLE(1002, 90, 10)
          EV(1003, "alice", "rollback", "ok", 90, 10, 100, 0, "")
          SAMPLE(1004, 100, 0), &b);
    assert_string_equal(b.r.result, "rolled-back");
    assert_string_equal(b.r.outcome, "unfinished");
    assert_non_null(strstr(b.md, "outcome: **rolled back** (at 100/0; the file closes once"));
    assert_null(strstr(b.md, "unfinished"));
    unbuild(&b);
}

static void test_auto_rolled_back_with_its_reason(void **state)
{
    (void)state;
    struct built b;
    build(HEAD SAMPLE(1000, 100, 0)
          EV(1001, "alice", "shift", "ok", 100, 0, 50, 50, "")
          EV(1200, "cutover (auto-rollback)", "auto-rollback", "started", 50, 50, 100, 0,
             ",\"error\":\"green 5xx 12.20% vs blue 0.00% for 180 s (+12.20 points, limit 0.5)\"")
          EV(1201, "cutover (auto-rollback)", "rollback", "ok", 50, 50, 100, 0, "")
          SAMPLE(1202, 100, 0), &b);
    assert_string_equal(b.r.result, "auto-rolled-back");
    assert_non_null(strstr(b.md, "outcome: **auto-rolled back** (green 5xx 12.20% vs blue 0.00% for "
                                 "180 s (+12.20 points, limit 0.5); at 100/0;"));
    unbuild(&b);
}

/* The last move's intent has no outcome: the move was killed. */
static void test_interrupted(void **state)
{
    (void)state;
    struct built b;
    build(HEAD SAMPLE(1000, 100, 0)
          EV(1001, "alice", "shift", "ok", 100, 0, 90, 10, "")
          SAMPLE(1002, 90, 10)
          EV(1003, "bob", "intent", "started", 90, 10, 80, 20,
             ",\"move\":\"shift\",\"move_id\":\"1003.000-42\"")
          SAMPLE(1004, 80, 20), &b);
    assert_string_equal(b.r.result, "interrupted");
    assert_non_null(strstr(b.md, "outcome: **interrupted** (a shift by bob (90/10 -> 80/20) has no "
                                 "outcome: it did not finish; see cutover reconcile; at 80/20;"));
    unbuild(&b);
    /* its outcome came: no longer interrupted */
    build(HEAD SAMPLE(1000, 100, 0)
          EV(1001, "alice", "shift", "ok", 100, 0, 90, 10, "")
          EV(1003, "bob", "intent", "started", 90, 10, 80, 20,
             ",\"move\":\"shift\",\"move_id\":\"1003.000-42\"")
          EV(1004, "bob", "shift", "ok", 90, 10, 80, 20, ",\"move_id\":\"1003.000-42\"")
          SAMPLE(1005, 80, 20), &b);
    assert_string_equal(b.r.result, "in-progress");
    assert_non_null(strstr(b.md, "outcome: **in progress** (at 80/20; the file is still open)"));
    unbuild(&b);
}

/* Moves from the journal after the last sample (a direct CLI while no
 * server ran) decide the weights and the total time. */
static void test_completed_by_moves_after_the_last_sample(void **state)
{
    (void)state;
    struct built b;
    build(HEAD SAMPLE(1000, 100, 0)
          EV(1000, "alice", "shift", "ok", 100, 0, 50, 50, "")
          SAMPLE(1001, 50, 50)
          "{\"type\":\"event\",\"event\":{\"time\":1100,\"user\":\"alice\",\"action\":"
          "\"shift\",\"outcome\":\"ok\",\"candidate\":\"green\",\"before\":{\"blue\":50,"
          "\"green\":50},\"after\":{\"blue\":0,\"green\":100}},\"from\":\"journal\"}\n", &b);
    assert_non_null(strstr(b.md, "| local (no server ran: from the journal) |"));
    assert_string_equal(b.r.result, "completed");
    assert_true(b.r.action[1].from_journal);
    assert_false(b.r.action[0].from_journal);
    assert_int_equal(b.r.final_weight[COLOR_GREEN], 100);
    assert_true(fabs(b.r.total_s - 100) < 1e-6);
    unbuild(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_steps_with_start_dwell_weights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signals_per_color_over_each_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guard_changes_actions_and_total, setup, teardown),
        cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_keys, setup, teardown),
        cmocka_unit_test(test_rolled_back_before_the_end_line),
        cmocka_unit_test(test_auto_rolled_back_with_its_reason),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_completed_by_moves_after_the_last_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

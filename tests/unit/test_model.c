/* test_model: the console's model from real server messages (fixtures
 * recorded from `cutover demo` + `attach --watch`, with a shift and a
 * rollback) and from synthetic ones for the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "view/model.h"

/* Applies every line of a fixture; returns how many were events. */
static int apply_fixture(struct model *m, const char *name)
{
    char *text = fixture_read(name), err[128];
    int events = 0;
    for (char *line = text, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
        nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len == 0)
            continue;
        enum model_msg k = model_apply_line(m, line, len, err, sizeof err);
        assert_int_not_equal(k, MODEL_MSG_ERROR);
        events += k == MODEL_MSG_EVENT;
    }
    free(text);
    return events;
}

static void test_hello(void **state)
{
    (void)state;
    struct model *m = model_new();
    apply_fixture(m, "hello.json");
    assert_true(m->hello.have);
    assert_int_equal(m->hello.server_pid, 18707);
    assert_int_equal(m->hello.client_id, 2);
    assert_true(m->hello.may_control);
    assert_string_equal(m->hello.state_dir, "/tmp/tuidemo/state");
    assert_false(m->have_snapshot);
    model_free(m);
}

static void test_snapshot_fields(void **state)
{
    (void)state;
    struct model *m = model_new();
    apply_fixture(m, "snapshot_steady.json");
    assert_true(m->have_snapshot);
    assert_true(m->weights_known);
    assert_int_equal(m->weight[COLOR_BLUE], 100);
    assert_int_equal(m->weight[COLOR_GREEN], 0);
    assert_int_equal(m->stable, COLOR_BLUE);
    assert_int_equal(m->candidate, COLOR_GREEN);
    assert_string_equal(m->phase, "Steady");
    assert_int_equal(m->old_workers_draining, -1);   /* not in this snapshot */
    assert_false(m->busy);
    assert_string_equal(m->control.state, "free");
    assert_string_equal(m->control.text, "nobody");
    assert_int_equal(m->clients, 1);
    assert_true(m->at > 1795566826.6 && m->at < 1795566826.7);
    const struct model_signal *b = &m->signal[COLOR_BLUE], *g = &m->signal[COLOR_GREEN];
    assert_true(b->value[METRIC_CONNECTIONS].has);
    assert_int_equal((int)b->value[METRIC_CONNECTIONS].v, 10);
    assert_int_equal((int)b->value[METRIC_REQUESTS].v, 171);
    assert_true(b->value[METRIC_TTFT].has);
    assert_true(b->value[METRIC_TTFT].p95 > 120.3 && b->value[METRIC_TTFT].p95 < 120.4);
    assert_true(b->value[METRIC_HEADER].has);
    assert_false(g->value[METRIC_HEADER].has);   /* null: green served nothing */
    assert_int_equal((int)g->value[METRIC_PROBES].v, 2);
    assert_true(m->have_guards);
    assert_int_equal(m->guard_count, 4);
    assert_string_equal(m->guard[0].name, "ttft");
    assert_string_equal(m->guard[0].level, "watching");
    assert_string_equal(m->guard[3].name, "drain");
    assert_string_equal(m->drain, "draining");
    assert_true(m->auto_rollback);
    assert_true(m->dwell_remaining_s > 0.3 && m->dwell_remaining_s < 0.4);
    model_free(m);
}

/* Every row of the fixture's series, read with plain cJSON, is in the
 * model for its second; the seconds around it are not. */
static void check_rows(const struct model *m, const char *fixture)
{
    char *text = fixture_read(fixture);
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    cJSON *series = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "snapshot"), "series");
    int checked = 0;
    for (int c = 0; c < COLOR_COUNT; c++) {
        cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItem(series, color_name((enum color)c))) {
            int64_t sec = (int64_t)cJSON_GetArrayItem(row, 0)->valuedouble;
            const struct model_point *p = model_point_at(m, (enum color)c, sec);
            assert_non_null(p);
            assert_true(p->v[METRIC_REQUESTS] == cJSON_GetArrayItem(row, 1)->valuedouble);
            assert_true(p->v[METRIC_CONNECTIONS] == cJSON_GetArrayItem(row, 3)->valuedouble);
            assert_true(p->v[METRIC_TTFT] == cJSON_GetArrayItem(row, 4)->valuedouble);
            assert_true(p->v[METRIC_PROBE_ERRORS] == cJSON_GetArrayItem(row, 7)->valuedouble);
            checked++;
        }
    }
    assert_true(checked > 10);
    cJSON_Delete(j);
    free(text);
}

static void test_series_from_real_snapshots(void **state)
{
    (void)state;
    struct model *m = model_new();
    apply_fixture(m, "snapshot_steady.json");
    check_rows(m, "snapshot_steady.json");
    int64_t last = model_newest_sec(m);
    assert_int_equal(last, 1795566825);
    /* The server had no rows before 1795566818: nothing invented there. */
    assert_null(model_point_at(m, COLOR_BLUE, 1795566817));
    assert_null(model_point_at(m, COLOR_BLUE, last + 1));
    /* A later snapshot overlaps and extends: its rows win, older kept. */
    apply_fixture(m, "snapshot_after_rollback.json");
    check_rows(m, "snapshot_after_rollback.json");
    assert_int_equal(model_newest_sec(m), 1795566851);
    model_free(m);
}

/* A synthetic snapshot carrying rows [from, to] of `requests`, with the
 * columns in a different order than the server's today. */
static void apply_rows(struct model *m, int64_t from, int64_t to, double requests)
{
    char buf[64 * 1024];
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "{\"snapshot\":{\"at\":%lld,\"series\":{\"fields\":"
                                "[\"requests\",\"sec\",\"connections\"],\"blue\":[",
                                (long long)to + 1);
    for (int64_t s = from; s <= to; s++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s[%g,%lld,3]", s == from ? "" : ",",
                              requests, (long long)s);
    snprintf(buf + n, sizeof buf - n, "],\"green\":[]}}}");
    char err[64];
    assert_int_equal(model_apply_line(m, buf, strlen(buf), err, sizeof err), MODEL_MSG_SNAPSHOT);
}

static void test_series_gaps_replace_and_wrap(void **state)
{
    (void)state;
    struct model *m = model_new();
    int64_t t = 1800000000;
    apply_rows(m, t, t + 4, 7);
    apply_rows(m, t + 10, t + 12, 9);       /* a reconnect: t+5..t+9 missing */
    for (int64_t s = t + 5; s < t + 10; s++)
        assert_null(model_point_at(m, COLOR_BLUE, s));
    assert_true(model_point_at(m, COLOR_BLUE, t + 4)->v[METRIC_REQUESTS] == 7);
    assert_true(model_point_at(m, COLOR_BLUE, t + 11)->v[METRIC_CONNECTIONS] == 3);
    assert_null(model_point_at(m, COLOR_GREEN, t + 11));
    apply_rows(m, t + 3, t + 4, 1);         /* revised rows replace */
    assert_true(model_point_at(m, COLOR_BLUE, t + 3)->v[METRIC_REQUESTS] == 1);
    assert_true(model_point_at(m, COLOR_BLUE, t + 2)->v[METRIC_REQUESTS] == 7);
    /* One hour later the slot of t is reused; t itself is gone. */
    apply_rows(m, t + MODEL_SERIES_S, t + MODEL_SERIES_S, 5);
    assert_null(model_point_at(m, COLOR_BLUE, t));
    assert_true(model_point_at(m, COLOR_BLUE, t + MODEL_SERIES_S)->v[METRIC_REQUESTS] == 5);
    assert_true(model_point_at(m, COLOR_BLUE, t + 4)->v[METRIC_REQUESTS] == 1);
    /* A row older than the hour is not merged over a newer slot. */
    apply_rows(m, t, t, 99);
    assert_true(model_point_at(m, COLOR_BLUE, t + MODEL_SERIES_S)->v[METRIC_REQUESTS] == 5);
    model_free(m);
}

static void test_markers_and_dedup(void **state)
{
    (void)state;
    struct model *m = model_new();
    int events = apply_fixture(m, "events_shift_rollback.jsonl");
    assert_int_equal(events, 8);
    assert_int_equal(model_event_count(m), 8);
    /* The snapshot repeats the same eight events: nothing doubles. */
    apply_fixture(m, "snapshot_after_rollback.json");
    assert_int_equal(model_event_count(m), 8);
    assert_int_equal(model_marker_count(m), 2);
    const struct model_marker *shift = model_marker_get(m, 0), *back = model_marker_get(m, 1);
    assert_string_equal(shift->action, "shift");
    assert_int_equal(shift->after[COLOR_BLUE], 90);
    assert_int_equal(shift->after[COLOR_GREEN], 10);
    assert_string_equal(shift->version, "9a7d3e2");
    assert_string_equal(back->action, "rollback");
    assert_int_equal(back->after[COLOR_BLUE], 100);
    assert_true(back->time > shift->time);
    /* Newest first, and the two events of one millisecond both kept. */
    for (int i = 1; i < model_event_count(m); i++)
        assert_true(model_event_get(m, i - 1)->time >= model_event_get(m, i)->time);
    assert_string_equal(model_event_get(m, 7)->action, "take-control");
    assert_true(model_event_get(m, 0)->time == model_event_get(m, 1)->time);
    assert_string_not_equal(model_event_get(m, 0)->action, model_event_get(m, 1)->action);
    model_free(m);
}

static void apply_event(struct model *m, double t, const char *action, const char *outcome)
{
    char line[512], err[64];
    snprintf(line, sizeof line,
             "{\"event\":{\"time\":%.3f,\"user\":\"op\",\"action\":\"%s\","
             "\"before\":{\"blue\":100,\"green\":0},\"after\":{\"blue\":50,\"green\":50},"
             "\"candidate\":\"green\",\"candidate_version\":\"0123456789abcdef\","
             "\"outcome\":\"%s\",\"error\":\"nginx: [emerg] bad\"}}",
             t, action, outcome);
    assert_int_equal(model_apply_line(m, line, strlen(line), err, sizeof err), MODEL_MSG_EVENT);
}

static void test_failed_moves_are_not_markers(void **state)
{
    (void)state;
    struct model *m = model_new();
    apply_event(m, 1000.5, "shift", "test-failed");
    apply_event(m, 1001.5, "rollback", "reload-failed");
    apply_event(m, 1002.5, "auto-rollback", "started");
    apply_event(m, 1003.5, "preflight", "ok");
    assert_int_equal(model_marker_count(m), 0);
    assert_int_equal(model_event_count(m), 4);
    assert_string_equal(model_event_get(m, 3)->error, "nginx: [emerg] bad");
    apply_event(m, 1004.5, "rollback", "ok");
    assert_int_equal(model_marker_count(m), 1);
    assert_string_equal(model_marker_get(m, 0)->version, "0123456789abcdef");
    /* a restore (cutover reconcile --restore) reloads nginx: a marker too */
    apply_event(m, 1005.5, "restore", "ok");
    assert_int_equal(model_marker_count(m), 2);
    assert_string_equal(model_marker_get(m, 1)->action, "restore");
    model_free(m);
}

static void test_bounds_and_order(void **state)
{
    (void)state;
    struct model *m = model_new();
    /* Out of order arrival still lists newest first. */
    for (int i = 0; i < 100; i++)
        apply_event(m, 2000.0 + ((i * 37) % 100), "shift", "ok");
    assert_int_equal(model_event_count(m), MODEL_EVENTS);
    assert_true(model_event_get(m, 0)->time == 2099.0);
    assert_true(model_event_get(m, MODEL_EVENTS - 1)->time == 2099.0 - (MODEL_EVENTS - 1));
    assert_int_equal(model_marker_count(m), MODEL_MARKERS);
    assert_true(model_marker_get(m, 0)->time == 2099.0 - (MODEL_MARKERS - 1));
    assert_true(model_marker_get(m, MODEL_MARKERS - 1)->time == 2099.0);
    /* An old event seen again (a snapshot's list) is not resurrected. */
    apply_event(m, 2000.0, "shift", "ok");
    assert_true(model_event_get(m, MODEL_EVENTS - 1)->time == 2099.0 - (MODEL_EVENTS - 1));
    assert_true(model_marker_get(m, 0)->time == 2099.0 - (MODEL_MARKERS - 1));
    assert_null(model_event_get(m, MODEL_EVENTS));
    assert_null(model_marker_get(m, -1));
    model_free(m);
}

static void test_age_and_bad_input(void **state)
{
    (void)state;
    struct model *m = model_new();
    char err[128];
    assert_true(model_stale(m, 0));     /* nothing yet is never live */
    const char *s = "{\"snapshot\":{\"at\":500.0}}";
    assert_int_equal(model_apply_line(m, s, strlen(s), err, sizeof err), MODEL_MSG_SNAPSHOT);
    assert_false(m->weights_known);
    assert_int_equal(m->stable, COLOR_NONE);
    assert_false(model_stale(m, 503.0));
    assert_true(model_stale(m, 503.5));
    assert_true(model_age(m, 510.0) == 10.0);
    assert_int_equal(model_apply_line(m, "nope", 4, err, sizeof err), MODEL_MSG_ERROR);
    assert_non_null(strstr(err, "not JSON"));
    assert_int_equal(model_apply_line(m, "[1]", 3, err, sizeof err), MODEL_MSG_ERROR);
    const char *reply = "{\"reply\":{\"id\":1,\"ok\":true}}";
    assert_int_equal(model_apply_line(m, reply, strlen(reply), err, sizeof err), MODEL_MSG_OTHER);
    /* Mistyped fields fall back, never crash. */
    const char *odd = "{\"snapshot\":{\"at\":\"x\",\"weights\":7,\"series\":{\"fields\":3,"
                      "\"blue\":[[\"a\"],5,[1,2]]},\"events\":[3,{\"time\":\"x\"}],\"guards\":[]}}";
    assert_int_equal(model_apply_line(m, odd, strlen(odd), err, sizeof err), MODEL_MSG_SNAPSHOT);
    assert_int_equal(model_newest_sec(m), 0);
    assert_int_equal(model_event_count(m), 1);
    model_free(m);
}

/* The failures list comes newest first as the server sends it; a newer
 * snapshot replaces it, a snapshot without it empties it, and more than
 * MODEL_FAILURES are cut. */
static void test_failures(void **state)
{
    (void)state;
    struct model *m = model_new();
    char err[128];
    const char *s = "{\"snapshot\":{\"at\":100,\"failures\":["
                    "{\"time\":99.5,\"color\":\"green\",\"kind\":\"5xx\",\"status\":500,"
                    "\"path\":\"/v1/chat/completions\",\"rid\":\"abc123\",\"detail\":\"\"},"
                    "{\"time\":98,\"color\":\"blue\",\"kind\":\"probe\",\"status\":0,"
                    "\"path\":\"/v1/chat/completions\",\"rid\":\"\",\"detail\":\"timeout: no answer\"},"
                    "{\"time\":97,\"color\":\"green\",\"kind\":\"stream\",\"status\":200,"
                    "\"run\":\"\",\"detail\":\"in-stream failure (gateway log: WARN x)\"},"
                    "{\"time\":96,\"color\":\"green\",\"kind\":\"probe\",\"status\":200,"
                    "\"run\":\"chatcmpl_9f2c\",\"detail\":\"stream error: x\"}]}}";
    assert_int_equal(model_apply_line(m, s, strlen(s), err, sizeof err), MODEL_MSG_SNAPSHOT);
    assert_int_equal(m->failure_count, 4);
    assert_string_equal(m->failure[2].kind, "stream");
    assert_string_equal(m->failure[3].run, "chatcmpl_9f2c");
    assert_string_equal(m->failure[0].run, "");
    assert_true(m->failure[0].time == 99.5);
    assert_int_equal(m->failure[0].color, COLOR_GREEN);
    assert_string_equal(m->failure[0].kind, "5xx");
    assert_int_equal(m->failure[0].status, 500);
    assert_string_equal(m->failure[0].rid, "abc123");
    assert_string_equal(m->failure[0].path, "/v1/chat/completions");
    assert_int_equal(m->failure[1].color, COLOR_BLUE);
    assert_string_equal(m->failure[1].detail, "timeout: no answer");
    char big[8192] = "{\"snapshot\":{\"at\":101,\"failures\":[";
    for (int i = 0; i < MODEL_FAILURES + 5; i++) {
        char one[128];
        snprintf(one, sizeof one, "%s{\"time\":%d,\"color\":\"blue\",\"kind\":\"5xx\",\"rid\":\"r%d\"}",
                 i ? "," : "", 200 - i, i);
        strcat(big, one);
    }
    strcat(big, "]}}");
    assert_int_equal(model_apply_line(m, big, strlen(big), err, sizeof err), MODEL_MSG_SNAPSHOT);
    assert_int_equal(m->failure_count, MODEL_FAILURES);
    assert_string_equal(m->failure[0].rid, "r0");
    assert_string_equal(m->failure[MODEL_FAILURES - 1].rid, "r19");
    const char *none = "{\"snapshot\":{\"at\":102}}";
    model_apply_line(m, none, strlen(none), err, sizeof err);
    assert_int_equal(m->failure_count, 0);
    model_free(m);
}

/* A snapshot or timeline from before the failure row (issue 12): its
 * failures are its 5xx, in the signals and in the rows, so an old
 * recording still plots them on the failures strip. */
/* A row is found again by what it is after a newer failure pushed it down,
 * and not at all once it has left the list. */
static void test_failure_found_after_it_moved(void **state)
{
    (void)state;
    struct model *m = model_new();
    char err[128];
    const char *one = "{\"snapshot\":{\"at\":100,\"failures\":["
                      "{\"time\":97,\"color\":\"green\",\"kind\":\"stream\",\"status\":200},"
                      "{\"time\":96,\"color\":\"green\",\"kind\":\"probe\",\"status\":200,"
                      "\"run\":\"chatcmpl_9f2c\"}]}}";
    assert_int_equal(model_apply_line(m, one, strlen(one), err, sizeof err), MODEL_MSG_SNAPSHOT);
    struct model_failure stream = m->failure[0], probe = m->failure[1];
    assert_int_equal(model_failure_find(m, &stream), 0);
    const char *two = "{\"snapshot\":{\"at\":101,\"failures\":["
                      "{\"time\":97,\"color\":\"green\",\"kind\":\"probe\",\"status\":200,"
                      "\"run\":\"chatcmpl_77aa\"},"
                      "{\"time\":97,\"color\":\"green\",\"kind\":\"stream\",\"status\":200}]}}";
    assert_int_equal(model_apply_line(m, two, strlen(two), err, sizeof err), MODEL_MSG_SNAPSHOT);
    /* same time, other kind and run: only the stream row is the stream row */
    assert_int_equal(model_failure_find(m, &stream), 1);
    assert_int_equal(model_failure_find(m, &probe), -1);
    model_free(m);
}

static void test_failures_of_an_older_server(void **state)
{
    (void)state;
    struct model *m = model_new();
    char err[128];
    const char *s = "{\"snapshot\":{\"at\":1000.5,\"signals\":{\"green\":{\"requests\":100,"
                    "\"status_5xx\":3,\"ratio_5xx\":0.03}},\"series\":{\"fields\":[\"sec\","
                    "\"requests\",\"status_5xx\",\"connections\",\"win_ttft_p95_ms\","
                    "\"win_header_p95_ms\",\"probes\",\"probe_errors\"],"
                    "\"green\":[[999,100,3,2,120,1,1,0]]}}}";
    assert_int_equal(model_apply_line(m, s, strlen(s), err, sizeof err), MODEL_MSG_SNAPSHOT);
    const struct model_value *v = &m->signal[COLOR_GREEN].value[METRIC_FAILURES];
    assert_true(v->has);
    assert_true(v->v == 3 && v->ratio == 0.03);
    const struct model_point *p = model_point_at(m, COLOR_GREEN, 999);
    assert_non_null(p);
    assert_true(p->v[METRIC_FAILURES] == 3);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_failure_found_after_it_moved),
        cmocka_unit_test(test_snapshot_fields),
        cmocka_unit_test(test_series_from_real_snapshots),
        cmocka_unit_test(test_series_gaps_replace_and_wrap),
        cmocka_unit_test(test_markers_and_dedup),
        cmocka_unit_test(test_failed_moves_are_not_markers),
        cmocka_unit_test(test_bounds_and_order),
        cmocka_unit_test(test_age_and_bad_input),
        cmocka_unit_test(test_failures_of_an_older_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

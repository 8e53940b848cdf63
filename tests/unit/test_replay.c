/* replay: a timeline becomes the messages a live server would have sent,
 * in time order, so the console's model ends where the operator's did. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/color.h"
#include "view/model.h"
#include "tui/replay.h"

#define ROW(sec, req) "[" #sec "," #req ",0,3,120.5,1.0,1,0]"
#define SAMPLE(at, sec, b, g, phase)                                                            \
    "{\"type\":\"sample\",\"at\":" #at ",\"sec\":" #sec ",\"weights\":{\"blue\":" #b             \
    ",\"green\":" #g "},\"stable\":\"blue\",\"candidate\":\"green\",\"phase\":\"" phase "\","   \
    "\"busy\":null,\"old_workers_draining\":0,\"row\":{\"fields\":[\"sec\",\"requests\","       \
    "\"status_5xx\",\"connections\",\"win_ttft_p95_ms\",\"win_header_p95_ms\",\"probes\","      \
    "\"probe_errors\"],\"blue\":" ROW(sec, 20) ",\"green\":" ROW(sec, 2) "}}\n"
#define EVENT(t, action, bb, bg, ab, ag)                                                        \
    "{\"type\":\"event\",\"event\":{\"time\":" #t ",\"user\":\"alice\",\"ssh_client\":null,"    \
    "\"action\":\"" action "\",\"before\":{\"blue\":" #bb ",\"green\":" #bg "},\"after\":"     \
    "{\"blue\":" #ab ",\"green\":" #ag "},\"candidate\":\"green\",\"candidate_version\":"       \
    "\"9a7d3e2\",\"outcome\":\"ok\"}}\n"

static const char timeline[] =
    "{\"type\":\"timeline\",\"version\":1,\"id\":\"cutover-20261125T020000Z\",\"host\":\"mini-3\","
    "\"started\":1000.5,\"stable\":\"blue\",\"candidate\":\"green\",\"rules\":{\"step\":10}}\n"
    SAMPLE(1000.6, 1000, 100, 0, "Steady")
    EVENT(1001.2, "shift", 100, 0, 90, 10)
    SAMPLE(1001.6, 1001, 90, 10, "Canary")
    SAMPLE(1002.6, 1002, 90, 10, "Canary")
    EVENT(1002.6, "rollback", 90, 10, 100, 0)
    SAMPLE(1003.6, 1003, 100, 0, "Steady")
    "{\"type\":\"end\",\"at\":1004.0,\"outcome\":\"rolled-back\",\"weights\":{\"blue\":100,\"green\":0}}\n"
    "{\"type\":\"sample\",\"at\":10";   /* torn by a kill */

struct sink {
    struct model *m;
    int snapshots, events;
    char kinds[32];             /* 's' or 'e' per message, in order */
};

static void collect(const char *line, size_t len, void *data)
{
    struct sink *s = data;
    char err[200];
    enum model_msg k = model_apply_line(s->m, line, len, err, sizeof err);
    assert_true(k == MODEL_MSG_SNAPSHOT || k == MODEL_MSG_EVENT);
    size_t n = strlen(s->kinds);
    if (n + 1 < sizeof s->kinds)
        s->kinds[n] = k == MODEL_MSG_SNAPSHOT ? 's' : 'e';
    if (k == MODEL_MSG_SNAPSHOT)
        s->snapshots++;
    else
        s->events++;
}

static struct replay *open_fixture(void)
{
    struct replay *r;
    char err[200];
    assert_int_equal(replay_open(timeline, strlen(timeline), "x", &r, err, sizeof err), 0);
    return r;
}

static void test_bounds_and_names(void **state)
{
    (void)state;
    struct replay *r = open_fixture();
    assert_string_equal(replay_name(r), "cutover-20261125T020000Z");
    assert_string_equal(replay_host(r), "mini-3");
    assert_true(replay_start(r) == 1000.6);
    assert_true(replay_end(r) == 1004.0);
    assert_int_equal(replay_malformed(r), 1);   /* the torn line, counted */
    assert_false(replay_done(r));
    replay_free(r);
}

static void test_order_and_model(void **state)
{
    (void)state;
    struct replay *r = open_fixture();
    struct sink s = {.m = model_new()};
    /* Up to the first sample only. */
    assert_int_equal(replay_advance(r, replay_start(r), collect, &s), 1);
    assert_int_equal(s.m->weight[COLOR_BLUE], 100);
    assert_string_equal(s.m->phase, "Steady");
    assert_true(replay_next_event(r) == 1001.2);
    /* Through the shift: the event comes before the sample that shows it. */
    assert_int_equal(replay_advance(r, 1001.7, collect, &s), 2);
    assert_string_equal(s.kinds, "ses");
    assert_int_equal(s.m->weight[COLOR_GREEN], 10);
    assert_string_equal(s.m->phase, "Canary");
    assert_int_equal(model_event_count(s.m), 1);
    assert_string_equal(model_event_get(s.m, 0)->action, "shift");
    /* The rows become the model's own history, second by second. */
    const struct model_point *p = model_point_at(s.m, COLOR_BLUE, 1001);
    assert_non_null(p);
    assert_null(model_point_at(s.m, COLOR_BLUE, 1002));
    /* Same moment: the rollback event, then the sample. Past the end: clamped. */
    assert_int_equal(replay_advance(r, 5000, collect, &s), 3);
    assert_string_equal(s.kinds, "sesess");
    assert_true(replay_done(r));
    assert_true(replay_now(r) == 1004.0);
    assert_true(replay_next_event(r) < 0);
    assert_int_equal(s.m->weight[COLOR_BLUE], 100);
    assert_string_equal(model_event_get(s.m, 0)->action, "rollback");
    /* The replayed snapshots are not stale at the replay's own clock. */
    assert_false(model_stale(s.m, replay_now(r)));
    assert_int_equal(replay_advance(r, 6000, collect, &s), 0);
    model_free(s.m);
    replay_free(r);
}

static void test_nothing_to_play(void **state)
{
    (void)state;
    struct replay *r;
    char err[200];
    const char *only_header = "{\"type\":\"timeline\",\"version\":1}\n";
    assert_int_equal(replay_open(only_header, strlen(only_header), "x", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "nothing") ? err : strstr(err, "no samples"));
    assert_int_equal(replay_open("garbage\n", 8, "x", &r, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_and_names),
        cmocka_unit_test(test_order_and_model),
        cmocka_unit_test(test_nothing_to_play),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* metric: the signal table is consistent (every row readable by every
 * consumer that iterates it) and writes the wire formats that predate it
 * byte for byte: the series row schema and the per-color status object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/metric.h"
#include "core/metric_json.h"
#include "core/window.h"

static void assert_json(cJSON *o, const char *want)
{
    char *got = cJSON_PrintUnformatted(o);
    assert_string_equal(got, want);
    free(got);
    cJSON_Delete(o);
}

static void test_row_schema_is_the_documented_one(void **state)
{
    (void)state;
    assert_json(metric_json_row_fields(),
                "[\"sec\",\"requests\",\"status_5xx\",\"connections\",\"win_ttft_p95_ms\","
                "\"win_header_p95_ms\",\"probes\",\"probe_errors\",\"gw_failures\",\"failures\"]");
}

static void test_rows_are_consistent(void **state)
{
    (void)state;
    int seen[METRIC_ROW_COLS] = {0};
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *m = &metric_table[i];
        assert_non_null(m->status_key);
        assert_non_null(m->row_key);
        assert_true(m->row_col >= 1 && m->row_col < METRIC_ROW_COLS);
        seen[m->row_col]++;
        if (m->kind == METRIC_SUM)
            assert_true(m->history_bits >= 1 && m->history_bits <= 32);
        if (m->ratio_key)
            assert_int_equal(metric_table[m->ratio_of].kind, METRIC_SUM);
        if (m->draw == METRIC_DRAW_RATIO)
            assert_non_null(m->ratio_key);
        if (m->draw != METRIC_DRAW_NONE) {
            assert_non_null(m->chart_title);
            assert_non_null(m->chart_tag);
            assert_true(strlen(m->chart_tag) <= 5);   /* fits the chart's gutter */
            assert_true(m->chart_min_max > 0);
        }
        if (m->kind == METRIC_LATENCY && m->prom_name) {
            assert_int_equal(metric_table[m->samples_of].kind, METRIC_SUM);
            assert_int_equal(metric_table[m->failures_of].kind, METRIC_SUM);
        }
        if (m->prom_name)
            assert_non_null(m->prom_help);
        if (m->report_title)
            assert_non_null(m->report_key);
    }
    for (int c = 1; c < METRIC_ROW_COLS; c++)
        assert_int_equal(seen[c], 1);
    /* each drawn signal has its own strip place; a part is a SUM */
    int strips[METRIC_COUNT + 1] = {0};
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *m = &metric_table[i];
        if (m->draw != METRIC_DRAW_NONE) {
            assert_true(m->chart_strip >= 1 && m->chart_strip <= METRIC_COUNT);
            assert_int_equal(strips[m->chart_strip]++, 0);
        }
        for (int k = 0; k < m->n_parts; k++)
            assert_int_equal(metric_table[m->parts[k]].kind, METRIC_SUM);
    }
}

/* The status object's keys and their order, as `cutover status --json`
 * and every snapshot have always written them; issue 12's failure rows
 * come after them. */
static void test_status_object_bytes(void **state)
{
    (void)state;
    struct window_stats st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < METRIC_COUNT; i++)
        st.v[i].level = -1;
    st.v[METRIC_REQUESTS].sum = 8;
    st.v[METRIC_STATUS_5XX].sum = 2;
    st.v[METRIC_TTFT] = (struct window_value){.count = 3, .p50_us = 100000, .p95_us = 120500,
                                              .p99_us = 130000};
    st.v[METRIC_PROBES].sum = 4;
    st.v[METRIC_PROBE_ERRORS].sum = 1;
    st.v[METRIC_GW_FAILURES].sum = 1;
    st.v[METRIC_FAILURES].sum = 3;
    cJSON *o = cJSON_CreateObject();
    metric_json_status(o, &st);
    assert_json(o, "{\"connections\":null,\"requests\":8,\"status_5xx\":2,\"ratio_5xx\":0.25,"
                   "\"header_ms\":null,\"ttft_ms\":{\"p50\":100,\"p95\":120.5,\"p99\":130},"
                   "\"probes\":4,\"probe_errors\":1,\"gw_failures\":1,\"ratio_gw_failures\":0.125,"
                   "\"failures\":3,\"ratio_failures\":0.375}");
    st.v[METRIC_CONNECTIONS].level = 7;
    st.v[METRIC_REQUESTS].sum = 0;
    o = cJSON_CreateObject();
    metric_json_status(o, &st);
    assert_json(o, "{\"connections\":7,\"requests\":0,\"status_5xx\":2,\"ratio_5xx\":0,"
                   "\"header_ms\":null,\"ttft_ms\":{\"p50\":100,\"p95\":120.5,\"p99\":130},"
                   "\"probes\":4,\"probe_errors\":1,\"gw_failures\":1,\"ratio_gw_failures\":0,"
                   "\"failures\":3,\"ratio_failures\":0}");
}

/* A row reads back from a closed second: counts, the gauge, latencies in ms. */
static void test_row_from_a_second(void **state)
{
    (void)state;
    struct window_second s;
    memset(&s, 0, sizeof s);
    s.sec = 1764000000;
    s.v[METRIC_REQUESTS] = 10;
    s.v[METRIC_STATUS_5XX] = 1;
    s.v[METRIC_CONNECTIONS] = -1;
    s.v[METRIC_TTFT] = 120500;
    s.v[METRIC_HEADER] = 2000;
    s.v[METRIC_PROBES] = 1;
    s.v[METRIC_FAILURES] = 1;
    assert_json(metric_json_row(&s), "[1764000000,10,1,-1,120.5,2,1,0,0,1]");
    int col[METRIC_COUNT], sec_col;
    cJSON *f = cJSON_Parse("[\"probes\",\"sec\",\"win_ttft_p95_ms\",\"new_one\"]");
    metric_json_row_columns(f, col, &sec_col);
    cJSON_Delete(f);
    assert_int_equal(sec_col, 1);
    assert_int_equal(col[METRIC_PROBES], 0);
    assert_int_equal(col[METRIC_TTFT], 2);
    assert_int_equal(col[METRIC_REQUESTS], -1);
}

/* A window whose gateway log counted more failures than nginx logged
 * requests (the two logs read a second apart at its edge): all of them
 * failed, a ratio of 1, never 3. */
static void test_ratio_never_over_one(void **state)
{
    (void)state;
    struct window_stats w;
    double r = -1;
    memset(&w, 0, sizeof w);
    w.v[METRIC_REQUESTS].sum = 1;
    w.v[METRIC_FAILURES].sum = 3;
    assert_true(metric_stats_ratio(METRIC_FAILURES, &w, &r));
    assert_true(r == 1.0);
    w.v[METRIC_REQUESTS].sum = 4;
    assert_true(metric_stats_ratio(METRIC_FAILURES, &w, &r));
    assert_true(r == 0.75);
    w.v[METRIC_REQUESTS].sum = 0;
    assert_false(metric_stats_ratio(METRIC_FAILURES, &w, &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_schema_is_the_documented_one),
        cmocka_unit_test(test_rows_are_consistent),
        cmocka_unit_test(test_status_object_bytes),
        cmocka_unit_test(test_row_from_a_second),
        cmocka_unit_test(test_ratio_never_over_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

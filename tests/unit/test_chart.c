/* test_chart: the chart drawn into grids from models fed server-shaped
 * snapshots; assertions on glyph positions and roles. */
#define _POSIX_C_SOURCE 200809L /* strndup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/chart.h"

#define NOW 1800000000.5
#define NOW_SEC 1800000000

struct rowvals {
    double requests, status_5xx, connections, ttft;
    double gw_failures;            /* in-stream failures from the gateway's log */
};

/* A snapshot at NOW with rows for seconds [from, to] (both colors), the
 * server's field order, and current signals matching the last row. */
static void feed(struct model *m, int64_t from, int64_t to, struct rowvals v[COLOR_COUNT])
{
    cJSON *o = cJSON_CreateObject(), *s = cJSON_AddObjectToObject(o, "snapshot");
    cJSON_AddNumberToObject(s, "at", NOW - 0.5);
    cJSON *sig = cJSON_AddObjectToObject(s, "signals");
    cJSON *series = cJSON_AddObjectToObject(s, "series");
    static const char *const fields[] = {"sec", "requests", "status_5xx", "connections",
                                         "win_ttft_p95_ms", "win_header_p95_ms", "probes",
                                         "probe_errors", "gw_failures", "failures"};
    cJSON_AddItemToObject(series, "fields", cJSON_CreateStringArray(fields, 10));
    for (int c = 0; c < COLOR_COUNT; c++) {
        cJSON *cs = cJSON_AddObjectToObject(sig, color_name((enum color)c));
        cJSON_AddNumberToObject(cs, "connections", v[c].connections);
        cJSON_AddNumberToObject(cs, "requests", v[c].requests);
        cJSON_AddNumberToObject(cs, "ratio_5xx", v[c].requests ? v[c].status_5xx / v[c].requests : 0);
        /* the failure row counts the 5xx (no gateway log here) */
        cJSON_AddNumberToObject(cs, "ratio_failures",
                                v[c].requests ? v[c].status_5xx / v[c].requests : 0);
        cJSON *t = cJSON_AddObjectToObject(cs, "ttft_ms");
        cJSON_AddNumberToObject(t, "p95", v[c].ttft);
        cJSON *arr = cJSON_AddArrayToObject(series, color_name((enum color)c));
        for (int64_t sec = from; sec <= to; sec++) {
            double row[10] = {(double)sec, v[c].requests, v[c].status_5xx, v[c].connections,
                              v[c].ttft, 1, 1, 0, v[c].gw_failures,
                              v[c].status_5xx + v[c].gw_failures};
            cJSON_AddItemToArray(arr, cJSON_CreateDoubleArray(row, 10));
        }
    }
    assert_int_equal(model_apply(m, o), MODEL_MSG_SNAPSHOT);
    cJSON_Delete(o);
}

static void add_marker(struct model *m, double t, int blue, int green, const char *version)
{
    char line[512], err[64];
    snprintf(line, sizeof line,
             "{\"event\":{\"time\":%.3f,\"action\":\"shift\",\"after\":{\"blue\":%d,\"green\":%d},"
             "\"candidate_version\":\"%s\",\"outcome\":\"ok\"}}", t, blue, green, version);
    assert_int_equal(model_apply_line(m, line, strlen(line), err, sizeof err), MODEL_MSG_EVENT);
}

/* blue 10 connections, green 5; 2 % of blue's requests fail; TTFT 250/100. */
static struct model *steady_model(void)
{
    struct model *m = model_new();
    struct rowvals v[COLOR_COUNT] = {{100, 2, 10, 250, 0}, {50, 0, 5, 100, 0}};
    feed(m, NOW_SEC - 300, NOW_SEC - 1, v);
    return m;
}

static const struct grid_cell *at(const struct grid *g, int x, int y)
{
    const struct grid_cell *c = grid_cell(g, x, y);
    assert_non_null(c);
    return c;
}

/* At 80x20 the layout is: row 0 marker labels; connections legend row 1,
 * plot rows 2-6; failures (5xx + in-stream) legend 7, plot 8-12; TTFT legend 13, plot 14-18;
 * axis row 19. The plot starts at column 6. */
static void test_flat_lines_at_their_rows(void **state)
{
    (void)state;
    struct model *m = steady_model();
    struct grid *g = grid_new(80, 20);
    struct chart_opts o = {.span_s = CHART_SPAN_5M, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    for (int x = CHART_GUTTER; x < 80; x++) {
        /* blue 10 is the scale max (10): the top dots of the top row. */
        assert_string_equal(at(g, x, 2)->glyph, "⠉");
        assert_int_equal(at(g, x, 2)->role, ROLE_BLUE);
        /* green 5 of 10: level round(0.5 * 19) = 10 of 0..19, so row 4
         * (levels 8-11), third dot row from the bottom. */
        assert_string_equal(at(g, x, 4)->glyph, "⠒");
        assert_int_equal(at(g, x, 4)->role, ROLE_GREEN);
        assert_string_equal(at(g, x, 3)->glyph, " ");
        /* 5xx: blue 2 % is the scale max; green 0 % sits on the bottom. */
        assert_int_equal(at(g, x, 8)->role, ROLE_BLUE);
        assert_string_equal(at(g, x, 12)->glyph, "⣀");
        assert_int_equal(at(g, x, 12)->role, ROLE_GREEN);
        /* The axis: line, or its time labels. */
        assert_true(at(g, x, 19)->role == ROLE_AXIS || at(g, x, 19)->role == ROLE_DIM);
    }
    char *text = grid_dump(g);
    assert_non_null(strstr(text, "connections  blue 10  green 5"));
    assert_non_null(strstr(text, "failures % (5xx + in-stream)  blue 2.00%  green 0.00%"));
    assert_non_null(strstr(text, "TTFT p95  blue 250 ms  green 100 ms"));
    assert_non_null(strstr(text, "   10│"));      /* the connections scale */
    assert_non_null(strstr(text, "   2%│"));
    assert_non_null(strstr(text, "500ms│"));
    assert_non_null(strstr(text, "-5m"));
    assert_non_null(strstr(text, "now"));
    free(text);
    /* The TTFT lines: blue above green, each on a single row. */
    int blue_row = -1, green_row = -1;
    for (int y = 14; y <= 18; y++) {
        if (at(g, 40, y)->role == ROLE_BLUE)
            blue_row = y;
        if (at(g, 40, y)->role == ROLE_GREEN)
            green_row = y;
    }
    assert_true(blue_row >= 14 && green_row > blue_row);
    grid_free(g);
    model_free(m);
}

/* Green's gateway logs 3 in-stream failures a second while nginx logs 1
 * request (the two logs a second apart at a low rate): the failures strip
 * tops out at 100 %, all of them failed, never at 300 %. */
static void test_failure_ratio_never_over_100(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct rowvals v[COLOR_COUNT] = {{100, 0, 10, 250, 0}, {1, 0, 5, 100, 3}};
    feed(m, NOW_SEC - 300, NOW_SEC - 1, v);
    struct grid *g = grid_new(80, 20);
    struct chart_opts o = {.span_s = CHART_SPAN_5M, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    char *text = grid_dump(g);
    assert_non_null(strstr(text, " 100%│"));
    assert_null(strstr(text, "300%"));
    assert_null(strstr(text, "500%"));
    /* green's line is at the top of the strip: all its requests failed */
    assert_int_equal(at(g, 40, 8)->role, ROLE_GREEN);
    free(text);
    grid_free(g);
    model_free(m);
}

static int cells_with_role(const struct grid *g, enum grid_role r, int x0, int x1);

static void test_overlap_is_both(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct rowvals v[COLOR_COUNT] = {{10, 0, 4, 200, 0}, {10, 0, 4, 200, 0}};
    feed(m, NOW_SEC - 300, NOW_SEC - 1, v);
    struct grid *g = grid_new(60, 20);
    struct chart_opts o = {.span_s = 300, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    /* Equal values share one row of cells in the connections strip. */
    int both_rows = 0;
    for (int y = 2; y <= 6; y++)
        both_rows += at(g, 30, y)->role == ROLE_BOTH;
    assert_int_equal(both_rows, 1);
    /* No plotted cell claims one color alone. */
    assert_int_equal(cells_with_role(g, ROLE_BLUE, 0, 60), 0);
    assert_int_equal(cells_with_role(g, ROLE_GREEN, 0, 60), 0);
    assert_true(cells_with_role(g, ROLE_BOTH, 0, 60) >= 3 * 54);
    grid_free(g);
    model_free(m);
}

static void test_marker_in_its_column(void **state)
{
    (void)state;
    struct model *m = steady_model();
    double t = NOW_SEC - 151 + 0.25;
    add_marker(m, t, 90, 10, "9a7d3e2f00");
    struct grid *g = grid_new(80, 20);
    struct chart_opts o = {.span_s = 300, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    /* 74 columns over 300 s: second 149 of the window is column 149*74/300. */
    int col = chart_column_of(NOW_SEC - 151, NOW_SEC, 300, 74);
    assert_int_equal(col, 36);
    int x = CHART_GUTTER + col;
    assert_string_equal(at(g, x, 19)->glyph, "┴");
    assert_int_equal(at(g, x, 19)->role, ROLE_MARKER);
    /* The line runs through all three strips where no data covers it. */
    int marks[3] = {0, 0, 0};
    for (int y = 1; y < 19; y++)
        if (strcmp(at(g, x, y)->glyph, "│") == 0 && at(g, x, y)->role == ROLE_MARKER)
            marks[y < 7 ? 0 : y < 13 ? 1 : 2]++;
    assert_true(marks[0] > 0 && marks[1] > 0 && marks[2] > 0);
    assert_string_not_equal(at(g, x - 1, 3)->glyph, "│");
    /* The label starts at the marker: weights after and 7 chars of SHA. */
    char *text = grid_dump(g);
    char *row0 = strndup(text, strcspn(text, "\n"));
    char *label = strstr(row0, "90/10 9a7d3e2 ");
    assert_non_null(label);
    assert_int_equal(label - row0, x);
    free(row0);
    free(text);
    /* The same marker in a 1 h span moves right toward "now". */
    o.span_s = 3600;
    chart_draw(m, g, &o);
    int col1h = chart_column_of(NOW_SEC - 151, NOW_SEC, 3600, 74);
    assert_true(col1h > col && col1h >= 70);
    assert_string_equal(at(g, CHART_GUTTER + col1h, 19)->glyph, "┴");
    grid_free(g);
    model_free(m);
}

/* A reload this very second stands under "now": the label steps left of it
 * instead of being cut in half ("no┴"). */
static void test_fresh_marker_and_now_label(void **state)
{
    (void)state;
    struct model *m = steady_model();
    add_marker(m, NOW_SEC - 1 + 0.5, 90, 10, "9a7d3e2f00");
    struct grid *g = grid_new(80, 20);
    struct chart_opts o = {.span_s = 300, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    char *text = grid_dump(g);
    /* the dump's last line is the axis row */
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '\n')
        text[--n] = '\0';
    char *axis = strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text;
    assert_non_null(strstr(axis, "now┴"));
    assert_null(strstr(axis, "no┴"));
    free(text);
    grid_free(g);
    model_free(m);
}

/* Plotted cells only (braille dots), not the legend's colored text. */
static int cells_with_role(const struct grid *g, enum grid_role r, int x0, int x1)
{
    int n = 0;
    for (int y = 0; y < grid_height(g); y++)
        for (int x = x0; x < x1; x++) {
            const struct grid_cell *c = at(g, x, y);
            n += c->role == r && (unsigned char)c->glyph[0] == 0xE2 &&
                 ((unsigned char)c->glyph[1] & 0xFC) == 0xA0;
        }
    return n;
}

/* Data between 10 and 20 minutes ago: invisible in 5 min, in the left part
 * of 15 min, in the right part of 1 h. */
static void test_spans_pick_the_window(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct rowvals v[COLOR_COUNT] = {{10, 0, 7, 300, 0}, {0, 0, -1, 0, 0}};
    feed(m, NOW_SEC - 1200, NOW_SEC - 600, v);
    struct grid *g = grid_new(66, 16);
    struct chart_opts o = {.span_s = 300, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    assert_int_equal(cells_with_role(g, ROLE_BLUE, CHART_GUTTER, 66), 0);
    assert_int_equal(cells_with_role(g, ROLE_GREEN, CHART_GUTTER, 66), 0);
    o.span_s = 900;
    chart_draw(m, g, &o);
    int last = CHART_GUTTER + chart_column_of(NOW_SEC - 600, NOW_SEC, 900, 60);
    assert_true(cells_with_role(g, ROLE_BLUE, CHART_GUTTER, last + 1) > 0);
    assert_int_equal(cells_with_role(g, ROLE_BLUE, last + 1, 66), 0);
    o.span_s = 3600;
    chart_draw(m, g, &o);
    int first = CHART_GUTTER + chart_column_of(NOW_SEC - 1200, NOW_SEC, 3600, 60);
    last = CHART_GUTTER + chart_column_of(NOW_SEC - 600, NOW_SEC, 3600, 60);
    assert_int_equal(cells_with_role(g, ROLE_BLUE, CHART_GUTTER, first), 0);
    assert_true(cells_with_role(g, ROLE_BLUE, first, last + 1) > 0);
    assert_int_equal(cells_with_role(g, ROLE_BLUE, last + 1, 66), 0);
    char *text = grid_dump(g);
    assert_non_null(strstr(text, "-1h"));
    assert_non_null(strstr(text, "-30m"));
    free(text);
    grid_free(g);
    model_free(m);
}

static void test_ascii_mode(void **state)
{
    (void)state;
    struct model *m = steady_model();
    add_marker(m, NOW_SEC - 100.0, 50, 50, "abcdef0123");
    struct grid *g = grid_new(80, 20);
    struct chart_opts o = {.span_s = 300, .utf8 = false, .now = NOW};
    chart_draw(m, g, &o);
    char *text = grid_dump(g);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        assert_true(*p < 0x80);
    assert_non_null(strstr(text, "50/50 abcdef0"));
    free(text);
    /* One dot per cell: blue at the top plot row, distinct glyphs. */
    assert_string_equal(at(g, 10, 2)->glyph, "*");
    assert_int_equal(at(g, 10, 2)->role, ROLE_BLUE);
    int col = CHART_GUTTER + chart_column_of(NOW_SEC - 100, NOW_SEC, 300, 74);
    assert_string_equal(at(g, col, 19)->glyph, "+");
    assert_int_equal(at(g, col, 19)->role, ROLE_MARKER);
    int greens = 0;
    for (int y = 2; y <= 6; y++)
        greens += strcmp(at(g, 10, y)->glyph, "o") == 0;
    assert_int_equal(greens, 1);
    grid_free(g);
    model_free(m);
}

static void test_small_sizes_degrade(void **state)
{
    (void)state;
    struct model *m = steady_model();
    add_marker(m, NOW_SEC - 10.0, 90, 10, "0123456789");
    struct grid *g = grid_new(1, 1);
    for (int w = 1; w <= 30; w++)
        for (int h = 1; h <= 14; h++)
            for (int u = 0; u < 2; u++) {
                assert_int_equal(grid_resize(g, w, h), 0);
                struct chart_opts o = {.span_s = 900, .utf8 = u, .now = NOW};
                chart_draw(m, g, &o);
                char *text = grid_dump(g);
                if (w < CHART_MIN_W || h < CHART_MIN_H)
                    assert_memory_equal(text, "chart needs more room", (size_t)(w < 21 ? w : 21));
                else
                    assert_null(strstr(text, "needs more room"));
                free(text);
            }
    /* The smallest chart still shows all three strips by name. */
    assert_int_equal(grid_resize(g, 20, 6), 0);
    struct chart_opts o = {.span_s = 300, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    char *text = grid_dump(g);
    assert_non_null(strstr(text, "conn"));
    assert_non_null(strstr(text, "fail"));
    assert_non_null(strstr(text, "ttft"));
    free(text);
    grid_free(g);
    model_free(m);
}

static void test_stale_and_empty(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct grid *g = grid_new(80, 20);
    struct chart_opts o = {.span_s = 300, .utf8 = true, .now = NOW};
    chart_draw(m, g, &o);
    char *text = grid_dump(g);
    assert_non_null(strstr(text, "no data yet"));
    assert_non_null(strstr(text, "connections  blue -  green -"));
    free(text);
    model_free(m);
    m = steady_model();             /* taken at NOW - 0.5 */
    o.now = NOW + 11.7;
    chart_draw(m, g, &o);
    text = grid_dump(g);
    assert_non_null(strstr(text, "data 12 s old"));
    free(text);
    assert_int_equal(at(g, 79, 0)->role, ROLE_ALERT);
    o.now = NOW + 1;
    chart_draw(m, g, &o);
    text = grid_dump(g);
    assert_null(strstr(text, "old"));
    free(text);
    grid_free(g);
    model_free(m);
}

static void test_grid_text(void **state)
{
    (void)state;
    struct grid *g = grid_new(6, 2);
    assert_int_equal(grid_put_text(g, 1, 0, "ab\tc→défg", -1, ROLE_ALERT), 5);
    assert_int_equal(grid_put_text(g, -2, 1, "xyz", 2, ROLE_DIM), 2);
    assert_int_equal(grid_put_text(g, 0, 5, "hidden", -1, ROLE_DIM), 6);
    char *text = grid_dump(g);
    assert_string_equal(text, " ab?c→\n      ");
    free(text);
    char *roles = grid_dump_roles(g);
    assert_string_equal(roles, "taaaaa\ntttttt");
    free(roles);
    grid_put(g, 0, 1, "\xff", ROLE_TEXT);
    assert_string_equal(at(g, 0, 1)->glyph, "?");
    grid_fill(g, 4, 0, 10, 10, "█", ROLE_MARKER);
    assert_string_equal(at(g, 5, 1)->glyph, "█");
    assert_null(grid_cell(g, 6, 0));
    assert_int_equal(grid_resize(g, 0, 3), -1);
    assert_int_equal(grid_width(g), 6);
    grid_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_lines_at_their_rows),
        cmocka_unit_test(test_failure_ratio_never_over_100),
        cmocka_unit_test(test_overlap_is_both),
        cmocka_unit_test(test_marker_in_its_column),
        cmocka_unit_test(test_fresh_marker_and_now_label),
        cmocka_unit_test(test_spans_pick_the_window),
        cmocka_unit_test(test_ascii_mode),
        cmocka_unit_test(test_small_sizes_degrade),
        cmocka_unit_test(test_stale_and_empty),
        cmocka_unit_test(test_grid_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

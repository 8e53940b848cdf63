/* gwlook: the lines shown for a failure the gateway's log names no request
 * of. The log is shaped as OpenClaw 2026.9.6 writes it: a failed streamed
 * run leaves ERROR "lane task error", WARN "model fallback chain stopped"
 * and WARN "streaming chat completion failed", none with an id; the INFO
 * "[model-fetch] ... runId=chatcmpl_..." line holds the run's id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/gwlook.h"

/* 2026-12-02T14:03:22Z */
#define T0 1796220202.0

static char *line_at(char *buf, const struct gwlook_pick *p)
{
    static char out[512];
    snprintf(out, sizeof out, "%.*s", (int)p->len, buf + p->off);
    return out;
}

static void test_time_parse(void **state)
{
    (void)state;
    double t;
    const char *z = "2026-12-02T14:03:22.123Z";
    assert_int_equal(gwlook_parse_time(z, strlen(z), &t), 0);
    assert_true(t > T0 + 0.1225 && t < T0 + 0.1235);
    /* local time with an offset: the same instant */
    const char *plus = "2026-12-02T15:03:22.123+01:00";
    double u;
    assert_int_equal(gwlook_parse_time(plus, strlen(plus), &u), 0);
    assert_true(u > t - 1e-6 && u < t + 1e-6);
    const char *compact = "2026-12-02T09:03:22-0500";
    assert_int_equal(gwlook_parse_time(compact, strlen(compact), &u), 0);
    assert_true(u == T0);
    /* a leap-year day and the year's end */
    const char *leap = "2024-02-29T00:00:00Z";
    assert_int_equal(gwlook_parse_time(leap, strlen(leap), &u), 0);
    assert_true(u == 1709164800.0);
    const char *bad[] = {"2026-12-02 14:03:22Z", "2026-12-02T14:03:22", "2026-13-02T14:03:22Z",
                         "2026-12-02T14:03:22.Z", "2026-12-02T14:03", "", "2026-12-02T14:03:22+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(gwlook_parse_time(bad[i], strlen(bad[i]), &u), -1);
    /* only n bytes are read: the closing quote of a JSON string ends it */
    assert_int_equal(gwlook_parse_time("2026-12-02T14:03:22Z\"}", 20, &u), 0);
    assert_int_equal(gwlook_parse_time(z, 10, &u), -1);
}

static void test_level_rank(void **state)
{
    (void)state;
    assert_int_equal(gwlook_level_rank("FATAL"), 0);
    assert_int_equal(gwlook_level_rank("ERROR"), 0);
    assert_int_equal(gwlook_level_rank("WARN"), 1);
    assert_int_equal(gwlook_level_rank("INFO"), 2);
    assert_int_equal(gwlook_level_rank("DEBUG"), 2);
    assert_int_equal(gwlook_level_rank(NULL), 2);
}

static void test_id_is_a_whole_token(void **state)
{
    (void)state;
    const char *l = "{\"message\":\"[model-fetch] response status=200 runId=chatcmpl_ab12\"}";
    assert_true(gwlook_has_id(l, strlen(l), "chatcmpl_ab12"));
    assert_false(gwlook_has_id(l, strlen(l), "chatcmpl_ab1"));
    assert_false(gwlook_has_id(l, strlen(l), "hatcmpl_ab12"));
    const char *r = "{\"rid\":\"abc-1\",\"x\":\"abc-12\"}";
    assert_true(gwlook_has_id(r, strlen(r), "abc-1"));
    assert_true(gwlook_has_id(r, strlen(r), "abc-12"));
    assert_false(gwlook_has_id(r, strlen(r), "abc"));
    assert_false(gwlook_has_id(r, strlen(r), ""));
    assert_false(gwlook_has_id(r, 10, "abc-12"));   /* bounded by n */
}

/* A tslog line of the given level at T0 + dt seconds (UTC offset +01:00). */
static void add(char *buf, size_t cap, const char *level, double dt, const char *text)
{
    long ms = (long)((dt + 3600.0) * 1000.0 + 0.5) + (long)(14 * 3600 + 3 * 60 + 22) * 1000;
    long s = ms / 1000;
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "{\"0\":\"%s\",\"_meta\":{\"runtime\":\"node\",\"date\":\"x\",\"logLevelName\":\"%s\"},"
             "\"time\":\"2026-12-02T%02ld:%02ld:%02ld.%03ld+01:00\",\"message\":\"%s\"}\n",
             text, level, s / 3600, s / 60 % 60, s % 60, ms % 1000, text);
}

static void test_window_errors_first(void **state)
{
    (void)state;
    static char buf[8192];
    buf[0] = '\0';
    add(buf, sizeof buf, "INFO", -20, "long before");
    add(buf, sizeof buf, "INFO", -1.5, "[model-fetch] response status=200 runId=chatcmpl_r1");
    add(buf, sizeof buf, "ERROR", -0.2, "lane task error: Error: upstream");
    add(buf, sizeof buf, "WARN", -0.1, "model fallback chain stopped");
    add(buf, sizeof buf, "WARN", 0, "streaming chat completion failed: Error: upstream");
    add(buf, sizeof buf, "INFO", 1, "a user's reply text");
    add(buf, sizeof buf, "FATAL", 4.9, "late but fatal");
    add(buf, sizeof buf, "ERROR", 6, "after the window");
    struct gwlook_pick p[GWLOOK_MAX_PICKS];
    int by_id = -1;
    struct gwlook_query q = {.id = NULL, .time = T0};
    int n = gwlook_select(buf, strlen(buf), &q, p, GWLOOK_MAX_PICKS, &by_id);
    assert_int_equal(by_id, 0);
    assert_int_equal(n, 6);
    const char *want[] = {"lane task error", "late but fatal", "model fallback", "streaming chat",
                          "[model-fetch]", "a user's reply"};
    for (int i = 0; i < n; i++) {
        assert_non_null(strstr(line_at(buf, &p[i]), want[i]));
        assert_int_equal(p[i].why, GWLOOK_BY_TIME);
    }
    assert_int_equal(p[0].rank, 0);
    assert_int_equal(p[2].rank, 1);
    assert_int_equal(p[5].rank, 2);
}

static void test_id_first_then_window(void **state)
{
    (void)state;
    static char buf[8192];
    buf[0] = '\0';
    add(buf, sizeof buf, "INFO", -30, "[model-fetch] response status=200 runId=chatcmpl_r1");
    add(buf, sizeof buf, "ERROR", -29.9, "lane task error: Error: the run's own");
    add(buf, sizeof buf, "INFO", -1, "[model-fetch] response status=200 runId=chatcmpl_other");
    add(buf, sizeof buf, "WARN", 0, "streaming chat completion failed");
    struct gwlook_pick p[GWLOOK_MAX_PICKS];
    int by_id;
    /* The run's id finds its line though it is far from the time given. */
    struct gwlook_query q = {.id = "chatcmpl_r1", .time = T0};
    int n = gwlook_select(buf, strlen(buf), &q, p, GWLOOK_MAX_PICKS, &by_id);
    assert_int_equal(by_id, 1);
    assert_int_equal(n, 3);
    assert_non_null(strstr(line_at(buf, &p[0]), "runId=chatcmpl_r1"));
    assert_int_equal(p[0].why, GWLOOK_BY_ID);
    assert_non_null(strstr(line_at(buf, &p[1]), "streaming chat"));
    assert_non_null(strstr(line_at(buf, &p[2]), "chatcmpl_other"));
    /* by id only */
    struct gwlook_query only = {.id = "chatcmpl_r1", .time = 0};
    assert_int_equal(gwlook_select(buf, strlen(buf), &only, p, GWLOOK_MAX_PICKS, &by_id), 1);
    /* an id in no line: the window alone */
    struct gwlook_query none = {.id = "chatcmpl_zz", .time = T0};
    assert_int_equal(gwlook_select(buf, strlen(buf), &none, p, GWLOOK_MAX_PICKS, &by_id), 2);
    assert_int_equal(by_id, 0);
}

/* More window lines than fit: the errors stay, whatever the INFO around. */
static void test_bounded_keeps_errors(void **state)
{
    (void)state;
    static char buf[65536];
    buf[0] = '\0';
    for (int i = 0; i < 60; i++)
        add(buf, sizeof buf, "INFO", -4.5 + i * 0.15, "chatter");
    add(buf, sizeof buf, "ERROR", 4.5, "the error");
    add(buf, sizeof buf, "WARN", -4.8, "the warning");
    struct gwlook_pick p[5];
    int by_id;
    struct gwlook_query q = {.time = T0};
    int n = gwlook_select(buf, strlen(buf), &q, p, 5, &by_id);
    assert_int_equal(n, 5);
    assert_non_null(strstr(line_at(buf, &p[0]), "the error"));
    assert_non_null(strstr(line_at(buf, &p[1]), "the warning"));
    /* the INFO kept are the nearest the failure, shown in time order */
    for (int i = 2; i < 5; i++) {
        assert_true(p[i].time > T0 - 0.5 && p[i].time < T0 + 0.5);
        if (i > 2)
            assert_true(p[i].time >= p[i - 1].time);
    }
}

/* A tail's cut first line, a line without time, CRLF and no final newline. */
static void test_odd_lines(void **state)
{
    (void)state;
    static char buf[4096];
    snprintf(buf, sizeof buf, "Name\":\"ERROR\"},\"time\":\"2026-12-02T14:03:22Z\"}\n"
             "{\"message\":\"no time\",\"_meta\":{\"logLevelName\":\"ERROR\"}}\n");
    size_t n = strlen(buf);
    add(buf, sizeof buf, "WARN", 0, "crlf");
    n = strlen(buf);
    buf[n - 1] = '\r';
    snprintf(buf + n, sizeof buf - n, "\n");
    add(buf, sizeof buf, "ERROR", 0.5, "last");
    n = strlen(buf) - 1;    /* no final newline */
    struct gwlook_pick p[GWLOOK_MAX_PICKS];
    int by_id;
    struct gwlook_query q = {.time = T0};
    int got = gwlook_select(buf, n, &q, p, GWLOOK_MAX_PICKS, &by_id);
    assert_int_equal(got, 2);
    assert_non_null(strstr(line_at(buf, &p[0]), "last"));
    assert_non_null(strstr(line_at(buf, &p[1]), "crlf"));
    assert_int_equal(buf[p[1].off + p[1].len - 1], '}');
}

/* More lines with the id than fit: the newest, in file order. */
static void test_id_ring_keeps_newest(void **state)
{
    (void)state;
    static char buf[8192];
    buf[0] = '\0';
    char text[64];
    for (int i = 0; i < 8; i++) {
        snprintf(text, sizeof text, "step %d runId=chatcmpl_r1", i);
        add(buf, sizeof buf, "INFO", i, text);
    }
    struct gwlook_pick p[3];
    int by_id;
    struct gwlook_query q = {.id = "chatcmpl_r1"};
    assert_int_equal(gwlook_select(buf, strlen(buf), &q, p, 3, &by_id), 3);
    assert_int_equal(by_id, 3);
    assert_non_null(strstr(line_at(buf, &p[0]), "step 5"));
    assert_non_null(strstr(line_at(buf, &p[2]), "step 7"));
}

/* A long line is cut within the limit, never inside a UTF-8 character:
 * OpenClaw's lines hold emoji and dashes ("\u26a0\ufe0f", "\u2014"). */
static void test_clip_keeps_characters_whole(void **state)
{
    (void)state;
    const char *line = "ab\xe2\x80\x94" "cd";     /* "ab—cd": the dash is 3 bytes */
    size_t n = strlen(line);
    assert_int_equal(gwlook_clip(line, n, n), n);           /* fits: all of it */
    assert_int_equal(gwlook_clip(line, n, 100), n);
    assert_int_equal(gwlook_clip(line, n, 5), 5);           /* after the dash */
    assert_int_equal(gwlook_clip(line, n, 4), 2);           /* inside it: before */
    assert_int_equal(gwlook_clip(line, n, 3), 2);
    assert_int_equal(gwlook_clip(line, n, 2), 2);
    assert_int_equal(gwlook_clip(line, n, 0), 0);
    static char big[3 * GWLOOK_LINE_MAX];
    memset(big, 'x', sizeof big);
    assert_int_equal(gwlook_clip(big, sizeof big, GWLOOK_LINE_MAX), GWLOOK_LINE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_level_rank),
        cmocka_unit_test(test_id_is_a_whole_token),
        cmocka_unit_test(test_window_errors_first),
        cmocka_unit_test(test_id_first_then_window),
        cmocka_unit_test(test_bounded_keeps_errors),
        cmocka_unit_test(test_odd_lines),
        cmocka_unit_test(test_id_ring_keeps_newest),
        cmocka_unit_test(test_clip_keeps_characters_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

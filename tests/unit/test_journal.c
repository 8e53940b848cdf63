/* journal: each event is one JSON line that decodes back to the same event,
 * whatever nginx put in its error message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/journal.h"

static struct journal_event sample(void)
{
    struct journal_event ev = {
        .time = 1764000000.125,
        .user = "ops",
        .ssh_client = "10.0.0.7 51234 22",
        .action = "shift",
        .before = { 90, 10 },
        .after = { 80, 20 },
        .candidate = "green",
        .candidate_version = "3f2a9c1",
        .outcome = "ok",
        .error = NULL,
    };
    return ev;
}

static void test_encode_shape(void **state)
{
    struct journal_event ev = sample();
    char *line = journal_encode(&ev);
    assert_string_equal(line,
        "{\"time\":1764000000.125,\"user\":\"ops\",\"ssh_client\":\"10.0.0.7 51234 22\","
        "\"action\":\"shift\",\"before\":{\"blue\":90,\"green\":10},"
        "\"after\":{\"blue\":80,\"green\":20},\"candidate\":\"green\","
        "\"candidate_version\":\"3f2a9c1\",\"outcome\":\"ok\"}");
    free(line);
}

static void test_encode_nulls(void **state)
{
    struct journal_event ev = sample();
    char *line;
    ev.ssh_client = NULL;
    ev.candidate_version = NULL;
    ev.before[0] = ev.before[1] = -1;
    line = journal_encode(&ev);
    assert_non_null(strstr(line, "\"ssh_client\":null"));
    assert_non_null(strstr(line, "\"candidate_version\":null"));
    assert_non_null(strstr(line, "\"before\":null"));
    assert_null(strstr(line, "\"error\""));
    free(line);
}

static void test_round_trip(void **state)
{
    struct journal_event ev = sample(), back;
    char err[256] = "";
    char *line = journal_encode(&ev);
    assert_int_equal(journal_decode(line, &back, err, sizeof err), 0);
    assert_true(back.time == 1764000000.125);
    assert_string_equal(back.user, "ops");
    assert_string_equal(back.ssh_client, "10.0.0.7 51234 22");
    assert_string_equal(back.action, "shift");
    assert_int_equal(back.before[COLOR_BLUE], 90);
    assert_int_equal(back.before[COLOR_GREEN], 10);
    assert_int_equal(back.after[COLOR_BLUE], 80);
    assert_int_equal(back.after[COLOR_GREEN], 20);
    assert_string_equal(back.candidate, "green");
    assert_string_equal(back.candidate_version, "3f2a9c1");
    assert_string_equal(back.outcome, "ok");
    assert_null(back.error);
    journal_event_clear(&back);
    free(line);
}

static void test_nginx_error_text_survives(void **state)
{
    static const char nginx_err[] =
        "nginx: [emerg] invalid parameter \"weight=0\" in /etc/nginx/conf.d/"
        "cutover-upstream.conf:6\nnginx: configuration file /etc/nginx/nginx.conf "
        "test failed\n\ttab \\ backslash \x01 control";
    struct journal_event ev = sample(), back;
    char err[256] = "";
    char *line;
    ev.outcome = "test-failed";
    ev.error = (char *)nginx_err;
    ev.after[0] = ev.after[1] = -1;
    ev.ssh_client = NULL;
    line = journal_encode(&ev);
    /* One line: the newlines are escaped, not written. */
    assert_null(strchr(line, '\n'));
    assert_null(strchr(line, '\x01'));
    assert_int_equal(journal_decode(line, &back, err, sizeof err), 0);
    assert_string_equal(back.error, nginx_err);
    assert_string_equal(back.outcome, "test-failed");
    assert_null(back.ssh_client);
    assert_int_equal(back.after[COLOR_BLUE], -1);
    assert_int_equal(back.after[COLOR_GREEN], -1);
    journal_event_clear(&back);
    free(line);
}

static void test_decode_garbage_fails_cleanly(void **state)
{
    static const struct { const char *line, *want; } cases[] = {
        { "", "journal: not a JSON object" },
        { "shift ok", "journal: not a JSON object" },
        { "{\"time\":1,\"action\":\"shift\"", "journal: not a JSON object" },
        { "[1,2]", "journal: not a JSON object" },
        { "{\"action\":\"shift\"}", "journal: missing or non-numeric time" },
        { "{\"time\":\"yesterday\",\"action\":\"shift\"}", "journal: missing or non-numeric time" },
        { "{\"time\":1}", "journal: missing action" },
        { "{\"time\":1,\"action\":\"shift\",\"user\":5}",
          "journal: user: expected a string or null" },
        { "{\"time\":1,\"action\":\"shift\",\"user\":\"a\",\"before\":{\"blue\":90}}",
          "journal: before: expected {\"blue\":N,\"green\":N} or null" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct journal_event out;
        char err[256] = "";
        assert_int_equal(journal_decode(cases[i].line, &out, err, sizeof err), -1);
        assert_string_equal(err, cases[i].want);
        /* Nothing half-filled is left to leak or to be shown. */
        assert_null(out.user);
        assert_null(out.action);
    }
}

static void test_decode_minimal_event(void **state)
{
    struct journal_event out;
    char err[256] = "";
    assert_int_equal(journal_decode("{\"time\":12.5,\"action\":\"reload\"}", &out, err,
                                    sizeof err), 0);
    assert_true(out.time == 12.5);
    assert_string_equal(out.action, "reload");
    assert_null(out.user);
    assert_int_equal(out.before[COLOR_BLUE], -1);
    journal_event_clear(&out);
    assert_null(out.action);
}

/* A move's two lines: the intent and its outcome share a move id and say
 * which weights nginx is confirmed to run; other lines keep their bytes. */
static void test_move_fields_round_trip(void **state)
{
    struct journal_event ev = sample(), back;
    char err[256] = "";
    ev.action = "intent";
    ev.outcome = "started";
    ev.move_id = "1764000000.125-42";
    ev.move = "shift";
    ev.reason = "canary \"ok\"";
    ev.nginx[COLOR_BLUE] = 90;
    ev.nginx[COLOR_GREEN] = 10;
    char *line = journal_encode(&ev);
    assert_non_null(strstr(line, "\"move_id\":\"1764000000.125-42\",\"move\":\"shift\","
                                 "\"reason\":\"canary \\\"ok\\\"\",\"nginx\":{\"blue\":90,\"green\":10}"));
    assert_int_equal(journal_decode(line, &back, err, sizeof err), 0);
    assert_string_equal(back.move_id, "1764000000.125-42");
    assert_string_equal(back.move, "shift");
    assert_string_equal(back.reason, "canary \"ok\"");
    assert_int_equal(back.nginx[COLOR_BLUE], 90);
    assert_int_equal(back.nginx[COLOR_GREEN], 10);
    journal_event_clear(&back);
    free(line);
}

static void test_no_move_id_no_move_fields(void **state)
{
    struct journal_event ev = sample(), back;
    char err[256] = "";
    ev.reason = "ignored without a move id";
    char *line = journal_encode(&ev);
    assert_null(strstr(line, "move_id"));
    assert_null(strstr(line, "nginx"));
    assert_null(strstr(line, "reason"));
    assert_int_equal(journal_decode(line, &back, err, sizeof err), 0);
    assert_null(back.move_id);
    assert_int_equal(back.nginx[COLOR_BLUE], -1);
    journal_event_clear(&back);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_shape),
        cmocka_unit_test(test_encode_nulls),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_nginx_error_text_survives),
        cmocka_unit_test(test_decode_garbage_fails_cleanly),
        cmocka_unit_test(test_decode_minimal_event),
        cmocka_unit_test(test_move_fields_round_trip),
        cmocka_unit_test(test_no_move_id_no_move_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

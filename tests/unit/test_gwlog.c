/* gwlog: the gateway's log lines. The lines are shaped as OpenClaw 2026.9.6
 * writes them (tslog JSON: a subsystem logger's arguments "0" and "1", the
 * whole text in `message`, `_meta.logLevelName`, local `time`); a failed
 * streamed run writes the WARN and, with it, the ERROR lines that must not
 * count a second time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/gwlog.h"

#define META(level) "\"_meta\":{\"runtime\":\"node\",\"runtimeVersion\":\"24.22.3\"," \
    "\"hostname\":\"gw-1\",\"name\":\"{\\\"subsystem\\\":\\\"openai-compat\\\"}\"," \
    "\"parentNames\":[\"openclaw\"],\"date\":\"2026-12-02T14:03:22.123Z\",\"logLevelId\":4," \
    "\"logLevelName\":\"" level "\"}"

/* The one line per failed streamed run. */
static const char WARN_FAILED[] =
    "{\"0\":\"{\\\"subsystem\\\":\\\"openai-compat\\\"}\",\"1\":\"streaming chat completion "
    "failed: Error: upstream provider error\"," META("WARN") ",\"time\":\"2026-12-02T15:03:22.123"
    "+01:00\",\"hostname\":\"gw-1\",\"message\":\"streaming chat completion failed: Error: "
    "upstream provider error\"}";
/* What the same failure also writes. */
static const char ERROR_LANE[] =
    "{\"0\":\"lane task error: lane=session:agent:main:openai-user:u1 durationMs=812 error="
    "\\\"Error: upstream provider error\\\"\"," META("ERROR") ",\"time\":\"2026-12-02T15:03:22."
    "120+01:00\",\"message\":\"lane task error: lane=session:agent:main:openai-user:u1 "
    "durationMs=812 error=\\\"Error: upstream provider error\\\"\"}";
static const char WARN_FALLBACK[] =
    "{\"0\":\"{\\\"subsystem\\\":\\\"model-fallback\\\"}\",\"1\":\"model fallback chain stopped: "
    "reason=error candidate=cutover-sim/sim\"," META("WARN") ",\"time\":\"2026-12-02T15:03:22.1"
    "21+01:00\",\"message\":\"model fallback chain stopped: reason=error candidate=cutover-sim/"
    "sim\"}";
static const char INFO_FETCH[] =
    "{\"0\":\"[model-fetch] response provider=cutover-sim status=200 elapsedMs=640\","
    META("INFO") ",\"time\":\"2026-12-02T15:03:21.000+01:00\"}";
/* The non-streamed failure answers 500: nginx counts it, so it must not. */
static const char WARN_NONSTREAM[] =
    "{\"1\":\"chat completion failed: Error: upstream provider error\"," META("WARN") "}";

static enum gwlog_verdict judge(const struct gwlog_rules *r, const char *line)
{
    return gwlog_line(r, line, strlen(line), NULL);
}

static void defaults(struct gwlog_rules *r)
{
    static const char *const pat[] = {GWLOG_DEFAULT_PATTERN};
    char msg[128];
    assert_int_equal(gwlog_rules_parse(pat, 1, r, msg, sizeof msg), 0);
}

static void test_a_failed_stream_counts_once(void **state)
{
    (void)state;
    struct gwlog_rules r;
    defaults(&r);
    assert_int_equal(judge(&r, WARN_FAILED), GWLOG_FAILURE);
    assert_int_equal(judge(&r, ERROR_LANE), GWLOG_OTHER);
    assert_int_equal(judge(&r, WARN_FALLBACK), GWLOG_OTHER);
    assert_int_equal(judge(&r, INFO_FETCH), GWLOG_OTHER);
    assert_int_equal(judge(&r, WARN_NONSTREAM), GWLOG_OTHER);
}

/* The message may sit only in a numbered argument. */
static void test_numbered_fields(void **state)
{
    (void)state;
    struct gwlog_rules r;
    defaults(&r);
    assert_int_equal(judge(&r, "{\"0\":\"{}\",\"1\":\"streaming chat completion failed: x\","
                               META("WARN") "}"), GWLOG_FAILURE);
    /* the right text at another level is not the rule's line */
    assert_int_equal(judge(&r, "{\"message\":\"streaming chat completion failed: x\","
                               META("INFO") "}"), GWLOG_OTHER);
}

static void test_malformed_lines_are_skipped(void **state)
{
    (void)state;
    struct gwlog_rules r;
    defaults(&r);
    assert_int_equal(judge(&r, ""), GWLOG_MALFORMED);
    assert_int_equal(judge(&r, "streaming chat completion failed"), GWLOG_MALFORMED);
    assert_int_equal(judge(&r, "{\"message\":\"streaming chat completion failed: x\""),
                     GWLOG_MALFORMED);      /* cut short */
    assert_int_equal(judge(&r, "[1,2]"), GWLOG_MALFORMED);
    assert_int_equal(judge(&r, "{\"time\":\"2026-12-02\"}"), GWLOG_MALFORMED);
    assert_int_equal(judge(&r, "{\"level\":\"info\"}"), GWLOG_MALFORMED);
    /* cutover-sim's request line, which the light demo writes into the same
     * log_file as its OpenClaw lines: a log line, not a malformed one, and
     * no failure (the OpenClaw line beside it counts the failure once) */
    assert_int_equal(judge(&r, "{\"time\":\"2026-12-03T10:00:00.000Z\",\"level\":\"error\","
                               "\"color\":\"green\",\"rid\":null,\"method\":\"POST\","
                               "\"path\":\"/v1/chat/completions\",\"status\":200,"
                               "\"msg\":\"in-stream error\"}"), GWLOG_OTHER);
    /* even one whose text a pattern holds: the OpenClaw line beside it
     * counts the failure, once */
    assert_int_equal(judge(&r, "{\"level\":\"WARN\",\"msg\":\"streaming chat completion "
                               "failed: boom\"}"), GWLOG_OTHER);
    /* a CRLF line is still read */
    char crlf[sizeof WARN_FAILED + 1];
    snprintf(crlf, sizeof crlf, "%s\r", WARN_FAILED);
    assert_int_equal(judge(&r, crlf), GWLOG_FAILURE);
}

static void test_patterns(void **state)
{
    (void)state;
    static const char *const pat[] = {"ERROR:lane task error", "*:chat completion failed",
                                      "openai-compat: boom"};
    struct gwlog_rules r;
    char msg[128];
    assert_int_equal(gwlog_rules_parse(pat, 3, &r, msg, sizeof msg), 0);
    assert_string_equal(r.rule[0].level, "ERROR");
    assert_string_equal(r.rule[0].text, "lane task error");
    assert_string_equal(r.rule[1].level, "");
    /* "openai-compat" is no level: the whole pattern is the text */
    assert_string_equal(r.rule[2].level, "");
    assert_string_equal(r.rule[2].text, "openai-compat: boom");
    assert_int_equal(judge(&r, ERROR_LANE), GWLOG_FAILURE);
    assert_int_equal(judge(&r, WARN_NONSTREAM), GWLOG_FAILURE);
    assert_int_equal(judge(&r, INFO_FETCH), GWLOG_OTHER);
    /* which rule matched, in the config's words (a failure row says it
     * instead of the line, which may hold a user's conversation) */
    int rule = -1;
    char text[80];
    assert_int_equal(gwlog_line(&r, WARN_NONSTREAM, strlen(WARN_NONSTREAM), &rule), GWLOG_FAILURE);
    assert_int_equal(rule, 1);
    gwlog_rule_text(&r, rule, text, sizeof text);
    assert_string_equal(text, "chat completion failed");
    gwlog_rule_text(&r, 0, text, sizeof text);
    assert_string_equal(text, "ERROR lane task error");
    gwlog_rule_text(&r, 7, text, sizeof text);
    assert_string_equal(text, "?");

    /* a level in lower case is the same level */
    static const char *const lower[] = {"warn:chat completion failed"};
    assert_int_equal(gwlog_rules_parse(lower, 1, &r, msg, sizeof msg), 0);
    assert_string_equal(r.rule[0].level, "WARN");
    assert_string_equal(r.rule[0].text, "chat completion failed");
    assert_int_equal(judge(&r, WARN_NONSTREAM), GWLOG_FAILURE);

    static const char *const bad[] = {"WARN:"};
    assert_int_equal(gwlog_rules_parse(bad, 1, &r, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "\"WARN:\""));
    static const char *const empty[] = {""};
    assert_int_equal(gwlog_rules_parse(empty, 1, &r, msg, sizeof msg), -1);
    /* no patterns: nothing is a failure */
    assert_int_equal(gwlog_rules_parse(NULL, 0, &r, msg, sizeof msg), 0);
    assert_int_equal(judge(&r, WARN_FAILED), GWLOG_OTHER);
}

static void test_sample(void **state)
{
    (void)state;
    struct metric_sample s;
    gwlog_failure_sample(&s);
    assert_true(s.has[METRIC_GW_FAILURES]);
    assert_int_equal(s.value[METRIC_GW_FAILURES], 1);
    assert_false(s.has[METRIC_STATUS_5XX]);
    /* the failure row counts it (window_add adds the parts) */
    metric_sample_add_parts(&s);
    assert_int_equal(s.value[METRIC_FAILURES], 1);
    struct metric_sample five = {0};
    metric_sample_set(&five, METRIC_STATUS_5XX, 1);
    metric_sample_add_parts(&five);
    assert_int_equal(five.value[METRIC_FAILURES], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_failed_stream_counts_once),
        cmocka_unit_test(test_numbered_fields),
        cmocka_unit_test(test_malformed_lines_are_skipped),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* json5: JSON5 in, the strict JSON cJSON reads out (comments, trailing
 * commas, bare keys, single quotes and their escapes, hex, leading '+',
 * '.5', Infinity and NaN), the config scripts/openclaw.sh writes, and bad
 * input refused with LINE:COL and what is wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include "core/json5.h"

static void expect_json(const char *in, const char *want)
{
    char err[200];
    char *out = json5_to_json(in, strlen(in), err, sizeof err);
    if (!out)
        fail_msg("'%s' refused: %s", in, err);
    assert_string_equal(out, want);
    cJSON *parsed = cJSON_Parse(out);   /* and cJSON reads it */
    assert_non_null(parsed);
    cJSON_Delete(parsed);
    free(out);
}

static void expect_error(const char *in, const char *want)
{
    char err[200];
    char *out = json5_to_json(in, strlen(in), err, sizeof err);
    if (out)
        fail_msg("'%s' accepted as %s", in, out);
    assert_string_equal(err, want);
}

static void test_plain_json_passes(void **state)
{
    (void)state;
    expect_json("{\"a\":[1,2.5,-3e2,true,false,null,\"x\\\"y\\u00e9\"]}",
                "{\"a\":[1,2.5,-3e2,true,false,null,\"x\\\"y\\u00e9\"]}");
    expect_json("  \"just a string\"  ", "\"just a string\"");
    expect_json("[]", "[]");
    expect_json("{ }", "{}");
}

static void test_comments_and_trailing_commas(void **state)
{
    (void)state;
    expect_json("// head\n{ a: 1, /* inline */ b: [1, 2,], }\n// tail", "{\"a\":1,\"b\":[1,2]}");
    expect_json("/* only */ 7 /**/", "7");
}

static void test_keys_and_strings(void **state)
{
    (void)state;
    expect_json("{$id: 1, _x9: 2, 'q k': 3, \"d\": 4}", "{\"$id\":1,\"_x9\":2,\"q k\":3,\"d\":4}");
    expect_json("'it\\'s \"quoted\"'", "\"it's \\\"quoted\\\"\"");
    expect_json("'a\\x41\\v\\0b'", "\"a\\u0041\\u000b\\u0000b\"");
    expect_json("'one \\\ntwo'", "\"one two\"");
    expect_json("'\\a\\q'", "\"aq\"");
    expect_json("'tab\there'", "\"tab\\u0009here\"");
    expect_json("'caf\xc3\xa9'", "\"caf\xc3\xa9\"");
}

static void test_numbers(void **state)
{
    (void)state;
    expect_json("[0x1F, -0XfF, +5, .5, 5., -.25e+2, 0]", "[31,-255,5,0.5,5.0,-0.25e+2,0]");
    expect_json("[Infinity, -Infinity, +Infinity, NaN, -NaN]",
                "[1e999,-1e999,1e999,null,null]");
}

/* The config scripts/openclaw.sh writes for the real gateway. */
static void test_openclaw_config(void **state)
{
    (void)state;
    const char *in =
        "// One OpenClaw instance\n"
        "{\n"
        "  gateway: {\n"
        "    mode: \"local\",\n"
        "    port: 18789,\n"
        "    auth: { mode: \"token\", token: \"t-1\" },\n"
        "    trustedProxies: [\"127.0.0.1\"],\n"
        "    controlUi: { enabled: false },\n"
        "  },\n"
        "  models: { providers: { \"cutover-sim\": { models: [{ id: \"m\", name: \"m\" }] } } },\n"
        "}\n";
    char err[200];
    char *out = json5_to_json(in, strlen(in), err, sizeof err);
    assert_non_null(out);
    cJSON *o = cJSON_Parse(out);
    assert_non_null(o);
    const cJSON *gw = cJSON_GetObjectItemCaseSensitive(o, "gateway");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(gw, "port")->valueint, 18789);
    const cJSON *ui = cJSON_GetObjectItemCaseSensitive(gw, "controlUi");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(ui, "enabled")));
    cJSON_Delete(o);
    free(out);
}

static void test_bad_input_says_where(void **state)
{
    (void)state;
    expect_error("", "1:1: no value (empty input)");
    expect_error("// nothing\n", "2:1: no value (empty input)");
    expect_error("{\n  a: 1\n  b: 2\n}", "3:3: expected ',' or '}', found 'b'");
    expect_error("{\n  a 1\n}", "2:5: expected ':' after the key, found '1'");
    expect_error("{a: 'open\n}", "1:5: unterminated string");
    expect_error("{a: 1 /* open\n", "1:7: unterminated /* comment");
    expect_error("[1, 2", "1:6: expected ',' or ']', found end of input");
    expect_error("{1: 2}", "1:2: expected a key, found '1'");
    expect_error("[01]", "1:2: leading zeros are not allowed");
    expect_error("[0x]", "1:2: 0x needs hex digits");
    expect_error("[1e]", "1:2: exponent without digits");
    expect_error("[12abc]", "1:2: not a number");
    expect_error("[.]", "1:2: not a number");
    expect_error("['\\1']", "1:3: octal escapes are not allowed in JSON5");
    expect_error("['\\x4']", "1:3: \\x needs 2 hex digits");
    expect_error("[tru]", "1:2: expected a value, found 't'");
    expect_error("[undefined]", "1:2: expected a value, found 'u'");
    expect_error("{} x", "1:4: 'x' after the value");
    expect_error("[1,,2]", "1:4: expected a value, found ','");
    expect_error("{,}", "1:2: expected a key, found ','");
    expect_error("[0x1ffffffffffffffff]", "1:2: hex number too large");
    expect_error("[1] /", "1:5: '/' after the value");
}

static void test_nul_and_depth(void **state)
{
    (void)state;
    char err[200];
    assert_null(json5_to_json("{\n a: 1\0}", 10, err, sizeof err));
    assert_string_equal(err, "2:6: a NUL byte in the text");
    size_t n = 300;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    assert_null(json5_to_json(deep, n, err, sizeof err));
    assert_string_equal(err, "1:257: nested deeper than 256");
    free(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_json_passes),
        cmocka_unit_test(test_comments_and_trailing_commas),
        cmocka_unit_test(test_keys_and_strings),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_openclaw_config),
        cmocka_unit_test(test_bad_input_says_where),
        cmocka_unit_test(test_nul_and_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

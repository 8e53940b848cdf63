/* protocol: what the server relies on when a client line arrives — every
 * command survives encode -> decode, every malformed line is refused with
 * the reason the client will see, and hostile lines (NUL bytes, deep
 * nesting, oversize, long strings) neither crash nor overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include "core/color.h"
#include "core/errcode.h"
#include "core/protocol.h"

static int decode(const char *line, struct protocol_msg *m, char *err, size_t errlen)
{
    return protocol_decode_client(line, strlen(line), m, err, errlen);
}

static void assert_decodes(const char *line, struct protocol_msg *m)
{
    char err[200] = "";
    if (decode(line, m, err, sizeof err) != 0)
        fail_msg("%s: %s", line, err);
}

/* The line is refused, and the reason holds `want`. */
static void assert_refused(const char *line, size_t len, const char *want)
{
    struct protocol_msg m;
    char err[200] = "";
    if (protocol_decode_client(line, len, &m, err, sizeof err) == 0)
        fail_msg("accepted: %.80s", line);
    assert_int_equal(m.kind, MSG_INVALID);
    if (strstr(err, want) == NULL)
        fail_msg("%.80s: reason \"%s\" lacks \"%s\"", line, err, want);
}

static void refused(const char *line, const char *want)
{
    assert_refused(line, strlen(line), want);
}

static void assert_cmd_equal(const struct protocol_cmd *a, const struct protocol_cmd *b)
{
    assert_true(a->id == b->id);
    assert_int_equal(a->name, b->name);
    assert_int_equal(a->absolute, b->absolute);
    assert_int_equal(a->amount, b->amount);
    assert_int_equal(a->steal, b->steal);
    assert_int_equal(a->stable, b->stable);
    assert_int_equal(a->force, b->force);
    assert_string_equal(a->reason, b->reason);
}

static void roundtrip_cmd(const struct protocol_cmd *c)
{
    struct protocol_msg m;
    char *line = protocol_encode_command(c);
    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    assert_decodes(line, &m);
    assert_int_equal(m.kind, MSG_COMMAND);
    assert_cmd_equal(&m.cmd, c);
    free(line);
}

static void test_every_command_round_trips(void **state)
{
    (void)state;
    const struct protocol_cmd cmds[] = {
        { .id = 7, .name = CMD_SHIFT, .amount = 10, .stable = COLOR_NONE },
        { .id = 8, .name = CMD_SHIFT, .amount = -100, .stable = COLOR_GREEN },
        { .id = 9, .name = CMD_SHIFT, .absolute = true, .amount = 50, .stable = COLOR_BLUE },
        { .id = 10, .name = CMD_SHIFT, .absolute = true, .amount = 0, .stable = COLOR_NONE },
        { .id = 11, .name = CMD_ROLLBACK, .stable = COLOR_NONE },
        { .id = 12, .name = CMD_ROLLBACK, .stable = COLOR_GREEN },
        { .id = 13, .name = CMD_RELOAD, .stable = COLOR_NONE },
        { .id = 14, .name = CMD_TAKE_CONTROL, .steal = true, .stable = COLOR_NONE },
        { .id = 15, .name = CMD_TAKE_CONTROL, .steal = false, .stable = COLOR_NONE },
        { .id = 16, .name = CMD_RELEASE, .stable = COLOR_NONE },
        { .id = 17, .name = CMD_STATUS, .stable = COLOR_BLUE },
        { .id = 0, .name = CMD_STATUS, .stable = COLOR_NONE },
        /* the largest id a double holds exactly */
        { .id = 9007199254740991LL, .name = CMD_RELEASE, .stable = COLOR_NONE },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        roundtrip_cmd(&cmds[i]);
}

static void test_hello_round_trips(void **state)
{
    (void)state;
    struct protocol_hello h = { .version = PROTOCOL_VERSION, .pid = 4242, .want_control = true };
    struct protocol_msg m;
    strcpy(h.client, "cutover 0.1.0");
    strcpy(h.ssh_client, "10.0.0.5 51000 22");
    char *line = protocol_encode_hello(&h);
    assert_non_null(line);
    assert_decodes(line, &m);
    free(line);
    assert_int_equal(m.kind, MSG_HELLO);
    assert_int_equal(m.hello.version, 1);
    assert_int_equal(m.hello.pid, 4242);
    assert_true(m.hello.want_control);
    assert_string_equal(m.hello.client, "cutover 0.1.0");
    assert_string_equal(m.hello.ssh_client, "10.0.0.5 51000 22");
}

/* The lines shown in the header decode to what they say. */
static void test_documented_lines(void **state)
{
    (void)state;
    struct protocol_msg m;
    assert_decodes("{\"hello\": {\"version\": 1, \"client\": \"cutover 0.1.0\", \"pid\": 123,"
                   " \"ssh_client\": \"10.0.0.5 51000 22\", \"want_control\": true}}", &m);
    assert_int_equal(m.hello.pid, 123);
    assert_decodes("{\"command\": {\"id\": 8, \"name\": \"shift\", \"to\": 50}}", &m);
    assert_int_equal(m.cmd.name, CMD_SHIFT);
    assert_true(m.cmd.absolute);
    assert_int_equal(m.cmd.amount, 50);
    assert_int_equal(m.cmd.stable, COLOR_NONE);
    assert_decodes("{\"command\": {\"id\": 7, \"name\": \"shift\", \"delta\": -10, \"stable\": \"green\"}}",
                   &m);
    assert_false(m.cmd.absolute);
    assert_int_equal(m.cmd.amount, -10);
    assert_int_equal(m.cmd.stable, COLOR_GREEN);
    assert_decodes("{\"command\": {\"id\": 11, \"name\": \"take-control\", \"steal\": true}}", &m);
    assert_int_equal(m.cmd.name, CMD_TAKE_CONTROL);
    assert_true(m.cmd.steal);
    /* a minimal hello: only the version is required */
    assert_decodes("{\"hello\":{\"version\":1}}", &m);
    assert_string_equal(m.hello.client, "");
    assert_false(m.hello.want_control);
}

/* Forward compatibility: fields a v1 server does not know are ignored, and
 * fields of another command do not leak into this one. */
static void test_unknown_fields_ignored(void **state)
{
    (void)state;
    struct protocol_msg m;
    assert_decodes("{\"hello\":{\"version\":1,\"colour\":\"x\",\"caps\":[1,{\"a\":null}]}}", &m);
    assert_int_equal(m.kind, MSG_HELLO);
    assert_decodes("{\"command\":{\"id\":3,\"name\":\"rollback\",\"steal\":true,\"delta\":5,"
                   "\"future\":{}}}", &m);
    assert_int_equal(m.cmd.name, CMD_ROLLBACK);
    assert_false(m.cmd.steal);
    assert_int_equal(m.cmd.amount, 0);
    assert_decodes("{\"command\":{\"id\":3,\"name\":\"reload\",\"stable\":\"purple\"}}", &m);
    assert_int_equal(m.cmd.stable, COLOR_NONE);
}

static void test_malformed_lines(void **state)
{
    (void)state;
    refused("", "not JSON");
    refused("hello", "not JSON");
    refused("{\"hello\":{\"version\":1}", "not JSON");
    refused("{\"hello\":{\"version\":1}} trailing", "not JSON");
    refused("[1,2]", "not a JSON object");
    refused("\"hello\"", "not a JSON object");
    refused("{}", "exactly one top-level key, got 0");
    refused("{\"hello\":{\"version\":1},\"command\":{}}", "exactly one top-level key, got 2");
    refused("{\"hello\":{\"version\":1},\"hello\":{\"version\":1}}", "got 2");
    refused("{\"snapshot\":{}}", "unknown message \"snapshot\"");
    refused("{\"hello\":1}", "hello: expected an object");
    refused("{\"command\":[]}", "command: expected an object");
}

static void test_bad_hello(void **state)
{
    (void)state;
    refused("{\"hello\":{}}", "hello.version: missing (this server speaks version 1)");
    refused("{\"hello\":{\"version\":2}}", "this server speaks version 1, not 2");
    refused("{\"hello\":{\"version\":0}}", "this server speaks version 1, not 0");
    refused("{\"hello\":{\"version\":\"1\"}}", "hello.version: expected an integer");
    refused("{\"hello\":{\"version\":1.5}}", "hello.version: expected an integer");
    refused("{\"hello\":{\"version\":1,\"pid\":-1}}", "hello.pid: expected an integer");
    refused("{\"hello\":{\"version\":1,\"pid\":\"12\"}}", "hello.pid");
    refused("{\"hello\":{\"version\":1,\"want_control\":1}}", "hello.want_control: expected true or false");
    refused("{\"hello\":{\"version\":1,\"client\":5}}", "hello.client: expected a string");
    refused("{\"hello\":{\"version\":1,\"ssh_client\":null}}", "hello.ssh_client: expected a string");
}

static void test_bad_commands(void **state)
{
    (void)state;
    refused("{\"command\":{\"name\":\"status\"}}", "command.id: missing");
    refused("{\"command\":{\"id\":-1,\"name\":\"status\"}}", "command.id: expected an integer >= 0");
    refused("{\"command\":{\"id\":1.5,\"name\":\"status\"}}", "command.id: expected an integer >= 0");
    refused("{\"command\":{\"id\":\"1\",\"name\":\"status\"}}", "command.id: expected an integer >= 0");
    refused("{\"command\":{\"id\":1e300,\"name\":\"status\"}}", "command.id: expected an integer >= 0");
    refused("{\"command\":{\"id\":1}}", "command.name: missing");
    refused("{\"command\":{\"id\":1,\"name\":7}}", "command.name: expected a string");
    refused("{\"command\":{\"id\":1,\"name\":\"drop-tables\"}}", "unknown command \"drop-tables\"");
    refused("{\"command\":{\"id\":1,\"name\":\"none\"}}", "unknown command \"none\"");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\"}}", "shift needs \"delta\" or \"to\"");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"delta\":10,\"to\":50}}", "not both");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"delta\":101}}",
            "command.delta: expected an integer in -100..100");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"delta\":-101}}", "command.delta");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"delta\":\"+10\"}}", "command.delta");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"delta\":2.5}}", "command.delta");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"to\":-1}}",
            "command.to: expected an integer in 0..100");
    refused("{\"command\":{\"id\":1,\"name\":\"shift\",\"to\":100.5}}", "command.to");
    refused("{\"command\":{\"id\":1,\"name\":\"take-control\",\"steal\":\"yes\"}}",
            "command.steal: expected true or false");
    refused("{\"command\":{\"id\":1,\"name\":\"rollback\",\"stable\":\"purple\"}}",
            "command.stable: expected \"blue\" or \"green\"");
    refused("{\"command\":{\"id\":1,\"name\":\"status\",\"stable\":0}}", "command.stable");
}

/* A NUL inside the line must not make the rest invisible to the check
 * (a C-string parser would accept the part before it). */
static void test_embedded_nul(void **state)
{
    (void)state;
    static const char line[] = "{\"hello\":{\"version\":1}}\0garbage";
    assert_refused(line, sizeof line - 1, "NUL byte");
    /* and a line that is not NUL-terminated is read only up to len */
    char buf[64];
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "{\"hello\":{\"version\":1}}", 23);
    struct protocol_msg m;
    char err[100];
    assert_int_equal(protocol_decode_client(buf, 23, &m, err, sizeof err), 0);
    assert_int_equal(m.kind, MSG_HELLO);
    assert_refused(buf, 24, "not JSON (at byte 23)");
}

/* cJSON stops at CJSON_NESTING_LIMIT instead of recursing on: a wall of
 * '[' just under the size limit is refused, not a stack overflow. 100k of
 * them are refused for size before the parser sees them. */
static void test_deep_nesting(void **state)
{
    (void)state;
    size_t big = 100000, n = PROTOCOL_MAX_LINE;
    char *line = malloc(big);
    assert_non_null(line);
    memset(line, '[', big);
    assert_refused(line, big, "line too long");
    assert_refused(line, n, "not JSON");
    /* nested inside a valid message too */
    size_t k = (size_t)sprintf(line, "{\"hello\":{\"version\":1,\"x\":");
    memset(line + k, '[', n - k);
    assert_refused(line, n, "not JSON");
    free(line);
}

/* Well-formed nesting in an ignored field: shallow is fine, past cJSON's
 * limit the line is refused (the parser gives up; it does not recurse on). */
static void nested_field(size_t depth, bool want_ok)
{
    char *line = malloc(2 * depth + 64);
    struct protocol_msg m;
    char err[100];
    assert_non_null(line);
    size_t k = (size_t)sprintf(line, "{\"hello\":{\"version\":1,\"x\":");
    memset(line + k, '[', depth);
    memset(line + k + depth, ']', depth);
    strcpy(line + k + 2 * depth, "}}");
    int rc = decode(line, &m, err, sizeof err);
    free(line);
    if (want_ok && rc != 0)
        fail_msg("depth %zu: %s", depth, err);
    if (!want_ok && (rc == 0 || strstr(err, "not JSON") == NULL))
        fail_msg("depth %zu accepted", depth);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    nested_field(500, true);
    nested_field(CJSON_NESTING_LIMIT + 10, false);
    nested_field(30000, false);
}

static void test_oversized(void **state)
{
    (void)state;
    size_t n = PROTOCOL_MAX_LINE + 1;
    char *line = malloc(n);
    assert_non_null(line);
    /* a valid message padded with spaces: refused for its size alone */
    memset(line, ' ', n);
    memcpy(line, "{\"hello\":{\"version\":1}}", 23);
    assert_refused(line, n, "line too long (65537 bytes, limit 65536)");
    struct protocol_msg m;
    char err[100];
    assert_int_equal(protocol_decode_client(line, n - 1, &m, err, sizeof err), 0);
    free(line);
}

/* Informational strings longer than their field are cut on a character
 * boundary, and control bytes cannot reach another user's terminal. */
static void test_long_and_hostile_strings(void **state)
{
    (void)state;
    char line[1024], client[300];
    struct protocol_msg m;
    /* "é" is 2 bytes: 62 'a' + "é" makes byte 63 the start of a character */
    memset(client, 'a', 62);
    strcpy(client + 62, "\xc3\xa9" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    snprintf(line, sizeof line, "{\"hello\":{\"version\":1,\"client\":\"%s\",\"ssh_client\":"
             "\"\\u001b[2J\\n10.0.0.5\\u0000tail\"}}", client);
    assert_decodes(line, &m);
    assert_int_equal(strlen(m.hello.client), 62);
    assert_memory_equal(m.hello.client, client, 62);
    assert_string_equal(m.hello.ssh_client, "?[2J?10.0.0.5");
    memset(client, 'z', 299);
    client[299] = '\0';
    snprintf(line, sizeof line, "{\"hello\":{\"version\":1,\"ssh_client\":\"%s\"}}", client);
    assert_decodes(line, &m);
    assert_int_equal(strlen(m.hello.ssh_client), sizeof m.hello.ssh_client - 1);
}

static void test_small_error_buffer(void **state)
{
    (void)state;
    struct protocol_msg m;
    char err[8];
    memset(err, 'q', sizeof err);
    assert_int_equal(decode("{\"snapshot\":{}}", &m, err, sizeof err), -1);
    assert_string_equal(err, "unknown");
    assert_int_equal(decode("nope", &m, NULL, 0), -1);
}

/* Server messages are single compact lines that parse back to what was put in. */
static void test_reply_and_error(void **state)
{
    (void)state;
    char *line = protocol_encode_reply(7, false, 5, "held by alice\n(since 12:00)\x01");
    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    cJSON *root = cJSON_Parse(line);
    assert_non_null(root);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "reply");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(r, "id")->valuedouble, 7);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "ok")));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(r, "exit_code")->valuedouble, 5);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "message")->valuestring,
                        "held by alice\n(since 12:00)\x01");
    cJSON_Delete(root);
    free(line);

    line = protocol_encode_error("line 3: \"not\" JSON");
    assert_string_equal(line, "{\"error\":{\"message\":\"line 3: \\\"not\\\" JSON\"}}");
    free(line);
}

static void test_command_names(void **state)
{
    (void)state;
    assert_string_equal(protocol_command_name(CMD_TAKE_CONTROL), "take-control");
    assert_string_equal(protocol_command_name(CMD_SHIFT), "shift");
    assert_string_equal(protocol_command_name((enum protocol_command)99), "unknown");
}

/* A guard's refusal is overridden only with a reason, which is journaled. */
static void test_forced_shift_needs_a_reason(void **state)
{
    (void)state;
    struct protocol_cmd c = {.id = 4, .name = CMD_SHIFT, .amount = 10, .force = true,
                             .stable = COLOR_NONE};
    snprintf(c.reason, sizeof c.reason, "green is known slow at cold start; ticket OPS-12");
    roundtrip_cmd(&c);
    refused("{\"command\": {\"id\": 1, \"name\": \"shift\", \"delta\": 10, \"force\": true}}",
            "command: a forced shift needs a \"reason\"");
    refused("{\"command\": {\"id\": 1, \"name\": \"shift\", \"delta\": 10, \"force\": 1}}",
            "command.force: expected true or false");
    refused("{\"command\": {\"id\": 1, \"name\": \"shift\", \"delta\": 10, \"reason\": 5}}",
            "command.reason: expected a string");
}

/* Encodes c and decodes it into m; returns whether the line names a rid. */
static bool lookup_roundtrip(const struct protocol_cmd *c, struct protocol_msg *m)
{
    char *line = protocol_encode_command(c);
    assert_decodes(line, m);
    bool has_rid = strstr(line, "\"rid\"") != NULL;
    free(line);
    return has_rid;
}

/* The console asks which log lines carry a failing request's id; the rid
 * is searched for literally, so anything outside [A-Za-z0-9_-] is refused. */
static void test_lookup(void **state)
{
    (void)state;
    struct protocol_cmd c = {.id = 21, .name = CMD_LOOKUP, .stable = COLOR_NONE,
                             .color = COLOR_GREEN};
    snprintf(c.rid, sizeof c.rid, "r-42_ab");
    struct protocol_msg m;
    assert_true(lookup_roundtrip(&c, &m));
    assert_int_equal(m.cmd.name, CMD_LOOKUP);
    assert_int_equal(m.cmd.color, COLOR_GREEN);
    assert_string_equal(m.cmd.rid, "r-42_ab");
    assert_true(m.cmd.id == 21);
    refused("{\"command\": {\"id\": 1, \"name\": \"lookup\", \"rid\": \"a\\\"b\", \"color\": \"green\"}}",
            "command.rid: expected");
    refused("{\"command\": {\"id\": 1, \"name\": \"lookup\", \"rid\": \"\", \"color\": \"green\"}}",
            "command.rid: expected");
    refused("{\"command\": {\"id\": 1, \"name\": \"lookup\", \"color\": \"green\"}}",
            "command.rid: expected a request id, a \"time\" or both");
    /* A failure without an id is looked up by its time; with both, both go. */
    c.rid[0] = '\0';
    c.time = 1796220202.25;
    assert_false(lookup_roundtrip(&c, &m));
    assert_string_equal(m.cmd.rid, "");
    assert_true(m.cmd.time == 1796220202.25);
    snprintf(c.rid, sizeof c.rid, "chatcmpl_9f2c");
    assert_true(lookup_roundtrip(&c, &m));
    assert_string_equal(m.cmd.rid, "chatcmpl_9f2c");
    assert_true(m.cmd.time == 1796220202.25);
    refused("{\"command\": {\"id\": 1, \"name\": \"lookup\", \"time\": -1, \"color\": \"green\"}}",
            "command.time: expected");
    refused("{\"command\": {\"id\": 1, \"name\": \"lookup\", \"time\": \"now\", \"color\": \"green\"}}",
            "command.time: expected");
    char longrid[100];
    memset(longrid, 'a', 65);
    longrid[65] = '\0';
    assert_false(protocol_rid_valid(longrid));
    longrid[64] = '\0';
    assert_true(protocol_rid_valid(longrid));
    assert_false(protocol_rid_valid("a b"));
    refused("{\"command\": {\"id\": 1, \"name\": \"lookup\", \"rid\": \"abc\", \"color\": \"red\"}}",
            "command.color: expected");
}

/* A reply's "exit_code" is what version 1 clients exit with: the numbers
 * never change, whatever the code below the CLI calls them. */
static void test_wire_codes(void **state)
{
    (void)state;
    static const struct { int err, wire; } frozen[] = {
        {ERRCODE_OK, 0}, {ERRCODE_IO, 1}, {ERRCODE_USAGE, 2}, {ERRCODE_REJECTED, 3},
        {ERRCODE_RELOAD, 4}, {ERRCODE_REFUSED, 5}, {ERRCODE_STOP, 6},
    };
    for (size_t i = 0; i < sizeof frozen / sizeof frozen[0]; i++) {
        assert_int_equal(protocol_wire_code(frozen[i].err), frozen[i].wire);
        assert_int_equal(protocol_err_of_wire(frozen[i].wire), frozen[i].err);
    }
    assert_int_equal(protocol_err_of_wire(7), ERRCODE_IO);     /* no such code */
    assert_int_equal(protocol_err_of_wire(-5), ERRCODE_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_round_trips),
        cmocka_unit_test(test_forced_shift_needs_a_reason),
        cmocka_unit_test(test_hello_round_trips),
        cmocka_unit_test(test_documented_lines),
        cmocka_unit_test(test_unknown_fields_ignored),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_bad_hello),
        cmocka_unit_test(test_bad_commands),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_long_and_hostile_strings),
        cmocka_unit_test(test_small_error_buffer),
        cmocka_unit_test(test_reply_and_error),
        cmocka_unit_test(test_wire_codes),
        cmocka_unit_test(test_command_names),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

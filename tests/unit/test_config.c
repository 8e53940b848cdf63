/* config: defaults are the runbook's numbers, and every bad file gets one
 * line naming the file, the line, the key and what is wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/config.h"

static struct config *parse_ok(const char *json)
{
    char err[512] = "";
    struct config *cfg = NULL;
    int rc = config_parse(json, "cutover.json", &cfg, err, sizeof err);
    if (rc != 0)
        print_error("unexpected error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(cfg);
    return cfg;
}

static void expect_error(const char *json, const char *want)
{
    char err[512] = "";
    struct config sentinel;
    struct config *cfg = &sentinel; /* must be reset to NULL */
    assert_int_equal(config_parse(json, "cutover.json", &cfg, err, sizeof err), -1);
    assert_null(cfg);
    assert_string_equal(err, want);
}

static void assert_argv(const struct config_argv *a, int argc, const char *const *want)
{
    assert_int_equal(a->argc, argc);
    assert_non_null(a->argv);
    for (int i = 0; i < argc; i++)
        assert_string_equal(a->argv[i], want[i]);
    assert_null(a->argv[argc]);
}

/* Guards, hooks and preflight keys (issue 6). */
static void assert_issue6_defaults(const struct config *cfg)
{
    static const char *const debug[] = { "/debug", "/admin", "/_internal" };
    assert_int_equal(cfg->rollout.min_samples, 40);  /* the median verdict's minimum */
    assert_true(cfg->rollout.auto_rollback);
    assert_int_equal(cfg->hooks.on_rollback.count, 0);
    assert_int_equal(cfg->gateway.idle_timeout_s, 300);
    assert_argv(&cfg->gateway.debug_paths, 3, debug);
    assert_int_equal(cfg->gateway.min_nofile, 4096);
    assert_string_equal(cfg->gateway.health_path, "/healthz");
    /* issue 12: OpenClaw's one WARN per failed streamed run */
    static const char *const failure[] = { "WARN:streaming chat completion failed" };
    assert_argv(&cfg->gateway.failure_patterns, 1, failure);
    assert_string_equal(cfg->gateway.ready_path, "/readyz");   /* issue 12 */
    for (int c = 0; c < COLOR_COUNT; c++) {
        assert_argv(&cfg->colors[c].secret_files, 0, NULL);
        assert_string_equal(cfg->colors[c].log_file, "");
        assert_string_equal(cfg->colors[c].pid_file, "");
        assert_string_equal(cfg->colors[c].config_file, "");
    }
}

static void assert_runbook_defaults(const struct config *cfg)
{
    static const char *const test[] = { "nginx", "-t" };
    static const char *const reload[] = { "nginx", "-s", "reload" };
    assert_string_equal(cfg->nginx.upstream_file, "/etc/nginx/conf.d/cutover-upstream.conf");
    assert_string_equal(cfg->nginx.upstream_name, "openclaw_gateway");
    assert_string_equal(cfg->nginx.balance, "least_conn");
    assert_string_equal(cfg->nginx.server_params, "max_fails=3 fail_timeout=10s");
    assert_string_equal(cfg->nginx.zone_size, "64k");
    assert_argv(&cfg->nginx.test, 2, test);
    assert_argv(&cfg->nginx.reload, 3, reload);
    assert_string_equal(cfg->nginx.pid_file, "/run/nginx.pid");
    assert_string_equal(cfg->nginx.access_log, "/var/log/nginx/cutover-access.log");
    assert_int_equal(cfg->nginx.reload_confirm_ms, 5000);
    assert_string_equal(cfg->colors[COLOR_BLUE].addr, "127.0.0.1:8787");
    assert_string_equal(cfg->colors[COLOR_GREEN].addr, "127.0.0.1:8788");
    for (int c = 0; c < COLOR_COUNT; c++) {
        assert_argv(&cfg->colors[c].stop, 0, NULL);
        assert_argv(&cfg->colors[c].start, 0, NULL);
        assert_argv(&cfg->colors[c].version, 0, NULL);
    }
    assert_int_equal(cfg->rollout.step, 10);
    assert_true(cfg->rollout.ttft_halt_pct == 8.0);
    assert_true(cfg->rollout.excess_5xx_points == 0.5);
    assert_int_equal(cfg->rollout.excess_5xx_for_s, 180);
    assert_int_equal(cfg->rollout.drain_idle_s, 120);
    assert_int_equal(cfg->rollout.min_dwell_s, 60);
    assert_int_equal(cfg->rollout.window_s, 60);
    assert_null(cfg->state_dir);
    assert_int_equal(cfg->command_timeout_ms, 10000);
    assert_issue6_defaults(cfg);
}

static void test_empty_object_gives_runbook_defaults(void **state)
{
    struct config *cfg = parse_ok("{}");
    assert_runbook_defaults(cfg);
    config_free(cfg);
    cfg = config_new_defaults();
    assert_runbook_defaults(cfg);
    config_free(cfg);
}

static void test_every_key_is_read(void **state)
{
    static const char *const stop[] = { "systemctl", "--user", "stop", "openclaw-green" };
    static const char *const test[] = { "/usr/sbin/nginx", "-t", "-c", "/etc/nginx/n.conf" };
    struct config *cfg = parse_ok(
        "{\"nginx\": {\"upstream_file\": \"/tmp/up.conf\", \"upstream_name\": \"gw\",\n"
        " \"balance\": \"\", \"server_params\": \"max_fails=1\", \"zone_size\": \"1m\",\n"
        " \"test\": [\"/usr/sbin/nginx\", \"-t\", \"-c\", \"/etc/nginx/n.conf\"],\n"
        " \"reload\": [\"kill\", \"-HUP\", \"1\"], \"pid_file\": \"/tmp/n.pid\",\n"
        " \"access_log\": \"/tmp/a.log\", \"reload_confirm_ms\": 250},\n"
        " \"colors\": {\"blue\": {\"addr\": \"[::1]:9001\"},\n"
        "   \"green\": {\"addr\": \"unix:/run/gw-green.sock\",\n"
        "     \"stop\": [\"systemctl\", \"--user\", \"stop\", \"openclaw-green\"],\n"
        "     \"version\": [\"git\", \"rev-parse\", \"HEAD\"]}},\n"
        " \"rollout\": {\"step\": 25, \"ttft_halt_pct\": 12.5, \"excess_5xx_points\": 1,\n"
        "   \"excess_5xx_for_s\": 30, \"drain_idle_s\": 0, \"min_dwell_s\": 0,\n"
        "   \"window_s\": 10},\n"
        " \"state_dir\": \"/tmp/st\", \"command_timeout_ms\": 2000}\n");
    assert_string_equal(cfg->nginx.upstream_file, "/tmp/up.conf");
    assert_string_equal(cfg->nginx.upstream_name, "gw");
    assert_string_equal(cfg->nginx.balance, "");
    assert_string_equal(cfg->nginx.server_params, "max_fails=1");
    assert_string_equal(cfg->nginx.zone_size, "1m");
    assert_argv(&cfg->nginx.test, 4, test);
    assert_int_equal(cfg->nginx.reload.argc, 3);
    assert_string_equal(cfg->nginx.pid_file, "/tmp/n.pid");
    assert_string_equal(cfg->nginx.access_log, "/tmp/a.log");
    assert_int_equal(cfg->nginx.reload_confirm_ms, 250);
    assert_string_equal(cfg->colors[COLOR_BLUE].addr, "[::1]:9001");
    assert_string_equal(cfg->colors[COLOR_GREEN].addr, "unix:/run/gw-green.sock");
    assert_argv(&cfg->colors[COLOR_GREEN].stop, 4, stop);
    assert_int_equal(cfg->colors[COLOR_GREEN].start.argc, 0);
    assert_int_equal(cfg->colors[COLOR_GREEN].version.argc, 3);
    assert_int_equal(cfg->colors[COLOR_BLUE].stop.argc, 0);
    assert_int_equal(cfg->rollout.step, 25);
    assert_true(cfg->rollout.ttft_halt_pct == 12.5);
    assert_true(cfg->rollout.excess_5xx_points == 1.0);
    assert_int_equal(cfg->rollout.excess_5xx_for_s, 30);
    assert_int_equal(cfg->rollout.drain_idle_s, 0);
    assert_int_equal(cfg->rollout.min_dwell_s, 0);
    assert_int_equal(cfg->rollout.window_s, 10);
    assert_string_equal(cfg->state_dir, "/tmp/st");
    assert_int_equal(cfg->command_timeout_ms, 2000);
    config_free(cfg);
}

static void test_partial_section_keeps_other_defaults(void **state)
{
    struct config *cfg = parse_ok("{\"rollout\": {\"step\": 5}}");
    assert_int_equal(cfg->rollout.step, 5);
    assert_int_equal(cfg->rollout.window_s, 60);
    assert_string_equal(cfg->nginx.balance, "least_conn");
    config_free(cfg);
}

static void test_syntax_error_names_line(void **state)
{
    expect_error("{\n"
                 "  \"rollout\": {\n"
                 "    \"step\": 10\n"
                 "    \"window_s\": 60\n"
                 "  }\n"
                 "}\n",
                 "cutover.json:4: JSON syntax error near '\"window_s\": 60'");
    expect_error("", "cutover.json:1: JSON syntax error at end of file");
    expect_error("{\"rollout\": {\"step\": 10}", "cutover.json:1: JSON syntax error at end of file");
}

static void test_top_level_must_be_object(void **state)
{
    expect_error("[1, 2]", "cutover.json: the top level must be a JSON object");
    expect_error("\"nginx\"", "cutover.json: the top level must be a JSON object");
}

static void test_step_must_divide_100(void **state)
{
    expect_error("{\n  \"rollout\": {\n    \"step\": 30\n  }\n}",
                 "cutover.json:3: rollout.step: 30 does not divide 100");
    expect_error("{\"rollout\": {\"step\": 0}}",
                 "cutover.json:1: rollout.step: 0 out of range (1-100)");
    expect_error("{\"rollout\": {\"step\": 10.5}}",
                 "cutover.json:1: rollout.step: expected an integer, got 10.5");
    expect_error("{\"rollout\": {\"step\": \"10\"}}",
                 "cutover.json:1: rollout.step: expected an integer");
}

static void test_unknown_color(void **state)
{
    expect_error("{\n  \"colors\": {\n    \"purple\": {\"addr\": \"127.0.0.1:9\"}\n  }\n}",
                 "cutover.json:3: colors.purple: unknown color (expected blue or green)");
}

static void test_unknown_key_suggests_close_name(void **state)
{
    expect_error("{\n  \"rollout\": {\n    \"step\": 10,\n    \"stpe\": 10\n  }\n}",
                 "cutover.json:4: rollout.stpe: unknown key (did you mean rollout.step?)");
    expect_error("{\"rolout\": {}}",
                 "cutover.json:1: rolout: unknown key (did you mean rollout?)");
    expect_error("{\"nginx\": {\"balanse\": \"ip_hash\"}}",
                 "cutover.json:1: nginx.balanse: unknown key (did you mean nginx.balance?)");
    expect_error("{\"colors\": {\"blue\": {\"adr\": \"x\"}}}",
                 "cutover.json:1: colors.blue.adr: unknown key (did you mean colors.blue.addr?)");
    /* Nothing close: no guess. */
    expect_error("{\"banana\": 1}", "cutover.json:1: banana: unknown key");
}

static void test_same_key_name_in_two_sections_gets_right_line(void **state)
{
    /* "step" appears as a string value on line 2; the key is on line 4. */
    expect_error("{\n"
                 "  \"nginx\": {\"upstream_name\": \"step\"},\n"
                 "  \"rollout\": {\n"
                 "    \"step\": 7\n"
                 "  }\n"
                 "}\n",
                 "cutover.json:4: rollout.step: 7 does not divide 100");
}

static void test_argv_types(void **state)
{
    expect_error("{\"nginx\": {\"test\": \"nginx -t\"}}",
                 "cutover.json:1: nginx.test: expected an array of strings");
    expect_error("{\"nginx\": {\"reload\": [\"nginx\", 1]}}",
                 "cutover.json:1: nginx.reload: expected an array of strings");
    expect_error("{\"nginx\": {\"test\": []}}",
                 "cutover.json:1: nginx.test: must name a program (the array is empty)");
    expect_error("{\"colors\": {\"green\": {\"stop\": [\"\", \"x\"]}}}",
                 "cutover.json:1: colors.green.stop: the program name (first element) is empty");
    /* stop/start/version may be empty: nothing to run. */
    struct config *cfg = parse_ok("{\"colors\": {\"green\": {\"stop\": []}}}");
    assert_int_equal(cfg->colors[COLOR_GREEN].stop.argc, 0);
    assert_null(cfg->colors[COLOR_GREEN].stop.argv[0]);
    config_free(cfg);
}

static void test_string_types(void **state)
{
    expect_error("{\"nginx\": {\"upstream_file\": 3}}",
                 "cutover.json:1: nginx.upstream_file: expected a string");
    expect_error("{\"nginx\": {\"upstream_file\": \"\"}}",
                 "cutover.json:1: nginx.upstream_file: must not be empty");
    expect_error("{\"nginx\": []}", "cutover.json:1: nginx: expected an object");
}

static void test_addr_validation(void **state)
{
    expect_error("{\"colors\": {\n \"green\": {\n  \"addr\": \"127.0.0.1:70000\"}}}",
                 "cutover.json:3: colors.green.addr: port 70000 out of range (1-65535)");
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"127.0.0.1:0\"}}}",
                 "cutover.json:1: colors.blue.addr: port 0 out of range (1-65535)");
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"127.0.0.1\"}}}",
                 "cutover.json:1: colors.blue.addr: \"127.0.0.1\" is not HOST:PORT, "
                 "[IPv6]:PORT or unix:/path");
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"localhost:http\"}}}",
                 "cutover.json:1: colors.blue.addr: \"localhost:http\" has no numeric port "
                 "(expected HOST:PORT)");
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"::1:8787\"}}}",
                 "cutover.json:1: colors.blue.addr: \"::1:8787\" is not HOST:PORT, "
                 "[IPv6]:PORT or unix:/path");
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"[::1]8787\"}}}",
                 "cutover.json:1: colors.blue.addr: \"[::1]8787\" is not [IPv6]:PORT");
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"unix:relative.sock\"}}}",
                 "cutover.json:1: colors.blue.addr: \"unix:relative.sock\": unix: needs an "
                 "absolute path without spaces");
    /* A value that would end the server line early is refused. */
    expect_error("{\"colors\": {\"blue\": {\"addr\": \"1.2.3.4:80;evil\"}}}",
                 "cutover.json:1: colors.blue.addr: \"1.2.3.4:80;evil\" has no numeric port "
                 "(expected HOST:PORT)");
    struct config *cfg = parse_ok("{\"colors\": {\"blue\": {\"addr\": \"[::1]:8787\"},"
                                  " \"green\": {\"addr\": \"unix:/run/g.sock\"}}}");
    config_free(cfg);
    cfg = parse_ok("{\"colors\": {\"blue\": {\"addr\": \"gw-blue.internal:65535\"}}}");
    config_free(cfg);
}

static void test_blue_and_green_must_differ(void **state)
{
    expect_error("{\"colors\": {\"green\": {\"addr\": \"127.0.0.1:8787\"}}}",
                 "cutover.json:1: colors.green.addr: same address as colors.blue.addr "
                 "(127.0.0.1:8787): blue and green must differ");
}

static void test_balance_values(void **state)
{
    static const char *const ok[] = { "least_conn", "ip_hash", "random", "" };
    char json[128];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(json, sizeof json, "{\"nginx\": {\"balance\": \"%s\"}}", ok[i]);
        struct config *cfg = parse_ok(json);
        assert_string_equal(cfg->nginx.balance, ok[i]);
        config_free(cfg);
    }
    expect_error("{\"nginx\": {\"balance\": \"hash\"}}",
                 "cutover.json:1: nginx.balance: \"hash\" is not one of least_conn, ip_hash, "
                 "random or \"\" (round robin)");
}

static void test_values_written_into_nginx_are_words(void **state)
{
    expect_error("{\"nginx\": {\"upstream_name\": \"gw } server evil\"}}",
                 "cutover.json:1: nginx.upstream_name: \"gw } server evil\" must be one word "
                 "of letters, digits, '_', '-' or '.'");
    expect_error("{\"nginx\": {\"server_params\": \"max_fails=3; }\"}}",
                 "cutover.json:1: nginx.server_params: \"max_fails=3; }\" must not contain "
                 "';', '{', '}', '#', quotes, backslashes or control characters (it is "
                 "written into nginx's config)");
    expect_error("{\"nginx\": {\"zone_size\": \"64x\"}}",
                 "cutover.json:1: nginx.zone_size: \"64x\" is not a size like 64k or 1m");
}

static void test_number_ranges(void **state)
{
    expect_error("{\"rollout\": {\"ttft_halt_pct\": -1}}",
                 "cutover.json:1: rollout.ttft_halt_pct: -1 out of range (0-10000)");
    expect_error("{\"rollout\": {\"excess_5xx_points\": -0.5}}",
                 "cutover.json:1: rollout.excess_5xx_points: -0.5 out of range (0-100)");
    expect_error("{\"rollout\": {\"window_s\": 0}}",
                 "cutover.json:1: rollout.window_s: 0 out of range (1-3600)");
    expect_error("{\"command_timeout_ms\": -1}",
                 "cutover.json:1: command_timeout_ms: -1 out of range (1-3600000)");
    expect_error("{\"nginx\": {\"reload_confirm_ms\": 1e300}}",
                 "cutover.json:1: nginx.reload_confirm_ms: 1e+300 out of range (1-600000)");
}

static void test_duplicate_key(void **state)
{
    expect_error("{\"rollout\": {\"step\": 10,\n \"step\": 20}}",
                 "cutover.json:1: rollout.step: duplicate key");
}

static void test_state_dir(void **state)
{
    struct config *cfg = parse_ok("{\"state_dir\": null}");
    assert_null(cfg->state_dir);
    config_free(cfg);
    expect_error("{\"state_dir\": 5}",
                 "cutover.json:1: state_dir: expected a non-empty string (a directory)");
}

static void test_to_json_round_trips(void **state)
{
    struct config *a = parse_ok(
        "{\"nginx\": {\"balance\": \"\", \"test\": [\"nginx\", \"-t\", \"-q\"]},"
        " \"colors\": {\"green\": {\"addr\": \"[::1]:9\", \"start\": [\"a b\", \"c\\\"d\"]}},"
        " \"rollout\": {\"step\": 20, \"excess_5xx_points\": 0.25},"
        " \"state_dir\": \"/var/lib/cutover\"}");
    char *text = config_to_json(a);
    struct config *b = parse_ok(text);
    char *again = config_to_json(b);
    assert_string_equal(text, again);
    assert_string_equal(b->nginx.balance, "");
    assert_int_equal(b->nginx.test.argc, 3);
    assert_string_equal(b->colors[COLOR_GREEN].start.argv[1], "c\"d");
    assert_int_equal(b->rollout.step, 20);
    assert_true(b->rollout.excess_5xx_points == 0.25);
    assert_string_equal(b->state_dir, "/var/lib/cutover");
    free(text);
    free(again);
    config_free(a);
    config_free(b);
}

static void test_to_json_defaults_omit_state_dir(void **state)
{
    struct config *d = config_new_defaults();
    char *text = config_to_json(d);
    struct config *back = parse_ok(text);
    assert_null(strstr(text, "state_dir"));
    assert_non_null(strstr(text, "\"upstream_name\""));
    assert_non_null(strstr(text, "\"version\""));
    assert_runbook_defaults(back);
    free(text);
    config_free(d);
    config_free(back);
}

/* Probes: the runbook's 2 s pace, a per-color user in the default body, and
 * headers whose values may name environment variables (never the secret). */
static void test_probe_and_signals_defaults(void **state)
{
    (void)state;
    struct config *cfg = parse_ok("{}");
    /* Steady probing is slow (each probe is a billed model call); a step
     * whose verdict is undecided bursts, within a budget. */
    assert_true(cfg->probe.interval_s == 10);
    assert_true(cfg->probe.timeout_s == 10);
    assert_true(cfg->probe.burst_rate == 6);
    assert_int_equal(cfg->probe.burst_max, 360);
    assert_int_equal(cfg->probe.burst_parallel, 8);
    assert_int_equal(cfg->probe.down_after, 2);
    assert_string_equal(cfg->probe.path, "/v1/chat/completions");
    assert_non_null(strstr(cfg->probe.body, "\"user\":\"cutover-probe-{color}-{slot}\""));
    assert_non_null(strstr(cfg->probe.body, "\"stream\":true"));
    assert_int_equal(cfg->probe.headers.count, 0);
    assert_int_equal(cfg->signals.history_s, 86400);
    assert_string_equal(cfg->signals.sockets, "auto");
    assert_string_equal(cfg->rollout.ttft_stat, "median");   /* the runbook's */
    assert_int_equal(cfg->signals.backfill_s, 0);
    assert_string_equal(cfg->server.watch_group, "");
    assert_string_equal(cfg->ui.theme, "");
    assert_true(cfg->server.control_grace_s == 30);
    config_free(cfg);
}

static void test_probe_headers_and_body(void **state)
{
    (void)state;
    struct config *cfg = parse_ok("{\"probe\": {\"headers\": {\"Authorization\": \"Bearer ${OPENCLAW_TOKEN}\","
                                  " \"X-Probe\": \"1\"}, \"body\": {\"model\": \"m\", \"stream\": true}}}");
    assert_int_equal(cfg->probe.headers.count, 2);
    assert_string_equal(cfg->probe.headers.name[0], "Authorization");
    assert_string_equal(cfg->probe.headers.value[0], "Bearer ${OPENCLAW_TOKEN}");
    assert_string_equal(cfg->probe.headers.name[1], "X-Probe");
    assert_string_equal(cfg->probe.body, "{\"model\":\"m\",\"stream\":true}");
    char *json = config_to_json(cfg);
    struct config *again = parse_ok(json);
    assert_int_equal(again->probe.headers.count, 2);
    assert_string_equal(again->probe.body, cfg->probe.body);
    free(json);
    config_free(again);
    config_free(cfg);
}

static void test_probe_and_signals_errors(void **state)
{
    (void)state;
    expect_error("{\"probe\": {\"headers\": {\"Bad Name\": \"x\"}}}",
                 "cutover.json:1: probe.headers: 'Bad Name' is not a header name");
    expect_error("{\"probe\": {\"headers\": {\"X-A\": \"a\\r\\nX-B: b\"}}}",
                 "cutover.json:1: probe.headers: X-A: a header value cannot hold a line break");
    expect_error("{\"probe\": {\"headers\": [\"x\"]}}",
                 "cutover.json:1: probe.headers: expected an object of header names to strings");
    expect_error("{\"probe\": {\"path\": \"v1/chat\"}}",
                 "cutover.json:1: probe.path: 'v1/chat' must start with /");
    expect_error("{\"probe\": {\"interval_s\": 0}}",
                 "cutover.json:1: probe.interval_s: 0 out of range (0.1-3600)");
    expect_error("{\"signals\": {\"sockets\": \"netstat\"}}",
                 "cutover.json:1: signals.sockets: 'netstat' is not one of auto, procnet, lsof");
    expect_error("{\"rollout\": {\"ttft_stat\": \"p99\"}}",
                 "cutover.json:1: rollout.ttft_stat: 'p99' is not one of median, p95");
    expect_error("{\"signals\": {\"histroy_s\": 60}}",
                 "cutover.json:1: signals.histroy_s: unknown key (did you mean signals.history_s?)");
}

static void test_guard_and_preflight_keys_are_read(void **state)
{
    static const char *const page[] = { "/usr/local/bin/page", "oncall" };
    static const char *const logger[] = { "logger", "-t", "cutover" };
    static const char *const secrets[] = { "/etc/gw/blue.env", "/etc/gw/keys.json" };
    static const char *const debug[] = { "/metrics-admin" };
    (void)state;
    struct config *cfg = parse_ok(
        "{\"rollout\": {\"min_samples\": 30, \"auto_rollback\": false},\n"
        " \"hooks\": {\"on_rollback\": [[\"/usr/local/bin/page\", \"oncall\"],\n"
        "   [\"logger\", \"-t\", \"cutover\"]]},\n"
        " \"gateway\": {\"idle_timeout_s\": 600, \"debug_paths\": [\"/metrics-admin\"],\n"
        "   \"min_nofile\": 65536, \"health_path\": \"/readyz\"},\n"
        " \"colors\": {\"blue\": {\"secret_files\": [\"/etc/gw/blue.env\", \"/etc/gw/keys.json\"],\n"
        "   \"log_file\": \"/var/log/gw-blue.log\", \"pid_file\": \"/run/gw-blue.pid\",\n"
        "   \"config_file\": \"/etc/gw/blue.json5\"}}}\n");
    assert_int_equal(cfg->rollout.min_samples, 30);
    assert_false(cfg->rollout.auto_rollback);
    assert_int_equal(cfg->hooks.on_rollback.count, 2);
    assert_argv(&cfg->hooks.on_rollback.items[0], 2, page);
    assert_argv(&cfg->hooks.on_rollback.items[1], 3, logger);
    assert_int_equal(cfg->gateway.idle_timeout_s, 600);
    assert_argv(&cfg->gateway.debug_paths, 1, debug);
    assert_int_equal(cfg->gateway.min_nofile, 65536);
    assert_string_equal(cfg->gateway.health_path, "/readyz");
    assert_argv(&cfg->colors[COLOR_BLUE].secret_files, 2, secrets);
    assert_string_equal(cfg->colors[COLOR_BLUE].log_file, "/var/log/gw-blue.log");
    assert_string_equal(cfg->colors[COLOR_BLUE].pid_file, "/run/gw-blue.pid");
    assert_string_equal(cfg->colors[COLOR_GREEN].pid_file, "");
    assert_string_equal(cfg->colors[COLOR_BLUE].config_file, "/etc/gw/blue.json5");
    assert_string_equal(cfg->colors[COLOR_GREEN].config_file, "");
    /* And back: config_to_json renders every new key so `init` shows them. */
    char *text = config_to_json(cfg);
    struct config *back = parse_ok(text);
    char *again = config_to_json(back);
    assert_string_equal(text, again);
    assert_non_null(strstr(text, "\"auto_rollback\":\tfalse"));
    assert_argv(&back->hooks.on_rollback.items[1], 3, logger);
    assert_argv(&back->colors[COLOR_BLUE].secret_files, 2, secrets);
    free(text);
    free(again);
    config_free(back);
    config_free(cfg);
    /* An empty hook list and an empty debug list are allowed: nothing to run or check. */
    cfg = parse_ok("{\"hooks\": {\"on_rollback\": []}, \"gateway\": {\"debug_paths\": []}}");
    assert_int_equal(cfg->hooks.on_rollback.count, 0);
    assert_int_equal(cfg->gateway.debug_paths.argc, 0);
    config_free(cfg);
}

static void test_guard_and_preflight_key_errors(void **state)
{
    (void)state;
    expect_error("{\"rollout\": {\"auto_rollback\": \"yes\"}}",
                 "cutover.json:1: rollout.auto_rollback: expected true or false");
    expect_error("{\"rollout\": {\"auto_rollback\": 1}}",
                 "cutover.json:1: rollout.auto_rollback: expected true or false");
    expect_error("{\"rollout\": {\"min_samples\": 0}}",
                 "cutover.json:1: rollout.min_samples: 0 out of range (1-100000)");
    expect_error("{\"hooks\": {\"on_rollback\": [\"page\", \"oncall\"]}}",
                 "cutover.json:1: hooks.on_rollback[1]: expected an array of strings");
    expect_error("{\"hooks\": {\"on_rollback\": \"page oncall\"}}",
                 "cutover.json:1: hooks.on_rollback: expected an array of commands "
                 "(arrays of strings)");
    expect_error("{\"hooks\": {\n \"on_rollback\": [[\"page\"], []]}}",
                 "cutover.json:2: hooks.on_rollback[2]: must name a program (the array is empty)");
    expect_error("{\"hooks\": {\"on_rollback\": [[\"\", \"x\"]]}}",
                 "cutover.json:1: hooks.on_rollback[1]: the program name (first element) is empty");
    expect_error("{\"hooks\": {\"on_rolback\": []}}",
                 "cutover.json:1: hooks.on_rolback: unknown key (did you mean hooks.on_rollback?)");
    expect_error("{\"gateway\": {\"debug_paths\": [\"/debug\", \"\"]}}",
                 "cutover.json:1: gateway.debug_paths: element 2 is empty");
    expect_error("{\"gateway\": {\"debug_paths\": [\"/debug\", \"admin\"]}}",
                 "cutover.json:1: gateway.debug_paths: 'admin' must start with /");
    expect_error("{\"gateway\": {\"failure_patterns\": [\"WARN:\"]}}",
                 "cutover.json:1: gateway.failure_patterns: pattern 1 \"WARN:\" has no text to "
                 "match (write \"LEVEL:text\" or \"text\")");
    expect_error("{\"gateway\": {\"health_path\": \"healthz\"}}",
                 "cutover.json:1: gateway.health_path: 'healthz' must start with /");
    expect_error("{\"gateway\": {\"health_path\": \"\"}}",
                 "cutover.json:1: gateway.health_path: must not be empty");
    expect_error("{\"gateway\": {\"ready_path\": \"readyz\"}}",
                 "cutover.json:1: gateway.ready_path: 'readyz' must start with / (or be \"\" "
                 "to ask health_path only)");
    expect_error("{\"gateway\": {\"idle_timeout_s\": 0}}",
                 "cutover.json:1: gateway.idle_timeout_s: 0 out of range (1-86400)");
    expect_error("{\"gateway\": {\"min_nofile\": 4096.5}}",
                 "cutover.json:1: gateway.min_nofile: expected an integer, got 4096.5");
    expect_error("{\"colors\": {\"green\": {\"secret_files\": [\"\"]}}}",
                 "cutover.json:1: colors.green.secret_files: element 1 is empty");
    expect_error("{\"colors\": {\"green\": {\"pid_file\": 7}}}",
                 "cutover.json:1: colors.green.pid_file: expected a string");
    expect_error("{\"gatway\": {}}",
                 "cutover.json:1: gatway: unknown key (did you mean gateway?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_object_gives_runbook_defaults),
        cmocka_unit_test(test_every_key_is_read),
        cmocka_unit_test(test_partial_section_keeps_other_defaults),
        cmocka_unit_test(test_syntax_error_names_line),
        cmocka_unit_test(test_top_level_must_be_object),
        cmocka_unit_test(test_step_must_divide_100),
        cmocka_unit_test(test_unknown_color),
        cmocka_unit_test(test_unknown_key_suggests_close_name),
        cmocka_unit_test(test_same_key_name_in_two_sections_gets_right_line),
        cmocka_unit_test(test_argv_types),
        cmocka_unit_test(test_string_types),
        cmocka_unit_test(test_addr_validation),
        cmocka_unit_test(test_blue_and_green_must_differ),
        cmocka_unit_test(test_balance_values),
        cmocka_unit_test(test_values_written_into_nginx_are_words),
        cmocka_unit_test(test_number_ranges),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_state_dir),
        cmocka_unit_test(test_to_json_round_trips),
        cmocka_unit_test(test_to_json_defaults_omit_state_dir),
        cmocka_unit_test(test_probe_and_signals_defaults),
        cmocka_unit_test(test_probe_headers_and_body),
        cmocka_unit_test(test_probe_and_signals_errors),
        cmocka_unit_test(test_guard_and_preflight_keys_are_read),
        cmocka_unit_test(test_guard_and_preflight_key_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

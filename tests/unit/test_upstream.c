/* upstream: the rendered file has the documented shape, and parsing reads
 * the weights nginx really uses from ours or a hand-written config. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/upstream.h"

static const char *const addrs[COLOR_COUNT] = { "127.0.0.1:8787", "127.0.0.1:8788" };

static struct upstream_spec spec_for(int blue, int green)
{
    struct upstream_spec s = {
        .name = "openclaw_gateway",
        .balance = "least_conn",
        .server_params = "max_fails=3 fail_timeout=10s",
        .zone_size = "64k",
        .addr = { addrs[0], addrs[1] },
        .weight = { blue, green },
    };
    return s;
}

static char *render_ok(const struct upstream_spec *s)
{
    char err[256] = "";
    char *text = upstream_render(s, err, sizeof err);
    if (text == NULL)
        print_error("render failed: %s\n", err);
    assert_non_null(text);
    return text;
}

static void parse_expect(const char *text, int blue, int green)
{
    char err[256] = "";
    int w[COLOR_COUNT] = { -1, -1 };
    int rc = upstream_parse(text, "openclaw_gateway", addrs, w, err, sizeof err);
    if (rc != 0)
        print_error("parse failed: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(w[COLOR_BLUE], blue);
    assert_int_equal(w[COLOR_GREEN], green);
}

static void parse_fails(const char *text, const char *want)
{
    char err[256] = "";
    int w[COLOR_COUNT] = { -1, -1 };
    assert_int_equal(upstream_parse(text, "openclaw_gateway", addrs, w, err, sizeof err), -1);
    assert_string_equal(err, want);
}

static void test_render_canary_shape(void **state)
{
    struct upstream_spec s = spec_for(90, 10);
    char *text = render_ok(&s);
    assert_string_equal(text,
        "# Managed by cutover. Written atomically on every shift; change it with `cutover shift`.\n"
        "# weights: blue 90, green 10\n"
        "upstream openclaw_gateway {\n"
        "    zone openclaw_gateway 64k;\n"
        "    least_conn;\n"
        "    server 127.0.0.1:8787 weight=90 max_fails=3 fail_timeout=10s;\n"
        "    server 127.0.0.1:8788 weight=10 max_fails=3 fail_timeout=10s;\n"
        "}\n");
    free(text);
}

static void test_render_leaves_zero_color_out(void **state)
{
    struct upstream_spec s = spec_for(100, 0);
    char *text = render_ok(&s);
    assert_string_equal(text,
        "# Managed by cutover. Written atomically on every shift; change it with `cutover shift`.\n"
        "# weights: blue 100, green 0\n"
        "upstream openclaw_gateway {\n"
        "    zone openclaw_gateway 64k;\n"
        "    least_conn;\n"
        "    server 127.0.0.1:8787 weight=100 max_fails=3 fail_timeout=10s;\n"
        "    # green (127.0.0.1:8788) is at weight 0: left out, nginx rejects weight=0\n"
        "}\n");
    /* Neither weight=0 nor a `down` sibling may appear. */
    assert_null(strstr(text, "weight=0 "));
    assert_null(strstr(text, "down"));
    free(text);
    s = spec_for(0, 100);
    text = render_ok(&s);
    assert_non_null(strstr(text, "    # blue (127.0.0.1:8787) is at weight 0: left out"));
    assert_non_null(strstr(text, "    server 127.0.0.1:8788 weight=100 max_fails"));
    free(text);
}

static void test_render_round_robin_has_no_balance_line(void **state)
{
    struct upstream_spec s = spec_for(50, 50);
    char *text;
    s.balance = "";
    s.server_params = "";
    text = render_ok(&s);
    assert_string_equal(text,
        "# Managed by cutover. Written atomically on every shift; change it with `cutover shift`.\n"
        "# weights: blue 50, green 50\n"
        "upstream openclaw_gateway {\n"
        "    zone openclaw_gateway 64k;\n"
        "    server 127.0.0.1:8787 weight=50;\n"
        "    server 127.0.0.1:8788 weight=50;\n"
        "}\n");
    free(text);
}

static void test_render_rejects_bad_weights(void **state)
{
    static const int bad[][2] = { { 0, 0 }, { 90, 20 }, { -10, 110 }, { 101, -1 }, { 50, 49 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct upstream_spec s = spec_for(bad[i][0], bad[i][1]);
        char err[256] = "";
        assert_null(upstream_render(&s, err, sizeof err));
        assert_non_null(strstr(err, "must sum to 100"));
    }
}

static void test_render_refuses_injection(void **state)
{
    struct upstream_spec s = spec_for(90, 10);
    char err[256] = "";
    s.addr[1] = "127.0.0.1:8788; } server evil:1";
    assert_null(upstream_render(&s, err, sizeof err));
    assert_non_null(strstr(err, "refusing to render"));
}

static void test_round_trip_every_weight(void **state)
{
    for (int g = 0; g <= 100; g++) {
        struct upstream_spec s = spec_for(100 - g, g);
        char *text = render_ok(&s);
        parse_expect(text, 100 - g, g);
        free(text);
    }
}

static void test_parse_hand_written_with_comments_and_other_groups(void **state)
{
    parse_expect(
        "# the gateway, by hand\n"
        "upstream other_app {   # not ours\n"
        "    server 10.0.0.1:80 weight=5;\n"
        "    server 10.0.0.2:80;\n"
        "}\n"
        "map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
        "upstream openclaw_gateway {\n"
        "    least_conn; keepalive 16;\n"
        "    server 127.0.0.1:8787 weight=9 max_fails=3;  # blue\n"
        "    server \"127.0.0.1:8788\"   # green, quoted\n"
        "           weight=1;\n"
        "}\n"
        "server { listen 80; location / { proxy_pass http://openclaw_gateway; } }\n",
        90, 10);
}

static void test_parse_inside_http_block(void **state)
{
    parse_expect(
        "events {}\n"
        "http {\n"
        "  log_format cut '$remote_addr {x} \"$request\" ${request_id}';\n"
        "  map $uri $tag { default ${request_id}x; }\n"
        "  upstream openclaw_gateway { server 127.0.0.1:8787; server 127.0.0.1:8788; }\n"
        "}\n",
        50, 50);
}

static void test_parse_rounds_to_percent(void **state)
{
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8787 weight=2;"
                 " server 127.0.0.1:8788 weight=1; }", 67, 33);
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8787 weight=1;"
                 " server 127.0.0.1:8788 weight=2; }", 33, 67);
    /* A live server never rounds to 0: it still takes traffic. */
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8787 weight=1;"
                 " server 127.0.0.1:8788 weight=999; }", 1, 99);
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8787 weight=999;"
                 " server 127.0.0.1:8788 weight=1; }", 99, 1);
}

static void test_parse_down_backup_and_absent_count_zero(void **state)
{
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8787 weight=5;"
                 " server 127.0.0.1:8788 weight=5 down; }", 100, 0);
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8787 backup;"
                 " server 127.0.0.1:8788; }", 0, 100);
    parse_expect("upstream openclaw_gateway { server 127.0.0.1:8788 weight=3; }", 0, 100);
}

static void test_parse_ipv6_and_unix(void **state)
{
    const char *const other[COLOR_COUNT] = { "[::1]:8787", "unix:/run/openclaw/green.sock" };
    char err[256] = "";
    int w[COLOR_COUNT];
    assert_int_equal(upstream_parse("upstream gw {\n server [::1]:8787 weight=3;\n"
                                    " server unix:/run/openclaw/green.sock weight=1;\n}\n",
                                    "gw", other, w, err, sizeof err), 0);
    assert_int_equal(w[COLOR_BLUE], 75);
    assert_int_equal(w[COLOR_GREEN], 25);
}

static void test_parse_localhost_alias(void **state)
{
    parse_expect("upstream openclaw_gateway { server localhost:8787 weight=4;"
                 " server 127.0.0.1:8788 weight=1; }", 80, 20);
}

static void test_parse_errors(void **state)
{
    parse_fails("upstream openclaw_gateway {\n server 127.0.0.1:8787;\n"
                " server 10.1.1.1:8788;\n}\n",
                "line 3: upstream openclaw_gateway: server 10.1.1.1:8788 is neither blue "
                "(127.0.0.1:8787) nor green (127.0.0.1:8788)");
    parse_fails("upstream other { server 127.0.0.1:8787; }\n",
                "no `upstream openclaw_gateway` block");
    parse_fails("upstream openclaw_gateway { server 127.0.0.1:8787 down; }",
                "upstream openclaw_gateway has no live server");
    parse_fails("upstream openclaw_gateway { zone openclaw_gateway 64k; }",
                "upstream openclaw_gateway has no live server");
    parse_fails("http {\n  upstream openclaw_gateway {\n    server 127.0.0.1:8787;\n}\n",
                "line 1: '{' is never closed");
    parse_fails("upstream openclaw_gateway { server 127.0.0.1:8787; }\n}\n",
                "line 2: unexpected '}' (no block open)");
    parse_fails("upstream openclaw_gateway {\n server \"127.0.0.1:8787;\n}\n",
                "line 2: unterminated string");
    parse_fails("upstream openclaw_gateway {\n server 127.0.0.1:8787\n}\n",
                "line 3: unexpected '}' (missing ';'?)");
    parse_fails("upstream openclaw_gateway {\n server 127.0.0.1:8787 weight=0;\n}\n",
                "line 2: server 127.0.0.1:8787: invalid weight=0");
    parse_fails("upstream openclaw_gateway { server 127.0.0.1:8787; }\n"
                "upstream openclaw_gateway { server 127.0.0.1:8788; }\n",
                "line 2: a second `upstream openclaw_gateway` block");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_canary_shape),
        cmocka_unit_test(test_render_leaves_zero_color_out),
        cmocka_unit_test(test_render_round_robin_has_no_balance_line),
        cmocka_unit_test(test_render_rejects_bad_weights),
        cmocka_unit_test(test_render_refuses_injection),
        cmocka_unit_test(test_round_trip_every_weight),
        cmocka_unit_test(test_parse_hand_written_with_comments_and_other_groups),
        cmocka_unit_test(test_parse_inside_http_block),
        cmocka_unit_test(test_parse_rounds_to_percent),
        cmocka_unit_test(test_parse_down_backup_and_absent_count_zero),
        cmocka_unit_test(test_parse_ipv6_and_unix),
        cmocka_unit_test(test_parse_localhost_alias),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

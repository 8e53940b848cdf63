/* nginxconf: what the preflight reads from `nginx -T`: the file defining the
 * managed upstream, the locations proxying to it and the proxy settings in
 * force there (own or inherited, includes spliced back in), and the verdicts
 * with the numbers an operator needs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/nginxconf.h"

#define UP "openclaw_gateway"

/* The shape `cutover demo` writes and nginx -T prints. */
static const char demo_dump[] =
    "# configuration file /srv/sb/nginx.conf:\n"
    "daemon off;\n"
    "events { worker_connections 1024; }\n"
    "http {\n"
    "    log_format cutover '$remote_addr [$time_local] \"$request\" rid=$request_id';\n"
    "    include /srv/sb/upstream.conf;\n"
    "    server {\n"
    "        listen 127.0.0.1:8080;\n"
    "        location / {\n"
    "            proxy_pass http://openclaw_gateway;\n"
    "            proxy_http_version 1.1;\n"
    "            proxy_set_header Connection \"\";\n"
    "            proxy_buffering off;\n"
    "            proxy_read_timeout 300s;\n"
    "            proxy_set_header Host $host;\n"
    "        }\n"
    "    }\n"
    "}\n"
    "\n"
    "# configuration file /srv/sb/upstream.conf:\n"
    "# Managed by cutover.\n"
    "upstream openclaw_gateway {\n"
    "    least_conn;\n"
    "    server 127.0.0.1:8787 weight=100;\n"
    "}\n";

static struct nginxconf *parse_ok(const char *dump)
{
    char err[256] = "";
    struct nginxconf *nc = NULL;
    int rc = nginxconf_parse(dump, UP, &nc, err, sizeof err);
    if (rc != 0)
        print_error("parse failed: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(nc);
    return nc;
}

static void test_demo_shape(void **state)
{
    (void)state;
    struct nginxconf *nc = parse_ok(demo_dump);
    assert_int_equal(nc->file_count, 2);
    assert_string_equal(nc->files[1], "/srv/sb/upstream.conf");
    assert_non_null(nc->upstream_file);
    assert_string_equal(nc->upstream_file, "/srv/sb/upstream.conf");
    assert_int_equal(nc->upstream_line, 2);
    assert_int_equal(nc->location_total, 1);
    const struct nginxconf_location *l = &nc->locations[0];
    assert_string_equal(l->where, "/srv/sb/nginx.conf:9");
    assert_string_equal(l->match, "/");
    assert_string_equal(l->buffering.value, "off");
    assert_string_equal(l->read_timeout.value, "300s");
    char why[512];
    assert_int_equal(nginxconf_judge_streaming(l, 300, why, sizeof why), 0);
    assert_string_equal(why, "");
    /* The demo sets other headers but not X-Forwarded-For. */
    assert_false(l->xff.set);
    assert_int_equal(nginxconf_judge_xff(l, why, sizeof why), 1);
    assert_non_null(strstr(why, "not set"));
    nginxconf_free(nc);
}

/* Replaces the first `from` in the demo with `to`. */
static void demo_with(char *buf, size_t len, const char *from, const char *to)
{
    const char *at = strstr(demo_dump, from);
    assert_non_null(at);
    snprintf(buf, len, "%.*s%s%s", (int)(at - demo_dump), demo_dump, to, at + strlen(from));
}

static void test_buffering_on_fails(void **state)
{
    (void)state;
    char dump[4096], why[512];
    demo_with(dump, sizeof dump, "proxy_buffering off;", "proxy_buffering on;");
    struct nginxconf *nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 300, why, sizeof why), 1);
    assert_string_equal(why, "proxy_buffering on (must be off for streams)");
    nginxconf_free(nc);
    /* Left out, nginx buffers: that fails too. */
    demo_with(dump, sizeof dump, "proxy_buffering off;", "");
    nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 300, why, sizeof why), 1);
    assert_non_null(strstr(why, "proxy_buffering is not set"));
    nginxconf_free(nc);
}

static void test_timeout_mismatch_names_both(void **state)
{
    (void)state;
    char dump[4096], why[512];
    demo_with(dump, sizeof dump, "proxy_read_timeout 300s;", "proxy_read_timeout 60s;");
    struct nginxconf *nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 300, why, sizeof why), 1);
    assert_string_equal(why, "proxy_read_timeout 60s but gateway.idle_timeout_s is 300");
    /* The same location agrees with a gateway whose ceiling is 60 s. */
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 60, why, sizeof why), 0);
    nginxconf_free(nc);
    /* Not set at all: nginx's 60 s default is what runs. */
    demo_with(dump, sizeof dump, "proxy_read_timeout 300s;", "");
    nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 300, why, sizeof why), 1);
    assert_string_equal(why, "proxy_read_timeout 60s (the default) but gateway.idle_timeout_s is 300");
    nginxconf_free(nc);
    /* 5m is 300 s. */
    demo_with(dump, sizeof dump, "proxy_read_timeout 300s;", "proxy_read_timeout 5m;");
    nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 300, why, sizeof why), 0);
    nginxconf_free(nc);
}

static void test_every_problem_listed(void **state)
{
    (void)state;
    char dump[4096], tmp[4096], why[512];
    demo_with(tmp, sizeof tmp, "proxy_http_version 1.1;", "proxy_http_version 1.0;");
    demo_with(dump, sizeof dump, "proxy_buffering off;", "proxy_buffering on;");
    /* apply both edits */
    const char *at = strstr(tmp, "proxy_buffering off;");
    assert_non_null(at);
    snprintf(dump, sizeof dump, "%.*sproxy_buffering on;%s", (int)(at - tmp), tmp,
             at + strlen("proxy_buffering off;"));
    struct nginxconf *nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_streaming(&nc->locations[0], 300, why, sizeof why), 2);
    assert_string_equal(why, "proxy_buffering on (must be off for streams); "
                             "proxy_http_version 1.0 (must be 1.1)");
    nginxconf_free(nc);
}

static void test_xff_verdicts(void **state)
{
    (void)state;
    char dump[4096], why[512];
    demo_with(dump, sizeof dump, "proxy_set_header Host $host;",
              "proxy_set_header X-Forwarded-For $remote_addr;");
    struct nginxconf *nc = parse_ok(dump);
    assert_string_equal(nc->locations[0].xff.value, "$remote_addr");
    assert_int_equal(nginxconf_judge_xff(&nc->locations[0], why, sizeof why), 0);
    nginxconf_free(nc);

    demo_with(dump, sizeof dump, "proxy_set_header Host $host;",
              "proxy_set_header x-forwarded-for $proxy_add_x_forwarded_for;");
    nc = parse_ok(dump);
    assert_int_equal(nginxconf_judge_xff(&nc->locations[0], why, sizeof why), 1);
    assert_non_null(strstr(why, "$proxy_add_x_forwarded_for"));
    assert_non_null(strstr(why, "403"));
    nginxconf_free(nc);
}

/* Settings in http {} of the main file reach a location in a file included
 * by a relative glob; proxy_set_header is inherited only by a level that
 * sets none of its own. */
static const char split_dump[] =
    "# configuration file /etc/nginx/nginx.conf:\n"
    "events {}\n"
    "http {\n"
    "    proxy_buffering off;\n"
    "    proxy_http_version 1.1;\n"
    "    proxy_read_timeout 5m;\n"
    "    proxy_set_header X-Forwarded-For $remote_addr;\n"
    "    include conf.d/*.conf;\n"
    "}\n"
    "# configuration file /etc/nginx/conf.d/cutover-upstream.conf:\n"
    "upstream openclaw_gateway { server 127.0.0.1:8787; }\n"
    "# configuration file /etc/nginx/conf.d/site.conf:\n"
    "server {\n"
    "    location /v1/ {\n"
    "        proxy_pass http://openclaw_gateway/v1/;\n"
    "    }\n"
    "    location = /health {\n"
    "        proxy_set_header Host $host;\n"
    "        proxy_pass http://openclaw_gateway;\n"
    "    }\n"
    "    location /other { proxy_pass http://openclaw_gateway_old; }\n"
    "}\n"
    "# configuration file /etc/nginx/mime.types:\n"
    "types { text/html html; }\n";

static void test_inherited_through_include(void **state)
{
    (void)state;
    struct nginxconf *nc = parse_ok(split_dump);
    assert_string_equal(nc->upstream_file, "/etc/nginx/conf.d/cutover-upstream.conf");
    assert_int_equal(nc->location_total, 2);   /* not the _old upstream */
    const struct nginxconf_location *v1 = &nc->locations[0], *health = &nc->locations[1];
    assert_string_equal(v1->match, "/v1/");
    assert_string_equal(v1->where, "/etc/nginx/conf.d/site.conf:3");
    assert_string_equal(v1->read_timeout.where, "/etc/nginx/nginx.conf:5");
    char why[512];
    assert_int_equal(nginxconf_judge_streaming(v1, 300, why, sizeof why), 0);
    assert_int_equal(nginxconf_judge_xff(v1, why, sizeof why), 0);
    assert_string_equal(v1->xff.where, "/etc/nginx/nginx.conf:6");
    /* It sets Host itself, so the http-level X-Forwarded-For is gone. */
    assert_string_equal(health->match, "= /health");
    assert_false(health->xff.set);
    assert_int_equal(nginxconf_judge_xff(health, why, sizeof why), 1);
    nginxconf_free(nc);
}

static void test_upstream_missing(void **state)
{
    (void)state;
    const char *dump = "# configuration file /etc/nginx/nginx.conf:\n"
                       "http { server { location / { proxy_pass http://127.0.0.1:8787; } } }\n";
    struct nginxconf *nc = parse_ok(dump);
    assert_null(nc->upstream_file);
    assert_int_equal(nc->location_total, 0);
    nginxconf_free(nc);
}

static void test_malformed(void **state)
{
    (void)state;
    char err[256];
    struct nginxconf *nc = (struct nginxconf *)1;
    assert_int_equal(nginxconf_parse("nginx: configuration file test is successful\n", UP, &nc,
                                     err, sizeof err), -1);
    assert_null(nc);
    assert_non_null(strstr(err, "not nginx -T output"));
    assert_int_equal(nginxconf_parse("# configuration file /a.conf:\nhttp {\n  server {\n}\n",
                                     UP, &nc, err, sizeof err), -1);
    assert_string_equal(err, "/a.conf:4: missing '}'");
    assert_int_equal(nginxconf_parse("# configuration file /a.conf:\nhttp { }\n}\n", UP, &nc,
                                     err, sizeof err), -1);
    assert_string_equal(err, "/a.conf:2: unexpected '}'");
    /* A file including itself must end, not loop. */
    assert_int_equal(nginxconf_parse("# configuration file /a.conf:\ninclude /b.conf;\n"
                                     "# configuration file /b.conf:\ninclude /b.conf;\n",
                                     UP, &nc, err, sizeof err), -1);
    assert_non_null(strstr(err, "nested deeper"));
}

/* limit_req_zone anywhere in http, and the limit_req in force at a location
 * (its own, else inherited), for the gateway.limits check. */
static void test_limit_req_zones(void **state)
{
    (void)state;
    char dump[4096];
    demo_with(dump, sizeof dump, "    server {\n",
              "    limit_req_zone $binary_remote_addr zone=tenant:10m rate=10r/s;\n"
              "    limit_req_zone $http_x_tenant zone=slow:1m rate=30r/m;\n"
              "    limit_req zone=tenant burst=20 nodelay;\n"
              "    server {\n");
    struct nginxconf *nc = parse_ok(dump);
    assert_int_equal(nc->zone_count, 2);
    assert_string_equal(nc->zones[0].name, "tenant");
    assert_string_equal(nc->zones[0].rate, "10r/s");
    assert_string_equal(nc->zones[0].where, "/srv/sb/nginx.conf:6");
    assert_string_equal(nc->zones[1].name, "slow");
    assert_true(nc->locations[0].limit_req.set);
    assert_string_equal(nc->locations[0].limit_req.value, "zone=tenant burst=20 nodelay");
    nginxconf_free(nc);
    nc = parse_ok(demo_dump);
    assert_int_equal(nc->zone_count, 0);
    assert_false(nc->locations[0].limit_req.set);
    nginxconf_free(nc);
    double r;
    assert_int_equal(nginxconf_rate_per_s("10r/s", &r), 0);
    assert_true(r == 10);
    assert_int_equal(nginxconf_rate_per_s("30r/m", &r), 0);
    assert_true(r == 0.5);
    assert_int_equal(nginxconf_rate_per_s("10", &r), -1);
    assert_int_equal(nginxconf_rate_per_s("r/s", &r), -1);
}

static void test_time_syntax(void **state)
{
    (void)state;
    static const struct { const char *text; long long ms; } good[] = {
        {"300", 300000}, {"300s", 300000}, {"5m", 300000}, {"1m30s", 90000},
        {"500ms", 500}, {"1h", 3600000}, {"1d", 86400000}, {"1h 30m", 5400000},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long long ms = -1;
        assert_int_equal(nginxconf_time_ms(good[i].text, &ms), 0);
        assert_true(ms == good[i].ms);
    }
    static const char *const bad[] = {"", "abc", "1m30", "5x", "-1", "30 1m", "s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long ms;
        assert_int_equal(nginxconf_time_ms(bad[i], &ms), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_shape),
        cmocka_unit_test(test_buffering_on_fails),
        cmocka_unit_test(test_timeout_mismatch_names_both),
        cmocka_unit_test(test_every_problem_listed),
        cmocka_unit_test(test_xff_verdicts),
        cmocka_unit_test(test_inherited_through_include),
        cmocka_unit_test(test_upstream_missing),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_time_syntax),
        cmocka_unit_test(test_limit_req_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* logparse: the lines nginx really writes with our log_format (retries,
 * redirects, no upstream, IPv6, unix sockets, escaped quotes) parse into the
 * attempts `stats` counts per color; truncated and binary lines are rejected
 * with a reason instead of being half-counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/logparse.h"

#define PREFIX "127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] \"POST /v1/chat/completions HTTP/1.1\" "

/* A line in our format with the upstream lists given. */
static const char *line_with(char *buf, size_t n, int status, const char *uct,
                             const char *uht, const char *ua, const char *us)
{
    snprintf(buf, n,
             PREFIX "%d 512 \"-\" \"curl/8.5.0\" rt=1.234 uct=\"%s\" uht=\"%s\" "
             "urt=\"1.230\" ua=\"%s\" us=\"%s\" rid=4f1c2a msec=1728568536.123",
             status, uct, uht, ua, us);
    return buf;
}

static struct logparse_record parse_ok(const char *line)
{
    struct logparse_record rec;
    int rc = logparse_line(line, strlen(line), &rec);
    if (rc != 0)
        print_error("rejected (%s): %s\n", logparse_reason_text(rec.reason), line);
    assert_int_equal(rc, 0);
    assert_int_equal(rec.reason, LOGPARSE_OK);
    return rec;
}

static void parse_fails(const char *line, size_t len, enum logparse_reason want)
{
    struct logparse_record rec;
    assert_int_equal(logparse_line(line, len, &rec), -1);
    if (rec.reason != want)
        print_error("reason %s, wanted %s: %.*s\n", logparse_reason_text(rec.reason),
                    logparse_reason_text(want), (int)len, line);
    assert_int_equal(rec.reason, want);
}

static void assert_str(struct logparse_str s, const char *want)
{
    if (s.len != strlen(want) || memcmp(s.p, want, s.len) != 0)
        print_error("got '%.*s', wanted '%s'\n", (int)s.len, s.p, want);
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.p, want, s.len);
}

static void test_single_attempt(void **state)
{
    (void)state;
    char buf[1024];
    struct logparse_record r = parse_ok(line_with(buf, sizeof buf, 200, "0.001", "0.150",
                                                  "127.0.0.1:8787", "200"));
    assert_int_equal(r.status, 200);
    assert_int_equal(r.request_us, 1234000);
    assert_int_equal(r.msec, 1728568536123LL);
    assert_str(r.remote_addr, "127.0.0.1");
    assert_str(r.method, "POST");
    assert_str(r.path, "/v1/chat/completions");
    assert_str(r.rid, "4f1c2a");
    assert_int_equal(r.n_attempts, 1);
    assert_false(r.attempts_truncated);
    assert_str(r.attempt[0].addr, "127.0.0.1:8787");
    assert_int_equal(r.attempt[0].status, 200);
    assert_int_equal(r.attempt[0].header_us, 150000);
    assert_int_equal(r.attempt[0].connect_us, 1000);
    assert_false(r.attempt[0].after_redirect);
}

/* proxy_next_upstream: blue failed, green answered; each attempt has its own
 * status and header time, and the failed one had no header. */
static void test_retry_counts_each_attempt(void **state)
{
    (void)state;
    char buf[1024];
    struct logparse_record r = parse_ok(line_with(buf, sizeof buf, 200, "0.000, 0.001", "-, 0.412",
                                                  "127.0.0.1:8787, 127.0.0.1:8788", "502, 200"));
    assert_int_equal(r.n_attempts, 2);
    assert_str(r.attempt[0].addr, "127.0.0.1:8787");
    assert_str(r.attempt[1].addr, "127.0.0.1:8788");
    assert_int_equal(r.attempt[0].status, 502);
    assert_int_equal(r.attempt[1].status, 200);
    assert_int_equal(r.attempt[0].header_us, -1);
    assert_int_equal(r.attempt[1].header_us, 412000);
    assert_false(r.attempt[1].after_redirect);
}

static void test_redirect_and_retry_mixed(void **state)
{
    (void)state;
    char buf[1024];
    struct logparse_record r = parse_ok(line_with(buf, sizeof buf, 200,
        "0.000, 0.000 : 0.002", "-, 0.010 : 12.5", "127.0.0.1:8787, 127.0.0.1:8788 : [::1]:8788",
        "502, 404 : 200"));
    assert_int_equal(r.n_attempts, 3);
    assert_false(r.attempt[1].after_redirect);
    assert_true(r.attempt[2].after_redirect);
    assert_str(r.attempt[2].addr, "[::1]:8788");
    assert_int_equal(r.attempt[1].status, 404);
    assert_int_equal(r.attempt[2].status, 200);
    assert_int_equal(r.attempt[2].header_us, 12500000);
    assert_int_equal(r.attempt[2].connect_us, 2000);
}

/* nginx answered itself (a 499 before proxying, a 400, a return): no attempt. */
static void test_dash_means_no_attempt(void **state)
{
    (void)state;
    char buf[1024];
    struct logparse_record r = parse_ok(line_with(buf, sizeof buf, 499, "-", "-", "-", "-"));
    assert_int_equal(r.status, 499);
    assert_int_equal(r.n_attempts, 0);
}

static void test_ipv6_unix_and_group_name(void **state)
{
    (void)state;
    const char *v6 = "2001:db8::7 - alice [10/Oct/2024:13:55:36 +0000] \"GET /health HTTP/1.1\" 200 2 "
                     "\"-\" \"kube-probe/1.29\" rt=0.003 uct=\"0.000\" uht=\"0.003\" urt=\"0.003\" "
                     "ua=\"[::1]:8788\" us=\"200\" rid=aa msec=1728568536.000";
    struct logparse_record r = parse_ok(v6);
    assert_str(r.remote_addr, "2001:db8::7");
    assert_str(r.method, "GET");
    assert_str(r.path, "/health");
    assert_str(r.attempt[0].addr, "[::1]:8788");

    char buf[1024];
    r = parse_ok(line_with(buf, sizeof buf, 200, "0.000, 0.000", "-, 0.020",
                           "unix:/run/gw/blue.sock, unix:/run/gw/green.sock", "502, 200"));
    assert_int_equal(r.n_attempts, 2);
    assert_str(r.attempt[0].addr, "unix:/run/gw/blue.sock");
    assert_str(r.attempt[1].addr, "unix:/run/gw/green.sock");

    /* No live server: nginx logs the group's name as the address. */
    r = parse_ok(line_with(buf, sizeof buf, 502, "-", "-", "openclaw_gateway", "502"));
    assert_int_equal(r.n_attempts, 1);
    assert_str(r.attempt[0].addr, "openclaw_gateway");
    assert_int_equal(r.attempt[0].status, 502);
}

/* nginx escapes a quote inside a value as \x22; spaces stay raw. */
static void test_quotes_and_spaces_in_request_and_agent(void **state)
{
    (void)state;
    const char *line = "10.0.0.9 - - [10/Oct/2024:13:55:36 +0000] \"GET /search?q=\\x22a b\\x22 x HTTP/1.1\" "
                       "200 10 \"https://x/?a=\\x22 b\" \"Mozilla/5.0 (X11; Linux x86_64) \\x22quoted\\x22 "
                       "ua=\\x22127.0.0.1:8787\\x22\" rt=0.050 uct=\"0.001\" uht=\"0.049\" urt=\"0.050\" "
                       "ua=\"127.0.0.1:8788\" us=\"200\" rid=r1 msec=1728568536.500";
    struct logparse_record r = parse_ok(line);
    assert_str(r.method, "GET");
    assert_str(r.path, "/search?q=\\x22a b\\x22 x");
    assert_str(r.attempt[0].addr, "127.0.0.1:8788");
    assert_int_equal(r.msec, 1728568536500LL);

    /* Other escapers write \" : the quote is not the field's end. */
    const char *bs = "10.0.0.9 - - [10/Oct/2024:13:55:36 +0000] \"GET /a\\\"b HTTP/1.0\" 200 1 \"-\" "
                     "\"say \\\"hi\\\" now\" rt=0.001 uct=\"-\" uht=\"-\" urt=\"-\" ua=\"-\" us=\"-\" "
                     "rid=r2 msec=1.000";
    r = parse_ok(bs);
    assert_str(r.path, "/a\\\"b");
    assert_int_equal(r.n_attempts, 0);

    /* A broken client's request line is still a logged request. */
    const char *garbage_req = "10.0.0.9 - - [10/Oct/2024:13:55:36 +0000] \"\\x16\\x03\\x01\" 400 150 \"-\" \"-\" "
                              "rt=0.000 uct=\"-\" uht=\"-\" urt=\"-\" ua=\"-\" us=\"-\" rid=r3 msec=2.000";
    r = parse_ok(garbage_req);
    assert_int_equal(r.status, 400);
    assert_int_equal(r.method.len, 0);
}

static void test_crlf_and_extra_fields_tolerated(void **state)
{
    (void)state;
    char buf[1024], crlf[1100];
    line_with(buf, sizeof buf, 503, "0.001", "0.002", "127.0.0.1:8787", "503");
    snprintf(crlf, sizeof crlf, "%s\r\n", buf);
    struct logparse_record r = parse_ok(crlf);
    assert_int_equal(r.msec, 1728568536123LL);
    assert_int_equal(r.attempt[0].status, 503);

    char extra[1200];
    snprintf(extra, sizeof extra, "%s host=api.example.com \"quoted extra\" bare\n", buf);
    r = parse_ok(extra);
    assert_int_equal(r.attempt[0].status, 503);
    assert_int_equal(r.msec, 1728568536123LL);
}

/* Every cut of a good line is rejected: a half-written last line must not
 * be counted (the tail reads it again when it is complete). */
static void test_every_truncation_rejected(void **state)
{
    (void)state;
    char buf[1024];
    line_with(buf, sizeof buf, 200, "0.000, 0.001", "-, 0.412", "127.0.0.1:8787, 127.0.0.1:8788",
              "502, 200");
    size_t len = strlen(buf);
    for (size_t cut = 0; cut < len; cut++) {
        struct logparse_record r;
        if (logparse_line(buf, cut, &r) == 0)
            print_error("accepted a line cut at %zu: %.*s\n", cut, (int)cut, buf);
        assert_int_not_equal(logparse_line(buf, cut, &r), 0);
        assert_int_not_equal(r.reason, LOGPARSE_OK);
    }
    parse_fails(buf, 60, LOGPARSE_E_QUOTED);
    parse_fails(buf, strstr(buf, " rid=") - buf, LOGPARSE_E_MISSING);
    parse_fails(buf, len - 1, LOGPARSE_E_NUMBER);
    parse_fails("\r\n", 2, LOGPARSE_E_EMPTY);
}

static void test_binary_garbage_rejected(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    char junk[300];
    for (int i = 0; i < 2000; i++) {
        size_t n = 1 + (size_t)(i % (int)sizeof junk);
        for (size_t j = 0; j < n; j++) {
            seed = seed * 1103515245u + 12345u;
            junk[j] = (char)(seed >> 16);
        }
        struct logparse_record r;
        assert_int_equal(logparse_line(junk, n, &r), -1);
    }
    /* A NUL or a stray byte inside the structure breaks it. */
    char buf[1024];
    line_with(buf, sizeof buf, 200, "0.001", "0.150", "127.0.0.1:8787", "200");
    size_t len = strlen(buf);
    char *st = strstr(buf, "\" 200 ");
    st[3] = '\0';
    parse_fails(buf, len, LOGPARSE_E_STATUS);
    line_with(buf, sizeof buf, 200, "0.001", "0.1\x01", "127.0.0.1:8787", "200");
    parse_fails(buf, strlen(buf), LOGPARSE_E_LIST);
    const char *no_fields = "- - - [x] \"a\" 200 1 \"-\" \"-\"";
    parse_fails(no_fields, strlen(no_fields), LOGPARSE_E_MISSING);
    parse_fails("not a log line at all", 21, LOGPARSE_E_PREFIX);
}

static void test_list_errors(void **state)
{
    (void)state;
    char buf[1024];
    line_with(buf, sizeof buf, 200, "0.0, 0.0", "0.1, 0.1", "127.0.0.1:8787, 127.0.0.1:8788", "200");
    parse_fails(buf, strlen(buf), LOGPARSE_E_MISMATCH);
    line_with(buf, sizeof buf, 200, "0.0", "0.1", "127.0.0.1:8787,", "200");
    parse_fails(buf, strlen(buf), LOGPARSE_E_LIST);
    line_with(buf, sizeof buf, 200, "0.0", "0.1", "127.0.0.1:8787", "2x0");
    parse_fails(buf, strlen(buf), LOGPARSE_E_LIST);
    line_with(buf, sizeof buf, 200, "0.0", "abc", "127.0.0.1:8787", "200");
    parse_fails(buf, strlen(buf), LOGPARSE_E_LIST);
}

static void test_too_many_attempts_keeps_first(void **state)
{
    (void)state;
    char ua[512] = "", us[256] = "", t[256] = "", buf[2048];
    for (int i = 0; i < 20; i++) {
        const char *sep = i == 0 ? "" : ", ";
        snprintf(ua + strlen(ua), sizeof ua - strlen(ua), "%s10.0.0.%d:80", sep, i);
        snprintf(us + strlen(us), sizeof us - strlen(us), "%s%d", sep, 500 + i);
        snprintf(t + strlen(t), sizeof t - strlen(t), "%s0.%03d", sep, i);
    }
    struct logparse_record r = parse_ok(line_with(buf, sizeof buf, 519, t, t, ua, us));
    assert_int_equal(r.n_attempts, LOGPARSE_MAX_ATTEMPTS);
    assert_true(r.attempts_truncated);
    assert_str(r.attempt[15].addr, "10.0.0.15:80");
    assert_int_equal(r.attempt[15].status, 515);
    assert_int_equal(r.attempt[15].header_us, 15000);
}

static void test_addr_index_is_exact(void **state)
{
    (void)state;
    const char *addrs[2] = { "127.0.0.1:8787", "[::1]:8788" };
    size_t lens[2] = { strlen(addrs[0]), strlen(addrs[1]) };
    struct logparse_str a = { "127.0.0.1:8787", 14 };
    assert_int_equal(logparse_addr_index(a, addrs, lens, 2), 0);
    a = (struct logparse_str){ "[::1]:8788", 10 };
    assert_int_equal(logparse_addr_index(a, addrs, lens, 2), 1);
    a = (struct logparse_str){ "127.0.0.1:87870", 15 };
    assert_int_equal(logparse_addr_index(a, addrs, lens, 2), -1);
    a = (struct logparse_str){ "127.0.0.1:878", 13 };
    assert_int_equal(logparse_addr_index(a, addrs, lens, 2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_attempt),
        cmocka_unit_test(test_retry_counts_each_attempt),
        cmocka_unit_test(test_redirect_and_retry_mixed),
        cmocka_unit_test(test_dash_means_no_attempt),
        cmocka_unit_test(test_ipv6_unix_and_group_name),
        cmocka_unit_test(test_quotes_and_spaces_in_request_and_agent),
        cmocka_unit_test(test_crlf_and_extra_fields_tolerated),
        cmocka_unit_test(test_every_truncation_rejected),
        cmocka_unit_test(test_binary_garbage_rejected),
        cmocka_unit_test(test_list_errors),
        cmocka_unit_test(test_too_many_attempts_keeps_first),
        cmocka_unit_test(test_addr_index_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

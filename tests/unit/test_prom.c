/* test_prom: the Prometheus endpoint's text (counters, histogram buckets
 * cumulative and ending in +Inf, series left out when unknown), the listen
 * address parser (IPv4, [IPv6], localhost, loopback or not, bad forms), the
 * HTTP server on a real loop (GET /metrics, 404, an oversized request, many
 * clients at once, nothing left open after stop), and the Grafana
 * annotation body built from journal events. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "server/grafana.h"
#include "server/prom.h"

static struct prom_metrics sample_metrics(void)
{
    struct prom_metrics m;
    memset(&m, 0, sizeof m);
    m.color[COLOR_BLUE] = (struct prom_color){.s[METRIC_CONNECTIONS].gauge = 7, .weight = 90,
                                              .s[METRIC_REQUESTS].total = 1000,
                                              .s[METRIC_STATUS_5XX].total = 3};
    m.color[COLOR_GREEN] = (struct prom_color){.s[METRIC_CONNECTIONS].gauge = -1, .weight = 10,
                                               .s[METRIC_REQUESTS].total = 100,
                                               .s[METRIC_STATUS_5XX].total = 20};
    prom_observe(&m.color[COLOR_GREEN].s[METRIC_TTFT], 0.040, 2);   /* le 0.05 */
    prom_observe(&m.color[COLOR_GREEN].s[METRIC_TTFT], 0.3, 1);     /* le 0.5 */
    prom_observe(&m.color[COLOR_GREEN].s[METRIC_TTFT], 60.0, 1);    /* +Inf only */
    m.n_guards = 2;
    snprintf(m.guard[0].name, sizeof m.guard[0].name, "ttft");
    m.guard[0].level = 1;
    snprintf(m.guard[1].name, sizeof m.guard[1].name, "5xx");
    m.guard[1].level = 2;
    return m;
}

static void test_render(void **state)
{
    (void)state;
    struct prom_metrics m = sample_metrics();
    size_t len;
    char *t = prom_render(&m, &len);
    assert_non_null(t);
    assert_int_equal(strlen(t), len);
    assert_non_null(strstr(t, "# TYPE cutover_requests_total counter\n"));
    assert_non_null(strstr(t, "cutover_requests_total{color=\"blue\"} 1000\n"));
    assert_non_null(strstr(t, "cutover_responses_5xx_total{color=\"green\"} 20\n"));
    assert_non_null(strstr(t, "cutover_upstream_connections{color=\"blue\"} 7\n"));
    /* an unknown gauge is left out, not reported as 0 or -1 */
    assert_null(strstr(t, "cutover_upstream_connections{color=\"green\"}"));
    assert_non_null(strstr(t, "cutover_weight{color=\"green\"} 10\n"));
    assert_non_null(strstr(t, "# TYPE cutover_ttft_seconds histogram\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_bucket{color=\"green\",le=\"0.025\"} 0\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_bucket{color=\"green\",le=\"0.05\"} 2\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_bucket{color=\"green\",le=\"0.5\"} 3\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_bucket{color=\"green\",le=\"10\"} 3\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_bucket{color=\"green\",le=\"+Inf\"} 4\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_count{color=\"green\"} 4\n"));
    assert_non_null(strstr(t, "cutover_ttft_seconds_sum{color=\"green\"} 60.380000\n"));
    assert_non_null(strstr(t, "cutover_guard_state{guard=\"5xx\"} 2\n"));
    assert_non_null(strstr(t, "# HELP cutover_guard_state "));
    free(t);
}

static void test_parse_listen(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    bool lo;
    char err[256];
    assert_int_equal(prom_parse_listen("127.0.0.1:9464", &ss, &lo, err, sizeof err), 0);
    assert_true(lo);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9464);
    assert_int_equal(prom_parse_listen("[::1]:9464", &ss, &lo, err, sizeof err), 0);
    assert_true(lo);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(prom_parse_listen("localhost:1", &ss, &lo, err, sizeof err), 0);
    assert_true(lo);
    assert_int_equal(prom_parse_listen("0.0.0.0:9464", &ss, &lo, err, sizeof err), 0);
    assert_false(lo);
    assert_int_equal(prom_parse_listen("[::]:9464", &ss, &lo, err, sizeof err), 0);
    assert_false(lo);
    assert_int_equal(prom_parse_listen("127.5.5.5:80", &ss, &lo, err, sizeof err), 0);
    assert_true(lo);
    static const char *const bad[] = {"9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                                      "127.0.0.1:x", "example.com:9464", "::1:9464",
                                      "[::1:9464", "127.1:9464", "[]:9464", ":9464"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(prom_parse_listen(bad[i], &ss, &lo, err, sizeof err), -1);
        assert_non_null(strstr(err, "export.prometheus_listen"));
        assert_null(strchr(err, '\n'));
    }
}

/* ---- the server on a real loop, clients on a thread ----------------------- */

struct live {
    uv_loop_t loop;
    uv_async_t finished;
    struct prom *p;
    int port;
    char replies[4][PROM_MAX_REQUEST * 2];
    int many_ok;
    bool stopped;
};

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Sends req, reads the reply to EOF (the server closes after replying). */
static void roundtrip(int port, const char *req, size_t reqlen, char *out, size_t cap)
{
    out[0] = '\0';
    int fd = dial(port);
    if (fd < 0)
        return;
    size_t off = 0;
    while (off < reqlen) {
        ssize_t n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    size_t len = 0;
    ssize_t n;
    while (len < cap - 1 && (n = recv(fd, out + len, cap - 1 - len, 0)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(fd);
}

static void *clients(void *arg)
{
    struct live *l = arg;
    static const char get[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
    roundtrip(l->port, get, sizeof get - 1, l->replies[0], sizeof l->replies[0]);
    static const char other[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    roundtrip(l->port, other, sizeof other - 1, l->replies[1], sizeof l->replies[1]);
    static char big[PROM_MAX_REQUEST + 100];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    roundtrip(l->port, big, sizeof big, l->replies[2], sizeof l->replies[2]);
    /* Twenty at once, all open before any sends. */
    int fds[20];
    for (int i = 0; i < 20; i++)
        fds[i] = dial(l->port);
    for (int i = 0; i < 20; i++) {
        char buf[8192];
        size_t len = 0;
        ssize_t n;
        if (fds[i] < 0 || send(fds[i], get, sizeof get - 1, MSG_NOSIGNAL) < 0)
            continue;
        while (len < sizeof buf - 1 && (n = recv(fds[i], buf + len, sizeof buf - 1 - len, 0)) > 0)
            len += (size_t)n;
        buf[len] = '\0';
        if (strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0)
            l->many_ok++;
        close(fds[i]);
    }
    uv_async_send(&l->finished);
    return NULL;
}

static void on_prom_stopped(void *data)
{
    struct live *l = data;
    l->stopped = true;
}

static void on_finished(uv_async_t *a)
{
    struct live *l = a->data;
    prom_stop(l->p, on_prom_stopped, l);
    uv_close((uv_handle_t *)a, NULL);
}

static void test_server(void **state)
{
    (void)state;
    static struct live l;
    memset(&l, 0, sizeof l);
    char err[256];
    struct sockaddr_storage ss;
    bool lo;
    assert_int_equal(uv_loop_init(&l.loop), 0);
    assert_int_equal(prom_parse_listen("127.0.0.1:0", &ss, &lo, err, sizeof err), 0);
    assert_int_equal(prom_start(&l.loop, (struct sockaddr *)&ss, &l.p, err, sizeof err), 0);
    l.port = prom_port(l.p);
    assert_true(l.port > 0);
    struct prom_metrics m = sample_metrics();
    prom_set(l.p, &m);
    uv_async_init(&l.loop, &l.finished, on_finished);
    l.finished.data = &l;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, clients, &l), 0);
    uv_run(&l.loop, UV_RUN_DEFAULT);
    pthread_join(th, NULL);
    assert_true(l.stopped);
    assert_int_equal(uv_loop_close(&l.loop), 0);

    assert_non_null(strstr(l.replies[0], "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(l.replies[0], "Content-Type: text/plain; version=0.0.4"));
    assert_non_null(strstr(l.replies[0], "\r\n\r\n# HELP cutover_upstream_connections"));
    assert_non_null(strstr(l.replies[0], "cutover_requests_total{color=\"blue\"} 1000\n"));
    assert_non_null(strstr(l.replies[1], "HTTP/1.1 404 Not Found\r\n"));
    assert_non_null(strstr(l.replies[2], "HTTP/1.1 431 "));
    assert_int_equal(l.many_ok, 20);
}

static void test_bind_busy(void **state)
{
    (void)state;
    uv_loop_t loop;
    struct prom *a, *b;
    char err[256];
    struct sockaddr_storage ss;
    bool lo;
    uv_loop_init(&loop);
    assert_int_equal(prom_parse_listen("127.0.0.1:0", &ss, &lo, err, sizeof err), 0);
    assert_int_equal(prom_start(&loop, (struct sockaddr *)&ss, &a, err, sizeof err), 0);
    ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)prom_port(a));
    assert_int_equal(prom_start(&loop, (struct sockaddr *)&ss, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot listen"));
    prom_stop(a, NULL, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* ---- grafana's body ------------------------------------------------------ */

static cJSON *event(const char *json)
{
    cJSON *e = cJSON_Parse(json);
    assert_non_null(e);
    return e;
}

static void test_grafana_body(void **state)
{
    (void)state;
    cJSON *e = event("{\"time\":1712345678.123,\"user\":\"alice\",\"ssh_client\":null,"
                     "\"action\":\"shift\",\"before\":{\"blue\":100,\"green\":0},"
                     "\"after\":{\"blue\":90,\"green\":10},\"candidate\":\"green\","
                     "\"candidate_version\":\"9a7d3e2\",\"outcome\":\"ok\"}");
    char *body = grafana_body(e);
    assert_non_null(body);
    cJSON *b = cJSON_Parse(body);
    assert_non_null(b);
    assert_true(cJSON_GetObjectItem(b, "time")->valuedouble == 1712345678123.0);
    cJSON *tags = cJSON_GetObjectItem(b, "tags");
    assert_int_equal(cJSON_GetArraySize(tags), 2);
    assert_string_equal(cJSON_GetArrayItem(tags, 0)->valuestring, "cutover");
    assert_string_equal(cJSON_GetArrayItem(tags, 1)->valuestring, "blue 90 / green 10");
    assert_string_equal(cJSON_GetObjectItem(b, "text")->valuestring,
                        "shift blue 100/green 0 -> 90/10 by alice, green 9a7d3e2");
    cJSON_Delete(b);
    free(body);
    cJSON_Delete(e);

    /* not annotated: a refused shift, a stop, an event without weights */
    static const char *const no[] = {
        "{\"time\":1,\"action\":\"shift\",\"after\":{\"blue\":90,\"green\":10},\"outcome\":\"refused\"}",
        "{\"time\":1,\"action\":\"stop\",\"after\":{\"blue\":90,\"green\":10},\"outcome\":\"ok\"}",
        "{\"time\":1,\"action\":\"rollback\",\"after\":null,\"outcome\":\"ok\"}"};
    for (size_t i = 0; i < 3; i++) {
        e = event(no[i]);
        assert_null(grafana_body(e));
        cJSON_Delete(e);
    }
    e = event("{\"time\":2,\"user\":\"bob\",\"action\":\"rollback\",\"before\":null,"
              "\"after\":{\"blue\":100,\"green\":0},\"candidate\":\"green\","
              "\"candidate_version\":null,\"outcome\":\"ok\"}");
    body = grafana_body(e);
    assert_non_null(strstr(body, "rollback -> 100/0 by bob, green (version unknown)"));
    free(body);
    cJSON_Delete(e);
}

/* ---- grafana's URL and token --------------------------------------------- */

/* Runs grafana_new with stderr into a file; returns its rc and what it
 * wrote there (err and stderr both) in out. */
static int new_grafana(const char *url, const char *token_env, char *out, size_t outlen)
{
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    FILE *cap = tmpfile();
    assert_non_null(cap);
    fflush(stderr);
    int saved = dup(2);
    assert_true(dup2(fileno(cap), 2) >= 0);
    struct grafana *g = NULL;
    char err[512] = "";
    int rc = grafana_new(&loop, url, token_env, 1000, &g, err, sizeof err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    grafana_free(g);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    rewind(cap);
    size_t n = snprintf(out, outlen, "%s\n", err);
    if (n < outlen)
        n += fread(out + n, 1, outlen - 1 - n, cap);
    out[n < outlen ? n : outlen - 1] = '\0';
    fclose(cap);
    return rc;
}

/* A user:password@ in the URL would be printed with every failure in the
 * server's log: refused, pointing at the token variable, never echoed. The
 * token leaves the environment once copied. */
static void test_grafana_url_userinfo_refused(void **state)
{
    (void)state;
    char out[2048];
    static const char *const bad[] = {"http://admin:s3cret@127.0.0.1:3000",
                                      "https://s3cret@grafana.example/",
                                      "http://admin:s3cret@[::1]:3000/sub/path"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(new_grafana(bad[i], "CUTOVER_TEST_NO_SUCH_VAR", out, sizeof out), -1);
        assert_non_null(strstr(out, "export.grafana_token_env"));
        assert_null(strstr(out, "s3cret"));
        assert_null(strstr(out, "admin"));
    }
    /* a wrong scheme is said without the userinfo too */
    assert_int_equal(new_grafana("ftp://admin:s3cret@h/", "X", out, sizeof out), -1);
    assert_non_null(strstr(out, "http://"));
    assert_null(strstr(out, "s3cret"));
    /* the token is copied, then gone from the environment the server's
     * children (nginx -t, the reload, hooks) inherit */
    assert_int_equal(setenv("CUTOVER_TEST_PROM_TOKEN", "tok-never-inherited", 1), 0);
    assert_int_equal(new_grafana("http://127.0.0.1:9", "CUTOVER_TEST_PROM_TOKEN", out, sizeof out), 0);
    assert_null(getenv("CUTOVER_TEST_PROM_TOKEN"));
    assert_null(strstr(out, "tok-never-inherited"));
    /* an @ after the host is the path's, not a password */
    assert_int_equal(new_grafana("http://127.0.0.1:3000/a@b", "CUTOVER_TEST_NO_SUCH_VAR", out,
                                 sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_parse_listen),
        cmocka_unit_test(test_server),
        cmocka_unit_test(test_bind_busy),
        cmocka_unit_test(test_grafana_body),
        cmocka_unit_test(test_grafana_url_userinfo_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

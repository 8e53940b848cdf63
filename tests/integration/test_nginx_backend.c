/* The nginx backend against a REAL nginx on loopback: a private nginx
 * (own prefix, pid file, logs and temp folders under a temp dir) whose
 * upstream block lives in the include file the backend rewrites. The upstream
 * server is a listener of ours that never answers, so a request sent through
 * nginx keeps a worker busy the way a long SSE stream does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "backends/atomicfile.h"
#include "backends/balancer_nginx.h"
#include "backends/spawn.h"

struct world {
    char dir[64];
    char conf[128], upstream[128], pidfile[128], errlog[128];
    int port;                   /* nginx listens here */
    int slow_fd;                /* the upstream that accepts and never answers */
    int slow_port;
    char *test_argv[8];
    char *reload_argv[10];
    uv_loop_t loop;
};

static bool nginx_in_path(void)
{
    const char *path = getenv("PATH");
    char buf[4096], cand[4200];
    snprintf(buf, sizeof buf, "%s", path != NULL ? path : "");   /* as execvp looks */
    for (char *save = NULL, *d = strtok_r(buf, ":", &save); d != NULL;
         d = strtok_r(NULL, ":", &save)) {
        snprintf(cand, sizeof cand, "%s/nginx", d);
        if (access(cand, X_OK) == 0)
            return true;
    }
    return false;
}

/* A loopback listener on a kernel-chosen port. */
static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    *port = ntohs(sa.sin_port);
    return fd;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    char *data = NULL, msg[256];
    size_t len;
    if (atomicfile_read(path, &data, &len, msg, sizeof msg) != 0)
        return NULL;
    return data;
}

static pid_t read_pid(const struct world *w)
{
    char *t = read_text(w->pidfile);
    pid_t pid = t != NULL ? (pid_t)atol(t) : 0;
    free(t);
    return pid;
}

static void write_nginx_conf(struct world *w)
{
    char text[4096];
    snprintf(text, sizeof text,
             "daemon on;\n"
             "master_process on;\n"
             "worker_processes 2;\n"
             "%s"
             "pid %s;\n"
             "error_log %s info;\n"
             "events { worker_connections 64; }\n"
             "http {\n"
             "    access_log off;\n"
             "    client_body_temp_path %s/client_body;\n"
             "    proxy_temp_path %s/proxy;\n"
             "    fastcgi_temp_path %s/fastcgi;\n"
             "    uwsgi_temp_path %s/uwsgi;\n"
             "    scgi_temp_path %s/scgi;\n"
             "    include %s;\n"
             "    server {\n"
             "        listen 127.0.0.1:%d;\n"
             "        location / { proxy_pass http://gateway; proxy_read_timeout 60s; }\n"
             "    }\n"
             "}\n",
             geteuid() == 0 ? "user root root;\n" : "", w->pidfile, w->errlog,
             w->dir, w->dir, w->dir, w->dir, w->dir, w->upstream, w->port);
    write_text(w->conf, text);
}

static void upstream_text(const struct world *w, int weight, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "upstream gateway {\n    server 127.0.0.1:%d weight=%d;\n}\n",
             w->slow_port, weight);
}

static void make_argv(struct world *w)
{
    char **t = w->test_argv, **r = w->reload_argv;
    t[0] = "nginx"; t[1] = "-t"; t[2] = "-p"; t[3] = w->dir; t[4] = "-c"; t[5] = w->conf;
    t[6] = NULL;
    r[0] = "nginx"; r[1] = "-p"; r[2] = w->dir; r[3] = "-c"; r[4] = w->conf;
    r[5] = "-e"; r[6] = w->errlog; r[7] = "-s"; r[8] = "reload"; r[9] = NULL;
}

static int start_nginx(struct world *w)
{
    char *argv[] = { "nginx", "-p", w->dir, "-c", w->conf, "-e", w->errlog, NULL };
    struct spawn_result r;
    spawn_run(&w->loop, argv, NULL, 10000, &r);
    bool ok = spawn_succeeded(&r);
    if (!ok)
        fprintf(stderr, "# nginx did not start: %s %s\n", r.err, r.error);
    spawn_result_clear(&r);
    for (int i = 0; ok && i < 100 && read_pid(w) <= 0; i++)
        usleep(50 * 1000);
    return ok && read_pid(w) > 0 ? 0 : -1;
}

static int group_setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    *state = w;
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(uv_loop_init(&w->loop), 0);
    w->slow_fd = -1;
    snprintf(w->dir, sizeof w->dir, "/tmp/cutover-nginx-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    chmod(w->dir, 0755);
    snprintf(w->conf, sizeof w->conf, "%s/nginx.conf", w->dir);
    snprintf(w->upstream, sizeof w->upstream, "%s/upstream.conf", w->dir);
    snprintf(w->pidfile, sizeof w->pidfile, "%s/nginx.pid", w->dir);
    snprintf(w->errlog, sizeof w->errlog, "%s/error.log", w->dir);
    w->slow_fd = listen_any(&w->slow_port);
    int probe = listen_any(&w->port);   /* a free port for nginx */
    assert_true(w->slow_fd >= 0 && probe >= 0);
    close(probe);
    char up[256];
    upstream_text(w, 100, up, sizeof up);
    write_text(w->upstream, up);
    write_nginx_conf(w);
    make_argv(w);
    return start_nginx(w);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static int group_teardown(void **state)
{
    struct world *w = *state;
    pid_t master = read_pid(w);
    if (master > 0 && kill(master, SIGTERM) == 0)
        for (int i = 0; i < 100 && kill(master, 0) == 0; i++)
            usleep(50 * 1000);
    nftw(w->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (w->slow_fd >= 0)
        close(w->slow_fd);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    int rc = uv_loop_close(&w->loop);
    free(w);
    return rc == 0 ? 0 : -1;
}

/* After each test nothing of the backend may be left on the loop. */
static int check_loop_clean(void **state)
{
    struct world *w = *state;
    assert_int_equal(uv_loop_alive(&w->loop), 0);
    return 0;
}

static struct nginx_params params(struct world *w)
{
    struct nginx_params p = {
        .upstream_file = w->upstream,
        .test_argv = w->test_argv,
        .reload_argv = w->reload_argv,
        .pid_file = w->pidfile,
        .reload_confirm_ms = 5000,
        .command_timeout_ms = 10000,
    };
    return p;
}

static void test_good_file_applies(void **state)
{
    struct world *w = *state;
    char *before = read_text(w->upstream), up[256], prev[160];
    upstream_text(w, 90, up, sizeof up);
    struct nginx_params p = params(w);
    struct balancer_report rep;
    nginx_apply_run(&w->loop, &p, up, &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "ok");
    assert_int_equal(rep.master_pid, read_pid(w));
    assert_int_equal(rep.new_workers, 2);          /* worker_processes 2 */
    assert_int_equal(rep.old_workers_draining, 0); /* no open stream: idle ones left */
    assert_string_equal(rep.message, "reloaded: 2 new workers, no old worker left");
    char *now = read_text(w->upstream);
    assert_string_equal(now, up);
    snprintf(prev, sizeof prev, "%s.prev", w->upstream);
    char *kept = read_text(prev);
    assert_non_null(kept);
    assert_string_equal(kept, before);
    free(before);
    free(now);
    free(kept);
}

/* nginx rejects weight=0: the old bytes come back and nginx's words are shown. */
static void test_bad_file_restored(void **state)
{
    struct world *w = *state;
    char *before = read_text(w->upstream);
    pid_t master = read_pid(w);
    struct nginx_params p = params(w);
    struct balancer_report rep;
    nginx_apply_run(&w->loop, &p, "upstream gateway {\n    server 127.0.0.1:1 weight=0;\n}\n",
                    &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "test-failed");
    assert_non_null(strstr(rep.message, "invalid parameter \"weight=0\""));
    char *after = read_text(w->upstream);
    assert_non_null(after);
    assert_string_equal(after, before);
    assert_int_equal(read_pid(w), master);   /* nothing was reloaded */
    free(before);
    free(after);
}

/* Sends a request through nginx that our upstream never answers, and waits
 * until nginx has passed it on: from then on a worker holds a live stream. */
static int open_stream(struct world *w, int *upstream_side)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)w->port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    const char *req = "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\n"
                      "Content-Length: 2\r\n\r\n{}";
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    struct pollfd pfd = { .fd = w->slow_fd, .events = POLLIN };
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    *upstream_side = accept(w->slow_fd, NULL, NULL);
    assert_true(*upstream_side >= 0);
    return fd;
}

static void test_open_stream_keeps_old_worker(void **state)
{
    struct world *w = *state;
    int up_fd, client = open_stream(w, &up_fd);
    char up[256];
    upstream_text(w, 80, up, sizeof up);
    struct nginx_params p = params(w);
    struct balancer_report rep;
    nginx_apply_run(&w->loop, &p, up, &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "ok");
    assert_true(rep.new_workers > 0);
    assert_int_equal(rep.old_workers_draining, 1); /* the one holding our stream */
    assert_string_equal(rep.message, "reloaded: 2 new workers, 1 old worker finishing its streams");
    /* Followed afterwards (the console's live count): still there while the
     * stream is open, gone once it ends. */
    struct balancer_workers draining = rep.draining;
    assert_int_equal(draining.master, read_pid(w));
    assert_int_equal(nginx_workers_still_running(&draining), 1);
    usleep(300 * 1000);
    assert_int_equal(nginx_workers_still_running(&draining), 1);
    close(client);
    close(up_fd);
    int left = 1;
    for (int i = 0; i < 100 && left > 0; i++) {
        usleep(50 * 1000);
        left = nginx_workers_still_running(&draining);
    }
    assert_int_equal(left, 0);
    assert_int_equal(draining.n, 0);
}

/* The reload "succeeds" but changes nothing: the backend must notice. */
static void test_reload_that_does_nothing(void **state)
{
    struct world *w = *state;
    char *noop[] = { "true", NULL };
    char up[256];
    upstream_text(w, 70, up, sizeof up);
    struct nginx_params p = params(w);
    p.reload_argv = noop;
    p.reload_confirm_ms = 600;
    struct balancer_report rep;
    uint64_t t0 = uv_hrtime();
    nginx_apply_run(&w->loop, &p, up, &rep);
    uint64_t ms = (uv_hrtime() - t0) / 1000000;
    assert_string_equal(balancer_outcome_name(rep.outcome), "reload-not-applied");
    assert_string_equal(rep.message, "reload not applied: nginx workers unchanged after 600 ms "
                                     "(see nginx's error log)");
    assert_true(ms >= 500 && ms < 3000);
    assert_int_equal(rep.new_workers, 0);
}

static void test_failing_reload_reported(void **state)
{
    struct world *w = *state;
    char *bad[] = { "sh", "-c", "echo 'signal process started' >&2; exit 1", NULL };
    struct nginx_params p = params(w);
    p.reload_argv = bad;
    struct balancer_report rep;
    nginx_reload_current_run(&w->loop, &p, &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "reload-failed");
    assert_non_null(strstr(rep.message, "signal process started"));
}

static void test_missing_pid_file(void **state)
{
    struct world *w = *state;
    char *noop[] = { "true", NULL };
    struct nginx_params p = params(w);
    char nopid[160];
    snprintf(nopid, sizeof nopid, "%s/absent.pid", w->dir);
    p.pid_file = nopid;
    p.reload_argv = noop;
    struct balancer_report rep;
    nginx_reload_current_run(&w->loop, &p, &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "reload-not-applied");
    char want[256];
    snprintf(want, sizeof want, "cannot confirm the reload: %s: No such file or directory", nopid);
    assert_string_equal(rep.message, want);
}

/* Failures before nginx is even asked: nothing may be left changed. */
static void test_write_and_test_failures_leave_nothing(void **state)
{
    struct world *w = *state;
    char *never[] = { "false", NULL };
    char *slow[] = { "sleep", "5", NULL };
    char fresh[160], under_file[192];
    struct nginx_params p = params(w);
    struct balancer_report rep;

    /* a file that did not exist before is removed again when the test fails */
    snprintf(fresh, sizeof fresh, "%s/fresh.conf", w->dir);
    p.upstream_file = fresh;
    p.test_argv = never;
    nginx_apply_run(&w->loop, &p, "upstream x {}\n", &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "test-failed");
    assert_string_equal(rep.message, "exit 1");
    assert_int_equal(access(fresh, F_OK), -1);

    /* a test command that hangs is killed, and counts as a refusal */
    p.upstream_file = w->upstream;
    p.test_argv = slow;
    p.command_timeout_ms = 200;
    char *before = read_text(w->upstream);
    nginx_apply_run(&w->loop, &p, "upstream gateway { server 127.0.0.1:2; }\n", &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "test-failed");
    assert_string_equal(rep.message, "timed out after 200 ms");
    char *after = read_text(w->upstream);
    assert_string_equal(after, before);
    free(before);
    free(after);

    /* the folder is a regular file: the write itself fails */
    snprintf(under_file, sizeof under_file, "%s/up.conf", w->conf);
    p.upstream_file = under_file;
    nginx_apply_run(&w->loop, &p, "upstream x {}\n", &rep);
    assert_string_equal(balancer_outcome_name(rep.outcome), "write-failed");
    assert_non_null(strstr(rep.message, "Not a directory"));
}

/* The console's `r`: test and reload the file as it stands, asynchronously. */
static void on_done(const struct balancer_report *rep, void *data)
{
    *(struct balancer_report *)data = *rep;
}

static void test_reload_current_async(void **state)
{
    struct world *w = *state;
    char *before = read_text(w->upstream), msg[256];
    struct nginx_params p = params(w);
    struct balancer_report rep = { .outcome = BALANCER_WRITE_FAILED, .message = "not called" };
    assert_int_equal(nginx_reload_current(&w->loop, &p, on_done, &rep, msg, sizeof msg), 0);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    assert_string_equal(balancer_outcome_name(rep.outcome), "ok");
    assert_true(rep.new_workers > 0);
    char *after = read_text(w->upstream);
    assert_string_equal(after, before);
    free(before);
    free(after);

    struct nginx_params empty = p;
    empty.test_argv = NULL;
    assert_int_equal(nginx_reload_current(&w->loop, &empty, on_done, &rep, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "must all be set"));
}

int main(void)
{
    /* A TAP skip-all, not cmocka's skip(): cmocka prints "not ok # SKIP",
     * which automake's TAP driver counts as a failure. */
    if (!nginx_in_path()) {
        printf("1..0 # SKIP nginx not found in PATH\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_good_file_applies, check_loop_clean),
        cmocka_unit_test_teardown(test_bad_file_restored, check_loop_clean),
        cmocka_unit_test_teardown(test_open_stream_keeps_old_worker, check_loop_clean),
        cmocka_unit_test_teardown(test_reload_that_does_nothing, check_loop_clean),
        cmocka_unit_test_teardown(test_failing_reload_reported, check_loop_clean),
        cmocka_unit_test_teardown(test_missing_pid_file, check_loop_clean),
        cmocka_unit_test_teardown(test_write_and_test_failures_leave_nothing, check_loop_clean),
        cmocka_unit_test_teardown(test_reload_current_async, check_loop_clean),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

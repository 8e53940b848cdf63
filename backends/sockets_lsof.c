/* sockets_lsof: the portable way, through `lsof -F` (field output meant for
 * programs). lsof is a child process, run with argv (never a shell) and a
 * timeout, so a slow lsof never stalls the loop. */
#include "backends/sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "backends/spawn.h"
#include "core/lsofparse.h"

/* spawn keeps at most this much of a child's stdout (spawn.c's cap). */
#define LSOF_OUT_CAP (64 * 1024)

/* "-iTCP:8787,8788": lsof filters by port itself (local or remote end, so the
 * parser still checks which end), which keeps the output small. */
static int port_selector(const int *ports, int nports, char *buf, size_t buflen)
{
    size_t used = (size_t)snprintf(buf, buflen, "-iTCP:");
    int any = 0;
    for (int i = 0; i < nports; i++) {
        if (ports[i] <= 0 || ports[i] > 65535)
            continue;
        used += (size_t)snprintf(buf + used, buflen - used, "%s%d", any ? "," : "", ports[i]);
        any = 1;
    }
    return any;
}

/* lsof -nP: numbers, not names; -w: no warnings on stderr; -Ts: of the TCP
 * details only the state (TST=...). state is "ESTABLISHED" or "LISTEN". */
static void build_argv(char *argv[10], char *sel, char *state)
{
    int i = 0;
    argv[i++] = "lsof";
    argv[i++] = "-nP";
    argv[i++] = "-w";
    argv[i++] = sel;
    argv[i++] = state;
    argv[i++] = "-F";
    argv[i++] = "pcfntT";
    argv[i++] = "-Ts";
    argv[i] = NULL;
}

/* lsof exits 1 when some selection matched nothing, with an empty stderr:
 * that is an answer (zero), not a failure. */
static int check_result(const struct spawn_result *r, char *msg, size_t msglen)
{
    char how[320];
    if (r->started && !r->timed_out && r->term_signal == 0 &&
        (r->exit_status == 0 || (r->exit_status == 1 && r->err_len == 0))) {
        if (r->out_len < LSOF_OUT_CAP)
            return 0;
        snprintf(msg, msglen, "sockets: lsof printed more than %d KiB (too many connections "
                 "for the lsof backend to count)", LSOF_OUT_CAP / 1024);
        return -1;
    }
    spawn_describe(r, how, sizeof how);
    size_t n = strcspn(r->err != NULL ? r->err : "", "\n");
    snprintf(msg, msglen, "sockets: lsof: %s%s%.*s", how, n > 0 ? ": " : "", (int)n,
             r->err != NULL ? r->err : "");
    return -1;
}

static void fail_counts(int counts[COLOR_COUNT])
{
    for (int i = 0; i < COLOR_COUNT; i++)
        counts[i] = -1;
}

/* Checks the run and counts. Returns 0 or -1 with msg (counts all -1). */
static int counts_from(const struct spawn_result *r, const int ports[COLOR_COUNT],
                       int counts[COLOR_COUNT], char *msg, size_t msglen)
{
    if (check_result(r, msg, msglen) < 0) {
        fail_counts(counts);
        return -1;
    }
    if (lsofparse_count(r->out, r->out_len, ports, COLOR_COUNT, counts) < 0) {
        snprintf(msg, msglen, "sockets: out of memory");
        fail_counts(counts);
        return -1;
    }
    return 0;
}

static int lsof_count(uv_loop_t *loop, int timeout_ms, const int ports[COLOR_COUNT],
                      int counts[COLOR_COUNT], char *msg, size_t msglen)
{
    char sel[64], state[] = "-sTCP:ESTABLISHED";
    char *argv[10];
    if (!port_selector(ports, COLOR_COUNT, sel, sizeof sel)) {
        fail_counts(counts);        /* no TCP port to look at: nothing to run */
        return 0;
    }
    build_argv(argv, sel, state);
    struct spawn_result r;
    spawn_run(loop, argv, NULL, timeout_ms, &r);
    int rc = counts_from(&r, ports, counts, msg, msglen);
    spawn_result_clear(&r);
    return rc;
}

/* One async count; freed after its callback. */
struct count_req {
    uv_work_t work;             /* only when there is nothing to run (see below) */
    int ports[COLOR_COUNT];
    sockets_count_cb cb;
    void *data;
};

static void count_done(const struct spawn_result *r, void *data)
{
    struct count_req *req = data;
    int counts[COLOR_COUNT];
    char msg[512] = "";
    int rc = counts_from(r, req->ports, counts, msg, sizeof msg);
    req->cb(rc, counts, msg, req->data);
    free(req);
}

static void nothing_work(uv_work_t *w)
{
    (void)w;
}

static void nothing_done(uv_work_t *w, int status)
{
    struct count_req *req = w->data;
    int counts[COLOR_COUNT];
    fail_counts(counts);
    req->cb(0, counts, "", req->data);
    free(req);
}

/* No TCP port among the colors: answer all -1 like the sync form, still from
 * the loop (a queued no-op: a request, so no handle to close). */
static int defer_no_ports(uv_loop_t *loop, struct count_req *req, char *msg, size_t msglen)
{
    req->work.data = req;
    int rc = uv_queue_work(loop, &req->work, nothing_work, nothing_done);
    if (rc < 0)
        snprintf(msg, msglen, "sockets: %s", uv_strerror(rc));
    return rc < 0 ? -1 : 0;
}

static int lsof_count_async(uv_loop_t *loop, int timeout_ms, const int ports[COLOR_COUNT],
                            sockets_count_cb cb, void *data, char *msg, size_t msglen)
{
    char sel[64], state[] = "-sTCP:ESTABLISHED";
    char *argv[10];
    struct count_req *req = malloc(sizeof *req);
    if (req == NULL) {
        snprintf(msg, msglen, "sockets: out of memory");
        return -1;
    }
    memcpy(req->ports, ports, sizeof req->ports);
    req->cb = cb;
    req->data = data;
    int rc;
    if (!port_selector(ports, COLOR_COUNT, sel, sizeof sel)) {
        rc = defer_no_ports(loop, req, msg, msglen);
    } else {
        build_argv(argv, sel, state);
        rc = spawn_start(loop, argv, NULL, timeout_ms, count_done, req, msg, msglen);
    }
    if (rc < 0) {
        free(req);
        return -1;
    }
    return 0;
}

/* "*" is lsof's "any address"; the t field says which family's any. */
static void add_listener(const struct lsof_file *f, const struct lsof_endpoint *ep,
                         struct sockets_listener *out, int max, int *n)
{
    unsigned char bytes[16] = { 0 };
    int af = f->ipv6 == 1 ? AF_INET6 : AF_INET;
    if (strcmp(ep->host, "*") != 0) {
        af = strchr(ep->host, ':') != NULL ? AF_INET6 : AF_INET;
        if (inet_pton(af, ep->host, bytes) != 1)
            return;
    }
    sockets_listener_add(out, max, n, af, bytes, ep->port);
}

static int lsof_listeners(uv_loop_t *loop, int timeout_ms, int port,
                          struct sockets_listener *out, int max, int *n_out,
                          char *msg, size_t msglen)
{
    char sel[64], state[] = "-sTCP:LISTEN";
    char *argv[10];
    port_selector(&port, 1, sel, sizeof sel);
    build_argv(argv, sel, state);
    struct spawn_result r;
    spawn_run(loop, argv, NULL, timeout_ms, &r);
    int rc = check_result(&r, msg, msglen);
    if (rc == 0) {
        struct lsof_iter it;
        struct lsof_file f;
        lsofparse_begin(&it, r.out, r.out_len);
        while (lsofparse_next(&it, &f)) {
            struct lsof_endpoint local, remote;
            if (f.name != NULL && lsofparse_state_is(&f, "LISTEN") &&
                lsofparse_name(f.name, f.name_len, &local, &remote) == 0 &&
                local.port == port)
                add_listener(&f, &local, out, max, n_out);
        }
    }
    spawn_result_clear(&r);
    return rc;
}

const struct sockets_ops sockets_lsof_ops = {
    .name = "lsof",
    .count = lsof_count,
    .count_async = lsof_count_async,
    .listeners = lsof_listeners,
};

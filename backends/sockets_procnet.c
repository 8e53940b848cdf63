/* sockets_procnet: Linux's socket tables under /proc/net. Reading them costs
 * the kernel a walk of every TCP socket, a few ms on a busy host: fine for the
 * CLI, and the async form runs it on libuv's thread pool so the loop never
 * waits on it. */
#include "backends/sockets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/procnet.h"

typedef void (*entry_fn)(const struct procnet_entry *e, void *ctx);

/* Calls fn for every socket line of path. tcp6 is missing when IPv6 is off:
 * that is an empty table, not an error. */
static int scan_file(const char *path, bool missing_ok, entry_fn fn, void *ctx,
                     char *msg, size_t msglen)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        if (missing_ok && errno == ENOENT)
            return 0;
        snprintf(msg, msglen, "sockets: %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    struct procnet_entry e;
    while (fgets(line, sizeof line, f) != NULL)
        if (procnet_parse_line(line, &e) == 0)
            fn(&e, ctx);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(msg, msglen, "sockets: reading %s failed", path);
        return -1;
    }
    return 0;
}

static int scan_all(entry_fn fn, void *ctx, char *msg, size_t msglen)
{
    if (scan_file("/proc/net/tcp", false, fn, ctx, msg, msglen) < 0)
        return -1;
    return scan_file("/proc/net/tcp6", true, fn, ctx, msg, msglen);
}

struct count_ctx {
    const int *ports;
    int *counts;
};

static void count_entry(const struct procnet_entry *e, void *ctx)
{
    struct count_ctx *c = ctx;
    if (e->state != PROCNET_ESTABLISHED)
        return;
    for (int i = 0; i < COLOR_COUNT; i++)
        if (c->ports[i] > 0 && e->local_port == c->ports[i])
            c->counts[i]++;
}

static int procnet_count(uv_loop_t *loop, int timeout_ms, const int ports[COLOR_COUNT],
                         int counts[COLOR_COUNT], char *msg, size_t msglen)
{
    for (int i = 0; i < COLOR_COUNT; i++)
        counts[i] = ports[i] > 0 ? 0 : -1;
    struct count_ctx c = { ports, counts };
    if (scan_all(count_entry, &c, msg, msglen) < 0) {
        for (int i = 0; i < COLOR_COUNT; i++)
            counts[i] = -1;
        return -1;
    }
    return 0;
}

/* One async count: everything it needs travels with it, freed after cb. */
struct count_req {
    uv_work_t work;
    int ports[COLOR_COUNT];
    int counts[COLOR_COUNT];
    int rc;
    char msg[256];
    sockets_count_cb cb;
    void *data;
};

static void count_work(uv_work_t *w)
{
    struct count_req *r = w->data;
    r->rc = procnet_count(NULL, 0, r->ports, r->counts, r->msg, sizeof r->msg);
}

static void count_after(uv_work_t *w, int status)
{
    struct count_req *r = w->data;
    if (status < 0) {           /* cancelled: the work never ran */
        r->rc = -1;
        snprintf(r->msg, sizeof r->msg, "sockets: count cancelled: %s", uv_strerror(status));
        for (int i = 0; i < COLOR_COUNT; i++)
            r->counts[i] = -1;
    }
    r->cb(r->rc, r->counts, r->msg, r->data);
    free(r);
}

static int procnet_count_async(uv_loop_t *loop, int timeout_ms, const int ports[COLOR_COUNT],
                               sockets_count_cb cb, void *data, char *msg, size_t msglen)
{
    struct count_req *r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(msg, msglen, "sockets: out of memory");
        return -1;
    }
    memcpy(r->ports, ports, sizeof r->ports);
    r->cb = cb;
    r->data = data;
    r->work.data = r;
    int rc = uv_queue_work(loop, &r->work, count_work, count_after);
    if (rc < 0) {
        snprintf(msg, msglen, "sockets: %s", uv_strerror(rc));
        free(r);
        return -1;
    }
    return 0;
}

struct listen_ctx {
    int port;
    struct sockets_listener *out;
    int max;
    int *n;
};

static void listen_entry(const struct procnet_entry *e, void *ctx)
{
    struct listen_ctx *c = ctx;
    if (e->state == PROCNET_LISTEN && e->local_port == c->port)
        sockets_listener_add(c->out, c->max, c->n, e->family == 4 ? AF_INET : AF_INET6,
                             e->local, e->local_port);
}

static int procnet_listeners(uv_loop_t *loop, int timeout_ms, int port,
                             struct sockets_listener *out, int max, int *n_out,
                             char *msg, size_t msglen)
{
    struct listen_ctx c = { port, out, max, n_out };
    return scan_all(listen_entry, &c, msg, msglen);
}

const struct sockets_ops sockets_procnet_ops = {
    .name = "procnet",
    .count = procnet_count,
    .count_async = procnet_count_async,
    .listeners = procnet_listeners,
};

/* link: protocol client on the loop, with reconnects. */
#include "tui/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/protocol.h"

struct link {
    uv_loop_t *loop;
    struct link_options opt;
    char socket_path[1024];
    char ssh_client[128];
    uv_pipe_t *pipe;            /* NULL between connections */
    uv_connect_t connect_req;
    uv_timer_t retry;
    enum link_state state;
    char *buf;                  /* a partial line */
    size_t len, cap;
    bool stopping;
    int closing;                /* handles whose close callback is pending */
};

static void set_state(struct link *l, enum link_state st, const char *why)
{
    l->state = st;
    if (l->opt.on_state)
        l->opt.on_state(st, why, l->opt.data);
}

static void maybe_free(struct link *l)
{
    if (l->stopping && l->closing == 0) {
        free(l->buf);
        free(l);
    }
}

static void on_pipe_closed(uv_handle_t *h)
{
    struct link *l = h->data;
    free(h);
    l->closing--;
    maybe_free(l);
}

static void drop_pipe(struct link *l)
{
    if (!l->pipe)
        return;
    l->closing++;
    uv_close((uv_handle_t *)l->pipe, on_pipe_closed);
    l->pipe = NULL;
    l->len = 0;
}

/* The retry timer ticks every second and reconnects while there is no pipe. */
static void schedule_retry(struct link *l, const char *why)
{
    drop_pipe(l);
    set_state(l, LINK_LOST, why);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    b->base = malloc(suggested);
    b->len = b->base ? suggested : 0;
}

/* Whole lines to the callback; a line longer than the protocol allows means
 * the peer is not our server: drop the connection. */
static void feed(struct link *l, const char *data, size_t n)
{
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 65536;
        while (cap < l->len + n)
            cap *= 2;
        char *nb = realloc(l->buf, cap);
        if (!nb)
            return;
        l->buf = nb;
        l->cap = cap;
    }
    memcpy(l->buf + l->len, data, n);
    l->len += n;
    size_t start = 0;
    for (size_t i = 0; i < l->len; i++) {
        if (l->buf[i] != '\n')
            continue;
        l->buf[i] = '\0';
        l->opt.on_line(l->buf + start, i - start, l->opt.data);
        if (!l->pipe) /* the callback stopped us */
            return;
        start = i + 1;
    }
    memmove(l->buf, l->buf + start, l->len - start);
    l->len -= start;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct link *l = s->data;
    if (n > 0)
        feed(l, b->base, (size_t)n);
    free(b->base);
    if (n < 0)
        schedule_retry(l, n == UV_EOF ? "the server closed the connection" : uv_strerror((int)n));
}

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req->data);
    free(req);
}

int link_send(struct link *l, const char *line)
{
    if (!l->pipe || l->state != LINK_CONNECTED)
        return -1;
    size_t n = strlen(line);
    char *copy = malloc(n + 1);
    uv_write_t *req = malloc(sizeof *req);
    if (!copy || !req) {
        free(copy);
        free(req);
        return -1;
    }
    memcpy(copy, line, n);
    copy[n] = '\n';
    req->data = copy;
    uv_buf_t b = uv_buf_init(copy, (unsigned)(n + 1));
    if (uv_write(req, (uv_stream_t *)l->pipe, &b, 1, on_written) != 0) {
        free(copy);
        free(req);
        return -1;
    }
    return 0;
}

static void say_hello(struct link *l)
{
    struct protocol_hello h = {.version = PROTOCOL_VERSION, .pid = (long)getpid(),
                               .want_control = l->opt.want_control};
    snprintf(h.client, sizeof h.client, "cutover console");
    snprintf(h.ssh_client, sizeof h.ssh_client, "%s", l->ssh_client);
    char *line = protocol_encode_hello(&h);
    if (line)
        link_send(l, line);
    free(line);
}

static void on_connected(uv_connect_t *req, int status)
{
    struct link *l = req->data;
    if (l->stopping)
        return;
    if (status != 0) {
        schedule_retry(l, uv_strerror(status));
        return;
    }
    set_state(l, LINK_CONNECTED, "");
    uv_read_start((uv_stream_t *)l->pipe, on_alloc, on_read);
    say_hello(l);
}

static void connect_now(struct link *l)
{
    l->pipe = calloc(1, sizeof *l->pipe);
    if (!l->pipe)
        return;
    uv_pipe_init(l->loop, l->pipe, 0);
    l->pipe->data = l;
    l->connect_req.data = l;
    set_state(l, LINK_CONNECTING, "");
    uv_pipe_connect(&l->connect_req, l->pipe, l->socket_path, on_connected);
}

/* Every second while lost: try again. */
static void on_retry(uv_timer_t *t)
{
    struct link *l = t->data;
    if (!l->pipe && !l->stopping)
        connect_now(l);
}

static void on_retry_closed(uv_handle_t *h)
{
    struct link *l = h->data;
    l->closing--;
    maybe_free(l);
}

int link_start(uv_loop_t *loop, const struct link_options *opt, struct link **out,
               char *msg, size_t msglen)
{
    struct link *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    l->loop = loop;
    l->opt = *opt;
    snprintf(l->socket_path, sizeof l->socket_path, "%s", opt->socket_path);
    snprintf(l->ssh_client, sizeof l->ssh_client, "%s", opt->ssh_client ? opt->ssh_client : "");
    l->opt.socket_path = l->socket_path;
    l->opt.ssh_client = l->ssh_client;
    uv_timer_init(loop, &l->retry);
    l->retry.data = l;
    uv_timer_start(&l->retry, on_retry, 1000, 1000);
    connect_now(l);
    *out = l;
    return 0;
}

enum link_state link_state(const struct link *l)
{
    return l->state;
}

void link_stop(struct link *l)
{
    if (!l || l->stopping)
        return;
    l->stopping = true;
    drop_pipe(l);
    l->closing++;
    uv_close((uv_handle_t *)&l->retry, on_retry_closed);
}

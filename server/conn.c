/* conn: see conn.h. */
#include "server/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/protocol.h"

#define CONN_BUF_INITIAL 4096
#define CONN_BUF_MIN_FREE 1024

struct conn {
    uv_pipe_t pipe;
    uint64_t id;
    struct peercred peer;
    struct conn_options opt;
    char *buf;            /* bytes of the line(s) not yet delivered */
    size_t used, cap;
    size_t scanned;       /* buf[0..scanned) holds no '\n': no rescanning */
    bool started;
    bool closing;
    char reason[160];
};

/* One queued write owns its copy of the data until the write completes. */
struct conn_write {
    uv_write_t req;
    size_t len;
    char data[];
};

static void close_done(uv_handle_t *h)
{
    struct conn *c = h->data;

    if (c->started && c->opt.on_close)
        c->opt.on_close(c, c->reason);
    free(c->buf);
    free(c);
}

void conn_close(struct conn *c, const char *reason)
{
    if (c->closing)
        return;
    c->closing = true;
    snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "closed");
    uv_close((uv_handle_t *)&c->pipe, close_done);
}

static void close_uv_error(struct conn *c, const char *what, int err)
{
    char reason[128];

    /* The peer going away is the normal end, whichever side notices first. */
    if (err == UV_EOF || err == UV_EPIPE || err == UV_ECONNRESET)
        conn_close(c, "disconnected");
    else {
        snprintf(reason, sizeof reason, "%s: %s", what, uv_strerror(err));
        conn_close(c, reason);
    }
}

/* "1 MiB", "64 KiB" or "1000 bytes", for messages a person reads. */
static void size_text(size_t n, char *out, size_t len)
{
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        snprintf(out, len, "%zu MiB", n / (1024 * 1024));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, len, "%zu KiB", n / 1024);
    else
        snprintf(out, len, "%zu bytes", n);
}

static void write_done(uv_write_t *req, int status)
{
    struct conn_write *w = (struct conn_write *)req;
    struct conn *c = req->handle->data;

    free(w);
    /* ECANCELED: we closed with writes still queued; nothing to report. */
    if (status < 0 && status != UV_ECANCELED)
        close_uv_error(c, "write", status);
}

static void drop_slow(struct conn *c)
{
    char size[32], reason[96];

    size_text(c->opt.max_output, size, sizeof size);
    snprintf(reason, sizeof reason, "too slow: %s of output not read", size);
    conn_close(c, reason);
}

/* Queues what the kernel did not take at once; skip bytes already written. */
static int queue_rest(struct conn *c, const char *line, size_t len, size_t skip)
{
    size_t total = len + 1;
    struct conn_write *w = malloc(sizeof *w + (total - skip));
    uv_buf_t b;
    int r;

    if (!w) {
        conn_close(c, "out of memory for output");
        return -1;
    }
    w->len = total - skip;
    if (skip < len)
        memcpy(w->data, line + skip, len - skip);
    w->data[w->len - 1] = '\n';
    b = uv_buf_init(w->data, (unsigned)w->len);
    r = uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, write_done);
    if (r < 0) {
        free(w);
        close_uv_error(c, "write", r);
        return -1;
    }
    return 0;
}

int conn_send_len(struct conn *c, const char *line, size_t len)
{
    uv_stream_t *s = (uv_stream_t *)&c->pipe;
    size_t queued;
    uv_buf_t b[2];
    int r;

    if (c->closing || memchr(line, '\n', len))
        return -1;
    queued = uv_stream_get_write_queue_size(s);
    if (queued + len + 1 > c->opt.max_output) {
        drop_slow(c);
        return -1;
    }
    if (queued > 0)
        return queue_rest(c, line, len, 0);
    /* Nothing waiting: most lines go straight to the kernel with no copy. */
    b[0] = uv_buf_init((char *)line, (unsigned)len);
    b[1] = uv_buf_init("\n", 1);
    r = uv_try_write(s, b, 2);
    if (r == UV_EAGAIN)
        r = 0;
    if (r < 0) {
        close_uv_error(c, "write", r);
        return -1;
    }
    if ((size_t)r == len + 1)
        return 0;
    return queue_rest(c, line, len, (size_t)r);
}

int conn_send(struct conn *c, const char *line)
{
    return conn_send_len(c, line, strlen(line));
}

/* Oversized line: tell the client why (best effort), then hang up. */
static void violation(struct conn *c)
{
    char line[96], reason[64];

    snprintf(reason, sizeof reason, "line over %zu bytes", c->opt.max_line);
    snprintf(line, sizeof line, "{\"error\":{\"message\":\"%s\"}}", reason);
    conn_send(c, line);
    conn_close(c, reason);
}

/* Hands every complete line to on_line; keeps the partial rest. */
static void deliver_lines(struct conn *c)
{
    size_t start = 0;
    char *nl;

    while (!c->closing &&
           (nl = memchr(c->buf + c->scanned, '\n', c->used - c->scanned)) != NULL) {
        size_t line = start, end = (size_t)(nl - c->buf), n = end - line;

        if (n > 0 && c->buf[line + n - 1] == '\r')
            n--;
        if (n > c->opt.max_line) {
            violation(c);
            return;
        }
        c->buf[line + n] = '\0';
        c->scanned = start = end + 1;
        if (c->opt.on_line)
            c->opt.on_line(c, c->buf + line, n);
    }
    if (c->closing)
        return;
    memmove(c->buf, c->buf + start, c->used - start);
    c->used -= start;
    c->scanned = c->used;
    /* One more byte may still be the '\r' of an allowed line. */
    if (c->used > c->opt.max_line + 1)
        violation(c);
}

/* Reads land directly in the line buffer, which grows up to one maximal
 * line plus "\r\n" and a NUL: never more, whatever the client sends. */
static void alloc_buf(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
    struct conn *c = h->data;
    size_t limit = c->opt.max_line + 3;
    (void)suggested;

    if (c->cap - c->used - 1 < CONN_BUF_MIN_FREE && c->cap < limit) {
        size_t ncap = c->cap * 2 < limit ? c->cap * 2 : limit;
        char *nb = realloc(c->buf, ncap);

        if (nb) {
            c->buf = nb;
            c->cap = ncap;
        }
    }
    *out = uv_buf_init(c->buf + c->used, (unsigned)(c->cap - c->used - 1));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    struct conn *c = s->data;
    (void)b;

    if (c->closing)
        return;
    if (nread < 0) {
        close_uv_error(c, "read", (int)nread);
        return;
    }
    c->used += (size_t)nread;
    deliver_lines(c);
}

int conn_accept(uv_stream_t *server, uint64_t id, struct conn **out, char *msg, size_t len)
{
    struct conn *c = calloc(1, sizeof *c);
    uv_os_fd_t fd;
    int r;

    if (!c) {
        snprintf(msg, len, "out of memory for a connection");
        return -1;
    }
    c->id = id;
    c->peer.pid = -1;
    uv_pipe_init(server->loop, &c->pipe, 0);
    c->pipe.data = c;
    r = uv_accept(server, (uv_stream_t *)&c->pipe);
    if (r == 0)
        r = uv_fileno((uv_handle_t *)&c->pipe, &fd);
    if (r < 0) {
        snprintf(msg, len, "accept: %s", uv_strerror(r));
        conn_close(c, msg);
        return -1;
    }
    if (peercred_get(fd, &c->peer, msg, len) != 0) {
        conn_close(c, msg);
        return -1;
    }
    *out = c;
    return 0;
}

int conn_start(struct conn *c, const struct conn_options *opt, char *msg, size_t len)
{
    int r;

    c->opt = *opt;
    if (c->opt.max_output == 0)
        c->opt.max_output = CONN_MAX_OUTPUT_DEFAULT;
    if (c->opt.max_line == 0)
        c->opt.max_line = PROTOCOL_MAX_LINE;
    c->started = true;
    if (c->closing)
        return 0;
    c->cap = CONN_BUF_INITIAL < c->opt.max_line + 3 ? CONN_BUF_INITIAL : c->opt.max_line + 3;
    c->buf = malloc(c->cap);
    if (!c->buf) {
        snprintf(msg, len, "out of memory for a connection");
        conn_close(c, msg);
        return -1;
    }
    r = uv_read_start((uv_stream_t *)&c->pipe, alloc_buf, on_read);
    if (r < 0) {
        snprintf(msg, len, "read: %s", uv_strerror(r));
        conn_close(c, msg);
        return -1;
    }
    return 0;
}

bool conn_is_closing(const struct conn *c)
{
    return c->closing;
}

const struct peercred *conn_peer(const struct conn *c)
{
    return &c->peer;
}

uint64_t conn_id(const struct conn *c)
{
    return c->id;
}

void *conn_data(const struct conn *c)
{
    return c->opt.data;
}

size_t conn_queued(const struct conn *c)
{
    return uv_stream_get_write_queue_size((const uv_stream_t *)&c->pipe);
}

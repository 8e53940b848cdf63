/* HTTP/1.x server on libuv. One request at a time per connection (pipelined requests wait in
 * the buffer); a response may outlive the handler call, as SSE streams do. Connections are
 * freed only in their close callback, after libuv has cancelled their pending writes. */
#include "sim/httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/hostport.h"
#include "sim/httpparse.h"

#define READ_CHUNK 16384
#define READ_PAUSE (64 * 1024) /* stop reading a busy connection beyond this much buffered */

struct httpd {
    uv_loop_t *loop;
    uv_tcp_t listener;
    int listening;       /* listener open and not closing */
    int listener_closed; /* its close callback has run */
    httpd_request_cb *cb;
    void *arg;
    struct httpd_conn *conns;
    size_t nconns;
    int closing;
    httpd_closed_cb *done;
    void *done_arg;
};

struct httpd_conn {
    uv_tcp_t tcp;
    struct httpd *h;
    struct httpd_conn *prev, *next;
    char *buf;
    size_t len, cap, scan;
    size_t pending;   /* writes not yet completed */
    int busy;         /* a request is being answered */
    int streaming;    /* headers sent, body open */
    int chunked;      /* stream framing: chunked (1.1) or close-delimited (1.0) */
    int keep_alive;   /* of the request being answered */
    int want_close;   /* close once no response is open and writes drained */
    int closing;      /* uv_close called */
    int reading;
    int in_process;   /* guards process() against re-entry from a handler */
    int sent_continue;
    httpd_abort_cb *abort;
    void *abort_arg;
};

struct wreq {
    uv_write_t req;
    struct httpd_conn *c;
    size_t len;
    char data[];
};

static void process(struct httpd_conn *c);

static const char *reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static void check_closed(struct httpd *h)
{
    if (!h->closing || h->nconns > 0 || !h->listener_closed)
        return;
    httpd_closed_cb *done = h->done;
    void *arg = h->done_arg;
    free(h);
    if (done)
        done(arg);
}

static void on_conn_closed(uv_handle_t *handle)
{
    struct httpd_conn *c = handle->data;
    struct httpd *h = c->h;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->nconns--;
    free(c->buf);
    free(c);
    check_closed(h);
}

static void close_now(struct httpd_conn *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    if (c->busy && c->abort) {
        httpd_abort_cb *abort = c->abort;
        c->abort = NULL;
        abort(c->abort_arg);
    }
    c->busy = c->streaming = 0;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void maybe_close(struct httpd_conn *c)
{
    if (c->want_close && !c->busy && c->pending == 0)
        close_now(c);
}

static void on_write(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    struct httpd_conn *c = w->c;
    free(w);
    c->pending--;
    if (status < 0)
        close_now(c);
    else
        maybe_close(c);
}

static void conn_write(struct httpd_conn *c, const char *a, size_t alen, const char *b,
                       size_t blen, const char *tail)
{
    size_t tlen = tail ? strlen(tail) : 0;
    if (c->closing)
        return;
    struct wreq *w = malloc(sizeof *w + alen + blen + tlen);
    if (!w) {
        close_now(c);
        return;
    }
    w->c = c;
    w->len = alen + blen + tlen;
    memcpy(w->data, a, alen);
    if (blen)
        memcpy(w->data + alen, b, blen);
    if (tlen)
        memcpy(w->data + alen + blen, tail, tlen);
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)w->len);
    c->pending++;
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write) < 0) {
        c->pending--;
        free(w);
        close_now(c);
    }
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *out)
{
    struct httpd_conn *c = handle->data;
    (void)suggested;
    if (c->cap - c->len < READ_CHUNK) {
        char *nb = realloc(c->buf, c->len + READ_CHUNK);
        if (!nb) {
            *out = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
            return;
        }
        c->buf = nb;
        c->cap = c->len + READ_CHUNK;
    }
    *out = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct httpd_conn *c = stream->data;
    (void)buf;
    if (nread < 0) {
        close_now(c); /* EOF or error: a stream in progress is aborted */
        return;
    }
    c->len += (size_t)nread;
    if (c->busy && c->len > READ_PAUSE && c->reading) {
        uv_read_stop(stream);
        c->reading = 0;
    }
    process(c);
}

static void consume(struct httpd_conn *c, size_t n)
{
    if (n == 0)
        return;
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

static void fail(struct httpd_conn *c, int status)
{
    char body[96];
    int n = snprintf(body, sizeof body, "{\"error\":{\"message\":\"%s\",\"code\":%d}}",
                     reason(status), status);
    c->busy = 1;
    c->keep_alive = 0;
    httpd_respond(c, status, "application/json", body, (size_t)n);
}

static int wants_keep_alive(const struct httpd_req *req)
{
    const char *conn = httpd_req_header(req, "Connection");
    if (req->minor == 0) /* HTTP/1.0 answers are close-delimited */
        return 0;
    return !(conn && strcasestr(conn, "close"));
}

/* Tries to take one complete request off the buffer. Returns 1 when one was dispatched. */
static int dispatch_one(struct httpd_conn *c)
{
    if (c->len == 0)
        return 0;
    if (c->scan == 0)
        consume(c, hp_skip_blank(c->buf, c->len));
    long head = hp_find_head_end(c->buf, c->len, &c->scan);
    if (head <= 0) {
        if (head < 0)
            fail(c, 431);
        return 0;
    }
    struct httpd_header hdrs[HP_MAX_HEADERS];
    struct httpd_req req;
    size_t body_len = 0;
    char *copy = malloc((size_t)head + 1);
    if (!copy) {
        close_now(c);
        return 0;
    }
    memcpy(copy, c->buf, (size_t)head);
    copy[head] = '\0';
    int rc = hp_parse_head(copy, &req, hdrs, &body_len);
    if (rc) {
        free(copy);
        fail(c, rc);
        return 0;
    }
    if (c->len < (size_t)head + body_len) {
        const char *expect = httpd_req_header(&req, "Expect");
        if (expect && strcasecmp(expect, "100-continue") == 0 && !c->sent_continue) {
            c->sent_continue = 1;
            conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, NULL, 0, NULL);
        }
        free(copy);
        return 0;
    }
    char *body = malloc(body_len + 1);
    if (!body) {
        free(copy);
        close_now(c);
        return 0;
    }
    memcpy(body, c->buf + head, body_len);
    body[body_len] = '\0';
    req.body = body;
    req.body_len = body_len;
    consume(c, (size_t)head + body_len);
    c->scan = 0;
    c->sent_continue = 0;
    c->busy = 1;
    c->keep_alive = wants_keep_alive(&req) && !c->h->closing;
    c->h->cb(c->h->arg, c, &req);
    free(body);
    free(copy);
    return 1;
}

static void process(struct httpd_conn *c)
{
    if (c->in_process)
        return;
    c->in_process = 1;
    while (!c->closing && !c->want_close && !c->busy && dispatch_one(c))
        ;
    c->in_process = 0;
    if (!c->closing && !c->reading && !c->busy && !c->want_close) {
        if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
            c->reading = 1;
    }
}

static void response_done(struct httpd_conn *c)
{
    c->busy = c->streaming = 0;
    c->abort = NULL;
    if (!c->keep_alive)
        c->want_close = 1;
    if (c->want_close) {
        if (c->reading) {
            uv_read_stop((uv_stream_t *)&c->tcp);
            c->reading = 0;
        }
        maybe_close(c);
    } else {
        process(c);
    }
}

static void send_head(struct httpd_conn *c, int status, const char *ctype, const char *extra,
                      const char *body, size_t blen)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nServer: cutover-sim\r\nContent-Type: %s\r\n%s"
                     "Connection: %s\r\n\r\n",
                     status, reason(status), ctype, extra, c->keep_alive ? "keep-alive" : "close");
    conn_write(c, head, (size_t)n, body, blen, NULL);
}

void httpd_respond(struct httpd_conn *c, int status, const char *ctype, const char *body,
                   size_t len)
{
    if (!c->busy || c->streaming || c->closing)
        return;
    char extra[64];
    snprintf(extra, sizeof extra, "Content-Length: %zu\r\n", len);
    send_head(c, status, ctype, extra, body, len);
    response_done(c);
}

void httpd_set_abort(struct httpd_conn *c, httpd_abort_cb *abort, void *arg)
{
    c->abort = abort;
    c->abort_arg = arg;
}

void httpd_stream_begin(struct httpd_conn *c, int status, const char *ctype)
{
    if (!c->busy || c->streaming || c->closing)
        return;
    c->streaming = 1;
    c->chunked = c->keep_alive;
    /* X-Accel-Buffering: nginx must pass SSE through as it comes, or TTFT means nothing. */
    send_head(c, status, ctype,
              c->chunked ? "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n"
                           "X-Accel-Buffering: no\r\n"
                         : "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n",
              NULL, 0);
}

void httpd_stream_write(struct httpd_conn *c, const char *data, size_t len)
{
    if (!c->streaming || c->closing || len == 0)
        return;
    if (!c->chunked) {
        conn_write(c, data, len, NULL, 0, NULL);
        return;
    }
    char size[24];
    int n = snprintf(size, sizeof size, "%zx\r\n", len);
    conn_write(c, size, (size_t)n, data, len, "\r\n");
}

void httpd_stream_end(struct httpd_conn *c)
{
    if (!c->streaming || c->closing)
        return;
    if (c->chunked)
        conn_write(c, "0\r\n\r\n", 5, NULL, 0, NULL);
    response_done(c);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct httpd *h = server->data;
    if (status < 0 || h->closing)
        return;
    struct httpd_conn *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->h = h;
    uv_tcp_init(h->loop, &c->tcp);
    c->tcp.data = c;
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->nconns++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        close_now(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1); /* each SSE chunk should leave at once */
    process(c);
}

static void on_listener_closed(uv_handle_t *handle)
{
    struct httpd *h = handle->data;
    h->listener_closed = 1;
    check_closed(h);
}

int httpd_new(uv_loop_t *loop, const char *hostport, httpd_request_cb *cb, void *arg,
              struct httpd **out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    *out = NULL;
    if (hostport_parse(hostport, &ss, err, errlen) < 0)
        return -1;
    struct httpd *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    h->loop = loop;
    h->cb = cb;
    h->arg = arg;
    uv_tcp_init(loop, &h->listener);
    h->listener.data = h;
    h->listening = 1;
    int rc = uv_tcp_bind(&h->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&h->listener, 511, on_connection);
    if (rc < 0) {
        snprintf(err, errlen, "listen on %s: %s", hostport, uv_strerror(rc));
        httpd_close(h, 1, NULL, NULL);
        return -1;
    }
    *out = h;
    return 0;
}

int httpd_local_addr(const struct httpd *h, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    int n = sizeof ss;
    if (uv_tcp_getsockname(&h->listener, (struct sockaddr *)&ss, &n) < 0)
        return -1;
    return hostport_format(&ss, buf, len);
}

void httpd_stop_listening(struct httpd *h)
{
    if (!h->listening)
        return;
    h->listening = 0;
    uv_close((uv_handle_t *)&h->listener, on_listener_closed);
}

void httpd_close(struct httpd *h, int force, httpd_closed_cb *done, void *arg)
{
    if (h->closing)
        return;
    h->closing = 1;
    h->done = done;
    h->done_arg = arg;
    /* Closing a connection never frees it synchronously, so walking the list is safe. */
    for (struct httpd_conn *c = h->conns; c; c = c->next) {
        c->want_close = 1;
        if (force)
            close_now(c);
        else
            maybe_close(c);
    }
    if (h->listening)
        httpd_stop_listening(h);
    else
        check_closed(h);
}

size_t httpd_conn_count(const struct httpd *h)
{
    return h->nconns;
}

/* prom: see prom.h. The metrics are rendered once per prom_set, so a scrape
 * costs a copy; each client is a uv_tcp_t plus a timer that closes it when
 * its request is slow to arrive. */
#include "server/prom.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROM_REQUEST_TIMEOUT_MS 5000

const double prom_latency_bounds_s[PROM_LATENCY_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1,    2.5,   5,    10};

/* ---- text format --------------------------------------------------------- */

void prom_observe(struct prom_series *s, double value_s, uint64_t n)
{
    int b = 0;
    while (b < PROM_LATENCY_BUCKETS && value_s > prom_latency_bounds_s[b])
        b++;
    s->bucket[b] += n;
    s->count += n;
    s->sum_s += value_s * (double)n;
}

struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

__attribute__((format(printf, 2, 3))) static void text_add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) {
            t->failed = true;
            return;
        }
        t->buf = nb;
        t->cap = cap;
    }
}

static void header(struct text *t, const char *name, const char *type, const char *help)
{
    text_add(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void weights(struct text *t, const struct prom_metrics *m)
{
    const char *name = "cutover_weight";
    header(t, name, "gauge", "Each color's weight in nginx's upstream block.");
    for (int c = 0; c < COLOR_COUNT; c++)
        if (m->color[c].weight >= 0)
            text_add(t, "%s{color=\"%s\"} %d\n", name, color_name((enum color)c),
                     m->color[c].weight);
}

static void histogram(struct text *t, const char *name, const struct prom_series *s,
                      const char *cn)
{
    uint64_t cum = 0;
    for (int b = 0; b < PROM_LATENCY_BUCKETS; b++) {
        cum += s->bucket[b];
        text_add(t, "%s_bucket{color=\"%s\",le=\"%g\"} %llu\n", name, cn,
                 prom_latency_bounds_s[b], (unsigned long long)cum);
    }
    text_add(t, "%s_bucket{color=\"%s\",le=\"+Inf\"} %llu\n", name, cn,
             (unsigned long long)s->count);
    text_add(t, "%s_sum{color=\"%s\"} %.6f\n", name, cn, s->sum_s);
    text_add(t, "%s_count{color=\"%s\"} %llu\n", name, cn, (unsigned long long)s->count);
}

/* One family per exported signal, one series per color with a known value. */
static void signal_family(struct text *t, const struct prom_metrics *m, enum metric_id id)
{
    const struct metric *k = &metric_table[id];
    static const char *const type[] = {[METRIC_SUM] = "counter", [METRIC_GAUGE] = "gauge",
                                       [METRIC_LATENCY] = "histogram"};
    header(t, k->prom_name, type[k->kind], k->prom_help);
    for (int c = 0; c < COLOR_COUNT; c++) {
        const struct prom_series *s = &m->color[c].s[id];
        const char *cn = color_name((enum color)c);
        if (k->kind == METRIC_GAUGE && s->gauge >= 0)
            text_add(t, "%s{color=\"%s\"} %lld\n", k->prom_name, cn, (long long)s->gauge);
        else if (k->kind == METRIC_SUM)
            text_add(t, "%s{color=\"%s\"} %llu\n", k->prom_name, cn,
                     (unsigned long long)s->total);
        else if (k->kind == METRIC_LATENCY)
            histogram(t, k->prom_name, s, cn);
    }
}

char *prom_render(const struct prom_metrics *m, size_t *len)
{
    struct text t = {0};
    for (int i = 0; i < METRIC_COUNT; i++)
        if (metric_table[i].prom_name)
            signal_family(&t, m, (enum metric_id)i);
    weights(&t, m);
    header(&t, "cutover_guard_state", "gauge", "Each guard's state: 0 ok, 1 watching, 2 tripped.");
    for (int i = 0; i < m->n_guards; i++)
        text_add(&t, "cutover_guard_state{guard=\"%s\"} %d\n", m->guard[i].name, m->guard[i].level);
    if (t.failed || !t.buf) {
        free(t.buf);
        return NULL;
    }
    *len = t.len;
    return t.buf;
}

/* ---- listen address ----------------------------------------------------- */

static int parse_port(const char *s, int *port)
{
    if (!*s || strlen(s) > 5)
        return -1;
    int v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    *port = v;
    return v <= 65535 ? 0 : -1;
}

static int listen_error(const char *s, char *err, size_t errlen)
{
    snprintf(err, errlen, "export.prometheus_listen: expected HOST:PORT with an IPv4 literal, "
                          "[IPv6] literal or localhost (e.g. 127.0.0.1:9464), got '%.100s'", s);
    return -1;
}

int prom_parse_listen(const char *s, struct sockaddr_storage *out, bool *loopback, char *err,
                      size_t errlen)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    int port;
    if (!colon || (size_t)(colon - s) >= sizeof host || parse_port(colon + 1, &port) != 0)
        return listen_error(s, err, errlen);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(out, 0, sizeof *out);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
        if (uv_ip6_addr(host + 1, port, a6) != 0)
            return listen_error(s, err, errlen);
        *loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
        return 0;
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *a4 = (struct sockaddr_in *)out;
    struct in_addr probe;
    /* inet_pton, unlike uv_ip4_addr's callers' habits, refuses "1" or "0x7f.1". */
    if (inet_pton(AF_INET, host, &probe) != 1 || uv_ip4_addr(host, port, a4) != 0)
        return listen_error(s, err, errlen);
    *loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
    return 0;
}

/* ---- the HTTP server ---------------------------------------------------- */

struct prom_client {
    uv_tcp_t tcp;                   /* first: close callbacks get this pointer */
    uv_timer_t timer;
    uv_write_t wr;
    uv_shutdown_t sd;
    struct prom_client *prev, *next;
    struct prom *p;
    char req[PROM_MAX_REQUEST];
    size_t len;
    char *reply;
    int open;                       /* handles of this client not yet closed */
    bool closing, replied;
};

struct prom {
    uv_loop_t *loop;
    uv_tcp_t server;
    int handles;                    /* open libuv handles, counting closing ones */
    int n_clients;
    struct prom_client *clients;
    char *body;                     /* the rendered metrics */
    size_t body_len;
    bool stopping;
    void (*done)(void *data);
    void *data;
};

static void maybe_release(struct prom *p)
{
    if (!p->stopping || p->handles > 0)
        return;
    void (*done)(void *) = p->done;
    void *data = p->data;
    free(p->body);
    free(p);
    if (done)
        done(data);
}

static void on_client_handle_closed(uv_handle_t *h)
{
    struct prom_client *c = h->data;
    struct prom *p = c->p;
    p->handles--;
    if (--c->open == 0) {
        free(c->reply);
        free(c);
    }
    maybe_release(p);
}

static void client_close(struct prom_client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    struct prom *p = c->p;
    if (c->prev)
        c->prev->next = c->next;
    else
        p->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    p->n_clients--;
    uv_close((uv_handle_t *)&c->tcp, on_client_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_client_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    client_close(req->data);
}

static void on_written(uv_write_t *req, int status)
{
    struct prom_client *c = req->data;
    if (status != 0 || c->closing || uv_shutdown(&c->sd, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
        client_close(c);
}

static void reply(struct prom_client *c, const char *status, const char *type, const char *body,
                  size_t body_len)
{
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      status, type, body_len);
    c->replied = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_timer_stop(&c->timer);
    c->reply = malloc((size_t)hl + body_len);
    if (!c->reply) {
        client_close(c);
        return;
    }
    memcpy(c->reply, head, (size_t)hl);
    memcpy(c->reply + hl, body, body_len);
    uv_buf_t b = uv_buf_init(c->reply, (unsigned)((size_t)hl + body_len));
    c->wr.data = c;
    c->sd.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
        client_close(c);
}

static bool is_metrics_request(const char *req)
{
    static const char get[] = "GET /metrics";
    if (strncmp(req, get, sizeof get - 1) != 0)
        return false;
    char next = req[sizeof get - 1];
    return next == ' ' || next == '?';
}

/* A whole head has arrived: answer from its request line. */
static void answer(struct prom_client *c)
{
    struct prom *p = c->p;
    static const char not_found[] = "not found: try GET /metrics\n";
    if (is_metrics_request(c->req))
        reply(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", p->body ? p->body : "",
              p->body ? p->body_len : 0);
    else
        reply(c, "404 Not Found", "text/plain; charset=utf-8", not_found, sizeof not_found - 1);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct prom_client *c = h->data;
    /* One byte kept for the terminating NUL. */
    *buf = uv_buf_init(c->req + c->len, (unsigned)(sizeof c->req - 1 - c->len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct prom_client *c = s->data;
    if (n < 0) {
        client_close(c);
        return;
    }
    c->len += (size_t)n;
    c->req[c->len] = '\0';
    if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
        answer(c);
        return;
    }
    if (c->len >= sizeof c->req - 1) {
        static const char big[] = "request too large\n";
        reply(c, "431 Request Header Fields Too Large", "text/plain; charset=utf-8", big,
              sizeof big - 1);
    }
}

static void on_client_timeout(uv_timer_t *t)
{
    client_close(t->data);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct prom *p = server->data;
    if (status != 0 || p->stopping)
        return;
    struct prom_client *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->p = p;
    uv_tcp_init(p->loop, &c->tcp);
    uv_timer_init(p->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open = 2;
    p->handles += 2;
    c->next = p->clients;
    if (p->clients)
        p->clients->prev = c;
    p->clients = c;
    p->n_clients++;
    /* Past the limit the client is accepted only to be closed at once:
     * unaccepted, it would sit in the backlog and wake us again. */
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || p->n_clients > PROM_MAX_CLIENTS) {
        client_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_client_timeout, PROM_REQUEST_TIMEOUT_MS, 0);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        client_close(c);
}

static void on_server_closed(uv_handle_t *h)
{
    struct prom *p = h->data;
    p->handles--;
    maybe_release(p);
}

int prom_start(uv_loop_t *loop, const struct sockaddr *addr, struct prom **out, char *err,
               size_t errlen)
{
    struct prom *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p->loop = loop;
    uv_tcp_init(loop, &p->server);
    p->server.data = p;
    p->handles = 1;
    int rc = uv_tcp_bind(&p->server, addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&p->server, 128, on_connection);
    if (rc != 0) {
        snprintf(err, errlen, "cannot listen: %s", uv_strerror(rc));
        prom_stop(p, NULL, NULL);
        return -1;
    }
    *out = p;
    return 0;
}

int prom_port(const struct prom *p)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getsockname(&p->server, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void prom_set(struct prom *p, const struct prom_metrics *m)
{
    size_t len;
    char *body = prom_render(m, &len);
    if (!body)
        return; /* out of memory: the last metrics stay */
    free(p->body);
    p->body = body;
    p->body_len = len;
}

int prom_handles(const struct prom *p)
{
    return p->handles;
}

void prom_stop(struct prom *p, void (*done)(void *data), void *data)
{
    if (!p) {
        if (done)
            done(data);
        return;
    }
    p->stopping = true;
    p->done = done;
    p->data = data;
    while (p->clients)
        client_close(p->clients);
    uv_close((uv_handle_t *)&p->server, on_server_closed);
}

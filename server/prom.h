/* prom: the Prometheus text endpoint. A tiny HTTP/1.1 server on the loop:
 * GET /metrics answers the latest metrics the exporter handed over (text
 * format 0.0.4), any other request 404; one request per connection, closed
 * after the reply. Requests are bounded (PROM_MAX_REQUEST bytes, a few
 * seconds to arrive) and so are the connections open at once.
 *
 * Ownership: prom_start allocates the server; prom_set copies the metrics
 * (rendered once, served to every scrape until the next prom_set);
 * prom_stop closes every handle and frees the server in the last close
 * callback, then calls done. prom_render's text belongs to the caller. */
#ifndef CUTOVER_SERVER_PROM_H
#define CUTOVER_SERVER_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>
#include "core/color.h"
#include "core/metric.h"

#define PROM_MAX_REQUEST 8192
#define PROM_MAX_CLIENTS 64
/* The upper bounds of a latency histogram's buckets, seconds (+Inf besides). */
#define PROM_LATENCY_BUCKETS 11
extern const double prom_latency_bounds_s[PROM_LATENCY_BUCKETS];

/* One signal of one color; which part counts follows the signal's kind
 * (core/metric.h), and a signal without a prom_name is left out. */
struct prom_series {
    int64_t gauge;              /* GAUGE; -1: not known, the series is left out */
    uint64_t total;             /* SUM: monotonic since the server started */
    uint64_t bucket[PROM_LATENCY_BUCKETS + 1];  /* LATENCY: per bucket, not
                                                   cumulative; the last one is +Inf */
    uint64_t count;
    double sum_s;
};

struct prom_color {
    int weight;                 /* -1: not known, the series is left out */
    struct prom_series s[METRIC_COUNT];
};

#define PROM_MAX_GUARDS 8
struct prom_guard {
    char name[16];              /* a guard item's name (core/guards.h) */
    int level;                  /* 0 ok, 1 watching, 2 tripped */
};

struct prom_metrics {
    struct prom_color color[COLOR_COUNT];
    int n_guards;
    struct prom_guard guard[PROM_MAX_GUARDS];
};

/* Counts n observations of value_s in a latency's histogram. */
void prom_observe(struct prom_series *s, double value_s, uint64_t n);

/* The text format, HELP and TYPE lines included; NULL when out of memory. */
char *prom_render(const struct prom_metrics *m, size_t *len);

/* "127.0.0.1:9464", "[::1]:9464", "localhost:9464", "0.0.0.0:9464":
 * an IPv4 or bracketed IPv6 literal (or localhost) and a port 0..65535.
 * Fills out and *loopback; returns 0, or -1 with a one-line err. */
int prom_parse_listen(const char *s, struct sockaddr_storage *out, bool *loopback, char *err,
                      size_t errlen);

struct prom;

/* Binds and listens on addr. Returns 0, or -1 with err. */
int prom_start(uv_loop_t *loop, const struct sockaddr *addr, struct prom **out, char *err,
               size_t errlen);
/* The port actually bound (the one asked for, or the kernel's for port 0). */
int prom_port(const struct prom *p);
void prom_set(struct prom *p, const struct prom_metrics *m);
/* Open handles (listener, clients and their timers), for leak checks. */
int prom_handles(const struct prom *p);
void prom_stop(struct prom *p, void (*done)(void *data), void *data);

#endif

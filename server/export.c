/* export: see export.h. Totals are summed from the window's per-second
 * history as seconds complete, EXPORT_LATE_S behind the newest closed
 * second, because a request's log line can arrive after its second closed
 * (the window still files it there); each second is summed once, so the
 * counters only grow. The file gets whole lines in one write() on an
 * O_APPEND descriptor: a reader never sees half a row. */
#include "server/export.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/metric.h"
#include "server/grafana.h"
#include "server/prom.h"
#include "runtime/statedir.h"

#define EXPORT_LATE_S 2
#define EXPORT_CHUNK 64

struct exporter {
    const struct config *cfg;
    int fd;                     /* the export file, -1 without one */
    bool json;
    bool write_failing;         /* said once; said again after a write works */
    bool header_pending;        /* a CSV file still empty: the header comes first */
    char path[1024];
    int64_t counted_to;         /* the newest second summed into the totals */
    int64_t last_slot;          /* now / every_s when the newest rows were written */
    double started;
    struct prom_metrics m;
    struct prom *prom;
    struct grafana *grafana;
    uv_timer_t closer;          /* never started: its close callback ends the stop */
    int closing;                /* closes still to come before done */
    void (*done)(void *data);
    void *data;
};

/* ---- start -------------------------------------------------------------- */

static int open_file(struct exporter *x, char *msg, size_t msglen)
{
    const char *file = x->cfg->export.file;
    if (!file[0])
        return 0;
    /* The server outlives the directory it was started in. */
    if (file[0] == '/')
        snprintf(x->path, sizeof x->path, "%s", file);
    else
        statedir_path(x->cfg->state_dir, file, x->path, sizeof x->path);
    x->fd = open(x->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (x->fd < 0) {
        snprintf(msg, msglen, "export.file: cannot open %.400s: %s", x->path, strerror(errno));
        return -1;
    }
    /* The header goes with the first rows, in the same write. */
    struct stat st;
    x->header_pending = !x->json && fstat(x->fd, &st) == 0 && st.st_size == 0;
    return 0;
}

static int start_prom(struct exporter *x, uv_loop_t *loop, char *msg, size_t msglen)
{
    const char *listen = x->cfg->export.prometheus_listen;
    struct sockaddr_storage addr;
    bool loopback;
    char err[256];
    if (!listen[0])
        return 0;
    if (prom_parse_listen(listen, &addr, &loopback, msg, msglen) != 0)
        return -1;
    if (prom_start(loop, (const struct sockaddr *)&addr, &x->prom, err, sizeof err) != 0) {
        snprintf(msg, msglen, "export.prometheus_listen %.100s: %s", listen, err);
        return -1;
    }
    /* Named by the operator, so allowed; but the numbers leave the host. */
    if (!loopback)
        fprintf(stderr, "cutover server: warning: export.prometheus_listen %s is not a loopback "
                        "address: the metrics can be read from the network\n", listen);
    fprintf(stderr, "cutover server: Prometheus metrics on %s (port %d), GET /metrics\n", listen,
            prom_port(x->prom));
    return 0;
}

int export_start(uv_loop_t *loop, const struct config *cfg, struct exporter **out,
                 char *msg, size_t msglen)
{
    const struct config *c = cfg;
    *out = NULL;
    if (strcmp(c->export.format, "csv") != 0 && strcmp(c->export.format, "json") != 0) {
        snprintf(msg, msglen, "export.format: expected csv or json, got '%.100s'", c->export.format);
        return -1;
    }
    struct exporter *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    x->cfg = cfg;
    x->fd = -1;
    x->json = strcmp(c->export.format, "json") == 0;
    x->started = collector_now();
    x->counted_to = (int64_t)floor(x->started) - 1;
    x->last_slot = (int64_t)floor(x->started / c->export.every_s);
    uv_timer_init(loop, &x->closer);
    x->closer.data = x;
    int rc = open_file(x, msg, msglen);
    if (rc == 0)
        rc = start_prom(x, loop, msg, msglen);
    if (rc == 0 && c->export.grafana_url[0])
        rc = grafana_new(loop, c->export.grafana_url, c->export.grafana_token_env,
                         c->export.grafana_timeout_ms, &x->grafana, msg, msglen);
    if (rc != 0) {
        /* Nobody waits for this one: the engine never got it. */
        export_stop(x, NULL, NULL);
        return -1;
    }
    *out = x;
    return 0;
}

/* ---- each second -------------------------------------------------------- */

/* Prometheus' counters and histograms grow by each closed second. */
static void count_second(struct prom_color *pc, const struct window_second *row)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *k = &metric_table[i];
        uint32_t p95_us, n;
        if (!k->prom_name)
            continue;
        if (k->kind == METRIC_SUM)
            pc->s[i].total += (uint64_t)metric_row_value((enum metric_id)i, row);
        n = metric_second_own((enum metric_id)i, row, &p95_us);
        if (n > 0 && p95_us > 0)
            prom_observe(&pc->s[i], p95_us / 1e6, n);
    }
}

static void count_color(struct exporter *x, const struct window *w, enum color c, int64_t from,
                        int64_t to)
{
    struct window_second rows[EXPORT_CHUNK];
    while (from <= to) {
        int64_t end = from + EXPORT_CHUNK - 1 < to ? from + EXPORT_CHUNK - 1 : to;
        size_t n = window_history(w, c, from, end, rows, EXPORT_CHUNK);
        for (size_t i = 0; i < n; i++)
            count_second(&x->m.color[c], &rows[i]);
        from = end + 1;
    }
}

/* Sums the seconds that closed (EXPORT_LATE_S ago) since the last call. */
static void count_closed(struct exporter *x, const struct window *w)
{
    int64_t last = window_history_last(w);
    if (last < 0)
        return;
    int64_t to = last - EXPORT_LATE_S;
    int64_t from = x->counted_to + 1;
    int64_t first = window_history_first(w);
    if (from < first)
        from = first;
    if (to < from)
        return;
    for (int c = 0; c < COLOR_COUNT; c++)
        count_color(x, w, (enum color)c, from, to);
    x->counted_to = to;
}

static int guard_level(const char *name)
{
    if (name && strcmp(name, "watching") == 0)
        return 1;
    if (name && strcmp(name, "tripped") == 0)
        return 2;
    return 0;
}

/* Weights and guard states come from the snapshot the clients got. */
static void from_snapshot(struct exporter *x, const cJSON *snapshot)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(snapshot, "weights");
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, color_name((enum color)c));
        x->m.color[c].weight = cJSON_IsNumber(v) ? v->valueint : -1;
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(snapshot, "guards");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(g, "items");
    const cJSON *it;
    x->m.n_guards = 0;
    cJSON_ArrayForEach(it, items) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "name"));
        const char *level = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "level"));
        if (!name || x->m.n_guards >= PROM_MAX_GUARDS)
            continue;
        struct prom_guard *pg = &x->m.guard[x->m.n_guards++];
        snprintf(pg->name, sizeof pg->name, "%s", name);
        pg->level = guard_level(level);
    }
}

/* ---- rows --------------------------------------------------------------- */

/* "time_iso,unix_time,color,weight," then each exported signal's column
 * (a SUM's total, then its ratio over the window). */
static size_t csv_header(char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "time_iso,unix_time,color,weight");
    for (int i = 0; i < METRIC_COUNT && n < len; i++) {
        const struct metric *k = &metric_table[i];
        if (!k->export_key)
            continue;
        n += (size_t)snprintf(buf + n, len - n, ",%s", k->export_key);
        if (k->ratio_key && n < len)
            n += (size_t)snprintf(buf + n, len - n, ",%s_window", k->ratio_key);
    }
    if (n < len)
        n += (size_t)snprintf(buf + n, len - n, "\n");
    return n;
}

/* Appends one column: ",value" in CSV, ",\"key\":value" in JSON; an unknown
 * value is empty (CSV) or null (JSON). */
static void add_col(char *buf, size_t len, size_t *n, bool json, const char *key, bool known,
                    int decimals, double v)
{
    char val[48];
    if (known)
        snprintf(val, sizeof val, "%.*f", decimals, v);
    else
        snprintf(val, sizeof val, "%s", json ? "null" : "");
    if (*n < len)
        *n += (size_t)(json ? snprintf(buf + *n, len - *n, ",\"%s\":%s", key, val)
                            : snprintf(buf + *n, len - *n, ",%s", val));
}

static void add_total(char *buf, size_t len, size_t *n, bool json, const char *key, uint64_t v)
{
    if (*n < len)
        *n += (size_t)(json ? snprintf(buf + *n, len - *n, ",\"%s\":%llu", key,
                                       (unsigned long long)v)
                            : snprintf(buf + *n, len - *n, ",%llu", (unsigned long long)v));
}

/* The exported signals of one color, in table order. */
static void signal_cols(const struct prom_color *pc, const struct window_stats *ws, bool json,
                        char *buf, size_t len, size_t *n)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *k = &metric_table[i];
        double v;
        if (!k->export_key)
            continue;
        if (k->kind == METRIC_SUM) {
            add_total(buf, len, n, json, k->export_key, pc->s[i].total);
        } else {
            bool known = metric_stats_value((enum metric_id)i, ws, &v);
            add_col(buf, len, n, json, k->export_key, known, k->unit == METRIC_UNIT_MS ? 3 : 0, v);
        }
        if (k->ratio_key) {
            char key[64];
            /* No requests in the window: the ratio is unknown, not 0. */
            bool known = metric_stats_ratio((enum metric_id)i, ws, &v);
            snprintf(key, sizeof key, "%s_window", k->ratio_key);
            add_col(buf, len, n, json, key, known, 6, v);
        }
    }
}

static int format_row(struct exporter *x, const struct collector_snapshot *snap, enum color c,
                      char *buf, size_t len)
{
    const struct prom_color *pc = &x->m.color[c];
    char iso[40], weight[16];
    time_t secs = (time_t)floor(snap->at);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)((snap->at - floor(snap->at)) * 1000.0);
    if (pc->weight >= 0)
        snprintf(weight, sizeof weight, "%d", pc->weight);
    else
        snprintf(weight, sizeof weight, "%s", x->json ? "null" : "");
    int head = x->json ? snprintf(buf, len,
                                  "{\"time_iso\":\"%s.%03dZ\",\"unix_time\":%.3f,\"color\":\"%s\","
                                  "\"weight\":%s",
                                  iso, ms, snap->at, color_name(c), weight)
                       : snprintf(buf, len, "%s.%03dZ,%.3f,%s,%s", iso, ms, snap->at,
                                  color_name(c), weight);
    if (head < 0 || (size_t)head >= len)
        return -1;
    size_t n = (size_t)head;
    signal_cols(pc, &snap->color[c].win, x->json, buf, len, &n);
    if (n < len)
        n += (size_t)snprintf(buf + n, len - n, x->json ? "}\n" : "\n");
    return n < len ? (int)n : -1;
}

static void write_rows(struct exporter *x, const struct collector_snapshot *snap)
{
    char buf[1024];
    size_t len = 0;
    if (x->header_pending)
        len = csv_header(buf, sizeof buf);
    for (int c = 0; c < COLOR_COUNT; c++) {
        int n = format_row(x, snap, (enum color)c, buf + len, sizeof buf - len);
        if (n < 0 || (size_t)n >= sizeof buf - len)
            return;
        len += (size_t)n;
    }
    ssize_t w = write(x->fd, buf, len);
    if (w == (ssize_t)len) {
        x->header_pending = false;
        if (x->write_failing)
            fprintf(stderr, "cutover server: export.file %s: writing again\n", x->path);
        x->write_failing = false;
        return;
    }
    if (!x->write_failing)
        fprintf(stderr, "cutover server: export.file %s: cannot write: %s (said once; "
                        "rows are lost until it works again)\n",
                x->path, w < 0 ? strerror(errno) : "short write");
    x->write_failing = true;
}

void export_second(struct exporter *x, const struct export_second *s)
{
    count_closed(x, s->window);
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int i = 0; i < METRIC_COUNT; i++) {
            double v;
            if (metric_table[i].kind != METRIC_GAUGE)
                continue;
            bool known = metric_stats_value((enum metric_id)i, &s->snap->color[c].win, &v);
            x->m.color[c].s[i].gauge = known ? (int64_t)v : -1;
        }
    from_snapshot(x, s->snapshot);
    if (x->prom)
        prom_set(x->prom, &x->m);
    /* The first tick in each every_s slot of the wall clock writes: rows
     * land on the same seconds whenever the server started, within the
     * tick's own jitter. */
    int64_t slot = (int64_t)floor(s->snap->at / x->cfg->export.every_s);
    if (slot == x->last_slot)
        return;
    x->last_slot = slot;
    if (x->fd >= 0)
        write_rows(x, s->snap);
}

void export_event(struct exporter *x, const cJSON *event)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(event, "time");
    /* The journal's tail replays its last lines at start: old news. */
    if (!x->grafana || !cJSON_IsNumber(t) || t->valuedouble < x->started)
        return;
    grafana_annotate(x->grafana, event);
}

/* ---- stop --------------------------------------------------------------- */

static void closed_one(struct exporter *x)
{
    if (--x->closing > 0)
        return;
    void (*done)(void *) = x->done;
    void *data = x->data;
    free(x);
    if (done)
        done(data);
}

static void on_prom_stopped(void *data)
{
    closed_one(data);
}

static void on_closer_closed(uv_handle_t *h)
{
    closed_one(h->data);
}

void export_stop(struct exporter *x, void (*done)(void *data), void *data)
{
    x->done = done;
    x->data = data;
    if (x->fd >= 0)
        close(x->fd);
    x->fd = -1;
    grafana_free(x->grafana);
    x->grafana = NULL;
    x->closing = x->prom ? 2 : 1;
    if (x->prom)
        prom_stop(x->prom, on_prom_stopped, x);
    x->prom = NULL;
    uv_close((uv_handle_t *)&x->closer, on_closer_closed);
}

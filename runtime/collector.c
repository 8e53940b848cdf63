/* collector: access log + sockets + probes -> one window. */
#include "runtime/collector.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "backends/accesslog.h"
#include "backends/balancer.h"
#include "backends/probe.h"
#include "backends/sockets.h"
#include "core/gwlog.h"
#include "core/logparse.h"

/* One color's gateway log (colors.<c>.log_file), tailed like the access log. */
struct gw_tail {
    struct collector *c;
    enum color color;
    struct accesslog *log;
    uint64_t lines, failures, malformed;
    uint64_t probe_failures;     /* of failures, cutover's own probes' */
    /* Probes of this color that failed in their stream and whose failure
     * line has not been read yet, and when the newest did: the gateway logs
     * a probe's failure as it logs a user's, but probes never pass nginx,
     * so counted as user failures they would push the ratio past what
     * users saw (over 100% with little traffic). */
    unsigned probe_credit;
    double credit_at;
};

/* A probe's failure line comes within a second of its stream's end; a
 * credit older than this is a probe whose failure was never logged, and
 * must not swallow a user's failure later. */
#define PROBE_CREDIT_S 10.0

struct collector {
    uv_loop_t *loop;
    const struct config *cfg;
    struct window *win;
    struct accesslog *log;
    struct gwlog_rules gw_rules;
    struct gw_tail gw[COLOR_COUNT];
    struct sockets *sockets;
    struct probe *probe;
    uv_timer_t tick;             /* every second: advance, count sockets */
    bool counting;               /* a socket count is in flight: it calls back
                                    even after sockets_free, so we wait for it */
    int probing_at_count[COLOR_COUNT];      /* probes in flight when it started */
    uint64_t sent_at_count[COLOR_COUNT];    /* probes sent by then */
    uv_timer_t burst;            /* extra probe rounds while a verdict is undecided */
    unsigned burst_sent, burst_max;
    bool bursting;
    bool stopping, tick_closed, burst_closed;
    int ports[COLOR_COUNT];
    const char *addrs[COLOR_COUNT];
    size_t addr_lens[COLOR_COUNT];
    uint64_t log_lines, malformed_total, other_attempts;
    uint64_t probe_errors_by_kind[COLOR_COUNT][8];
    struct sample_ring probe_samples[COLOR_COUNT];   /* ms of the guarded latency */
    unsigned probe_fail_streak[COLOR_COUNT];
    char last_probe_error[COLOR_COUNT][200]; /* "kind: message" */
    char sockets_error[256];
    /* A ring of the latest failures: next is where the next one goes. */
    struct collector_failure failures[COLLECTOR_FAILURES];
    int n_failures, next_failure;
};

double collector_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* "127.0.0.1:8787" / "[::1]:8788" -> port; "unix:/path" -> -1. */
static int addr_port(const char *addr)
{
    if (strncmp(addr, "unix:", 5) == 0)
        return -1;
    const char *colon = strrchr(addr, ':');
    return colon ? atoi(colon + 1) : -1;
}

/* A log line's time, clamped to our clock: one line from a skewed writer
 * must not move the whole window into the future. */
static double line_time(const struct logparse_record *rec, double now)
{
    double t = (double)rec->msec / 1000.0;
    return t > now ? now : t;
}

static struct collector_failure *push_failure(struct collector *c, double t, int color,
                                              enum collector_failure_kind kind, int status)
{
    struct collector_failure *f = &c->failures[c->next_failure];
    memset(f, 0, sizeof *f);
    f->time = t;
    f->color = color;
    f->kind = kind;
    f->status = status;
    c->next_failure = (c->next_failure + 1) % COLLECTOR_FAILURES;
    if (c->n_failures < COLLECTOR_FAILURES)
        c->n_failures++;
    return f;
}

/* Copies a log field; control bytes become '?' (it is shown on terminals). */
static void copy_field(char *dst, size_t cap, struct logparse_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        dst[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    dst[n] = '\0';
}

static void note_5xx(struct collector *c, double t, int color, const struct logparse_record *rec,
                     int status)
{
    struct collector_failure *f = push_failure(c, t, color, FAILURE_5XX, status);
    copy_field(f->path, sizeof f->path, rec->path);
    copy_field(f->rid, sizeof f->rid, rec->rid);
    if (strcmp(f->rid, "-") == 0)
        f->rid[0] = '\0';
}

static void on_log_line(const char *line, size_t len, void *data)
{
    struct collector *c = data;
    struct logparse_record rec;
    double now = collector_now();
    c->log_lines++;
    if (logparse_line(line, len, &rec) != 0) {
        c->malformed_total++;
        window_add_malformed(c->win, now);
        return;
    }
    double t = line_time(&rec, now);
    for (int i = 0; i < rec.n_attempts; i++) {
        const struct logparse_attempt *a = &rec.attempt[i];
        int color = logparse_addr_index(a->addr, c->addrs, c->addr_lens, COLOR_COUNT);
        if (color < 0) {
            c->other_attempts++;
            continue;
        }
        struct metric_sample sample;
        logparse_attempt_sample(a, &sample);
        window_add(c->win, (enum color)color, t, &sample);
        if (a->status >= 500)
            note_5xx(c, t, color, &rec, a->status);
    }
}

/* An in-stream failure's row: it names the rule that matched, never the
 * line (a gateway's log lines may hold a user's conversation). */
static void note_stream(struct collector *c, double t, enum color color, int rule)
{
    char text[160];
    gwlog_rule_text(&c->gw_rules, rule, text, sizeof text);
    struct collector_failure *f = push_failure(c, t, color, FAILURE_STREAM, 200);
    snprintf(f->detail, sizeof f->detail, "in-stream failure (gateway log: %s)", text);
}

/* Whether a failure line just read is one of our probes' (one credit
 * each, in the order they come: the lines carry no id to match). */
static bool claimed_by_probe(struct gw_tail *g, double now)
{
    if (g->probe_credit > 0 && now - g->credit_at > PROBE_CREDIT_S)
        g->probe_credit = 0;
    if (g->probe_credit == 0)
        return false;
    g->probe_credit--;
    return true;
}

/* A line of a color's gateway log: a failed user request is one in-stream
 * failure of that color, stamped when it is read (the line's own time is
 * local time with an offset, and the line was just written). */
static void on_gw_line(const char *line, size_t len, void *data)
{
    struct gw_tail *g = data;
    int rule = -1;
    g->lines++;
    switch (gwlog_line(&g->c->gw_rules, line, len, &rule)) {
    case GWLOG_FAILURE: {
        struct metric_sample sample;
        double now = collector_now();
        g->failures++;
        if (claimed_by_probe(g, now)) {
            g->probe_failures++;
            break;      /* the probe's own row and sample already tell it */
        }
        gwlog_failure_sample(&sample);
        window_add(g->c->win, g->color, now, &sample);
        note_stream(g->c, now, g->color, rule);
        break;
    }
    case GWLOG_MALFORMED:
        g->malformed++;
        break;
    case GWLOG_OTHER:
        break;
    }
}

/* Each color with a log_file: its log is followed from its end, through
 * rotation, by the access log's tailer. */
static int start_gateway_logs(struct collector *c, char *msg, size_t msglen)
{
    const struct config *cfg = c->cfg;
    char why[200];
    if (gwlog_rules_parse((const char *const *)cfg->gateway.failure_patterns.argv,
                          cfg->gateway.failure_patterns.argc, &c->gw_rules, why,
                          sizeof why) != 0) {
        snprintf(msg, msglen, "gateway.failure_patterns: %s", why);
        return -1;
    }
    for (int i = 0; i < COLOR_COUNT; i++) {
        c->gw[i].c = c;
        c->gw[i].color = (enum color)i;
        const char *path = cfg->colors[i].log_file;
        if (!path || !*path)
            continue;
        struct accesslog_options lo = {.path = path, .on_line = on_gw_line, .data = &c->gw[i]};
        if (accesslog_start(c->loop, &lo, &c->gw[i].log, msg, msglen) != 0)
            return -1;
    }
    return 0;
}

static void on_probe_result(const struct probe_result *r, void *data)
{
    struct collector *c = data;
    enum color color = (enum color)r->target;
    bool ok = r->outcome == PROBE_OK;
    struct metric_sample sample;
    probe_result_sample(r, &sample);
    window_add(c->win, color, r->sent_at, &sample);
    enum metric_id guarded = metric_guarded_latency();
    if (ok && guarded != METRIC_COUNT && sample.has[guarded])
        sample_ring_push(&c->probe_samples[color], r->sent_at,
                         (double)sample.value[guarded] / 1000.0);
    c->probe_fail_streak[color] = ok ? 0 : c->probe_fail_streak[color] + 1;
    if (r->outcome == PROBE_STREAM_ERROR && c->gw[color].log != NULL) {
        c->gw[color].probe_credit++;
        c->gw[color].credit_at = collector_now();
    }
    if (!ok) {
        if ((unsigned)r->outcome < 8)
            c->probe_errors_by_kind[color][r->outcome]++;
        /* One text for both: written from a local copy, as the failure ring
         * and the last error live in the same object. */
        char text[sizeof c->last_probe_error[color]];
        snprintf(text, sizeof text, "%s: %s", probe_outcome_name(r->outcome), r->message);
        memcpy(c->last_probe_error[color], text, sizeof text);
        /* Stamped when it ended: the gateway logs a failure then, and a
         * lookup by time looks around it. */
        double ended = r->sent_at + (double)r->total_us / 1e6;
        struct collector_failure *f = push_failure(c, ended, color, FAILURE_PROBE,
                                                   r->http_status);
        snprintf(f->path, sizeof f->path, "%s", c->cfg->probe.path);
        snprintf(f->run, sizeof f->run, "%s", r->run_id);
        snprintf(f->detail, sizeof f->detail, "%s", text);
    }
}

static void free_when_idle(struct collector *c)
{
    if (c->stopping && c->tick_closed && c->burst_closed && !c->counting) {
        window_free(c->win);
        free(c);
    }
}

static void on_sockets_counted(int status, const int counts[COLOR_COUNT], const char *msg,
                               void *data)
{
    struct collector *c = data;
    double now = collector_now();
    c->counting = false;
    if (c->stopping) {
        free_when_idle(c);
        return;
    }
    if (status != 0) {
        snprintf(c->sockets_error, sizeof c->sockets_error, "%s", msg ? msg : "count failed");
        return;
    }
    c->sockets_error[0] = '\0';
    for (int i = 0; i < COLOR_COUNT; i++) {
        if (counts[i] < 0)
            continue;
        /* Our own probes' connections are not traffic: without this, a
         * color probed every interval would never read as drained. The
         * count ran for a while: any probe in flight when it started or
         * sent since may be in it (the ones in flight at its end alone
         * missed probes that ended meanwhile, and a drain never held on a
         * busy machine probing every 0.2 s). */
        int n = counts[i];
        int probing = 0;
        if (c->probe)
            probing = c->probing_at_count[i] +
                      (int)(probe_sent(c->probe, i) - c->sent_at_count[i]);
        n = n > probing ? n - probing : 0;
        struct metric_sample sample = {0};
        metric_sample_set(&sample, METRIC_CONNECTIONS, n);
        window_add(c->win, (enum color)i, now, &sample);
    }
}

static void on_tick(uv_timer_t *t)
{
    struct collector *c = t->data;
    char msg[256];
    window_advance(c->win, collector_now());
    if (c->sockets && !c->counting) {
        for (int i = 0; c->probe && i < COLOR_COUNT; i++) {
            c->probing_at_count[i] = probe_target_in_flight(c->probe, i);
            c->sent_at_count[i] = probe_sent(c->probe, i);
        }
        if (sockets_count_async(c->sockets, c->ports, on_sockets_counted, c, msg, sizeof msg) == 0)
            c->counting = true;
        else
            snprintf(c->sockets_error, sizeof c->sockets_error, "%s", msg);
    }
}

static int start_probes(struct collector *c, char *msg, size_t msglen)
{
    const struct config *cfg = c->cfg;
    struct probe_target targets[COLOR_COUNT];
    for (int i = 0; i < COLOR_COUNT; i++) {
        targets[i].name = color_name((enum color)i);
        targets[i].address = cfg->colors[i].addr;
    }
    struct probe_params p = {
        .interval_s = cfg->probe.interval_s,
        .timeout_s = cfg->probe.timeout_s,
        .path = cfg->probe.path,
        .body = cfg->probe.body,
        .header_count = cfg->probe.headers.count,
        .header_names = (const char *const *)cfg->probe.headers.name,
        .header_values = (const char *const *)cfg->probe.headers.value,
        .target_count = COLOR_COUNT,
        .targets = targets,
    };
    if (probe_new(c->loop, &p, on_probe_result, c, &c->probe, msg, msglen) != 0)
        return -1;
    probe_start(c->probe);
    return 0;
}

static int start_backends(struct collector *c, const struct collector_options *opt,
                          char *msg, size_t msglen)
{
    const struct config *cfg = c->cfg;
    if (opt->tail) {
        struct accesslog_options lo = {
            .path = balancer_of(cfg)->access_log(cfg), .on_line = on_log_line, .data = c,
            .backfill_bytes = opt->backfill_bytes,
        };
        if (accesslog_start(c->loop, &lo, &c->log, msg, msglen) != 0)
            return -1;
        if (start_gateway_logs(c, msg, msglen) != 0)
            return -1;
    }
    if (opt->sockets) {
        int impl = sockets_impl_parse(cfg->signals.sockets);
        c->sockets = sockets_new(c->loop, (enum sockets_impl)(impl < 0 ? SOCKETS_AUTO : impl),
                                 cfg->command_timeout_ms, msg, msglen);
        if (!c->sockets)
            return -1;
    }
    if (opt->probes && start_probes(c, msg, msglen) != 0)
        return -1;
    return 0;
}

int collector_start(uv_loop_t *loop, const struct config *cfg,
                    const struct collector_options *opt, struct collector **out,
                    char *msg, size_t msglen)
{
    struct collector *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    c->loop = loop;
    c->cfg = cfg;
    for (int i = 0; i < COLOR_COUNT; i++) {
        c->addrs[i] = cfg->colors[i].addr;
        c->addr_lens[i] = strlen(cfg->colors[i].addr);
        c->ports[i] = addr_port(cfg->colors[i].addr);
    }
    c->win = window_new(cfg->rollout.window_s, cfg->signals.history_s, msg, msglen);
    uv_timer_init(loop, &c->tick);
    uv_timer_init(loop, &c->burst);
    c->burst.data = c;
    c->tick.data = c;
    if (!c->win || start_backends(c, opt, msg, msglen) != 0) {
        collector_stop(c);
        return -1;
    }
    uv_timer_start(&c->tick, on_tick, 0, 1000);
    *out = c;
    return 0;
}

void collector_snapshot(struct collector *c, struct collector_snapshot *out)
{
    memset(out, 0, sizeof *out);
    out->at = collector_now();
    window_advance(c->win, out->at);
    for (int i = 0; i < COLOR_COUNT; i++) {
        struct collector_color *cc = &out->color[i];
        window_stats(c->win, (enum color)i, out->at, &cc->win);
        memcpy(cc->probe_errors_by_kind, c->probe_errors_by_kind[i], sizeof cc->probe_errors_by_kind);
        cc->probe_n = sample_ring_since(&c->probe_samples[i], out->at - c->cfg->rollout.window_s,
                                        cc->probe_ms, SAMPLE_RING_CAP);
        cc->probe_fail_streak = c->probe_fail_streak[i];
        snprintf(cc->last_probe_error, sizeof cc->last_probe_error, "%s", c->last_probe_error[i]);
        const struct gw_tail *g = &c->gw[i];
        snprintf(cc->gw_log_state, sizeof cc->gw_log_state, "%s",
                 g->log ? accesslog_state_name(accesslog_state(g->log)) : "off");
        cc->gw_lines = g->lines;
        cc->gw_failures = g->failures;
        cc->gw_probe_failures = g->probe_failures;
        cc->gw_malformed = g->malformed;
    }
    out->log_lines = c->log_lines;
    out->malformed_total = c->malformed_total;
    out->other_attempts = c->other_attempts;
    snprintf(out->log_state, sizeof out->log_state, "%s",
             c->log ? accesslog_state_name(accesslog_state(c->log)) : "off");
    snprintf(out->log_error, sizeof out->log_error, "%s", c->log ? accesslog_error(c->log) : "");
    snprintf(out->sockets_impl, sizeof out->sockets_impl, "%s",
             c->sockets ? sockets_name(c->sockets) : "off");
    snprintf(out->sockets_error, sizeof out->sockets_error, "%s", c->sockets_error);
    for (int i = 0; i < c->n_failures; i++) {
        int at = (c->next_failure - 1 - i + 2 * COLLECTOR_FAILURES) % COLLECTOR_FAILURES;
        out->failure[i] = c->failures[at];
    }
    out->n_failures = c->n_failures;
}

void collector_guards_probes(const struct collector_snapshot *s,
                             struct guards_probes out[COLOR_COUNT])
{
    for (int i = 0; i < COLOR_COUNT; i++) {
        out[i].ms = s->color[i].probe_ms;
        out[i].n = s->color[i].probe_n;
        out[i].fail_streak = s->color[i].probe_fail_streak;
    }
}

const struct window *collector_window(const struct collector *c)
{
    return c->win;
}

static void on_tick_closed(uv_handle_t *h)
{
    struct collector *c = h->data;
    if (h == (uv_handle_t *)&c->tick)
        c->tick_closed = true;
    else
        c->burst_closed = true;
    free_when_idle(c);
}

/* ---- bursts ------------------------------------------------------------- */

static void on_burst(uv_timer_t *t)
{
    struct collector *c = t->data;
    if (c->burst_sent >= c->burst_max) {
        collector_burst_stop(c);
        return;
    }
    c->burst_sent++;
    probe_round(c->probe, c->cfg->probe.burst_parallel);
}

int collector_burst_start(struct collector *c, double rate, unsigned max, char *msg,
                          size_t msglen)
{
    if (!c->probe) {
        snprintf(msg, msglen, "no probes are running: nothing to burst");
        return -1;
    }
    if (!(rate > 0) || max == 0) {
        snprintf(msg, msglen, "a burst needs a rate > 0 and a budget > 0");
        return -1;
    }
    uint64_t every_ms = (uint64_t)(1000.0 / rate);
    c->burst_sent = 0;
    c->burst_max = max;
    c->bursting = true;
    /* Both colors in each round: simultaneous probes see the same load on
     * the host, so it does not pass for a difference between the builds. */
    uv_timer_start(&c->burst, on_burst, 0, every_ms > 0 ? every_ms : 1);
    return 0;
}

void collector_burst_stop(struct collector *c)
{
    c->bursting = false;
    uv_timer_stop(&c->burst);
}

bool collector_bursting(const struct collector *c, unsigned *sent, unsigned *max)
{
    if (sent)
        *sent = c->burst_sent;
    if (max)
        *max = c->burst_max;
    return c->bursting;
}

void collector_stop(struct collector *c)
{
    if (!c)
        return;
    if (c->log)
        accesslog_stop(c->log);
    for (int i = 0; i < COLOR_COUNT; i++)
        if (c->gw[i].log)
            accesslog_stop(c->gw[i].log);
    probe_free(c->probe);
    /* A count in flight carries its own state, so the sockets object can go
     * now; the collector itself waits for that count's callback. */
    sockets_free(c->sockets);
    c->sockets = NULL;
    c->stopping = true;
    uv_close((uv_handle_t *)&c->tick, on_tick_closed);
    uv_close((uv_handle_t *)&c->burst, on_tick_closed);
}

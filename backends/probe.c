/* probe: see probe.h. One round timer; per target up to PROBE_MAX_SLOTS
 * calls in flight (one outside bursts), each an easy handle run by curluv. The write callback feeds core/sse and stamps the first
 * content; the probe reads every answer to its end (the stream to [DONE] and
 * the server's close of it, a non-2xx body too), since a client that hangs
 * up early makes the real gateway log errors, and a failure may come after
 * the first token. The done callback classifies what was read. */
#include "backends/probe.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "backends/curluv.h"
#include "backends/probe_headers.h"
#include "core/sse.h"

/* One request in flight: a slot of its target. Allocated when sent, freed
 * when done, so an idle probe holds no stream buffers. */
struct call {
    struct target *t;
    int slot;
    CURL *easy;
    struct curl_slist *headers;
    double sent_at;
    uint64_t t_send, t_first;  /* uv_hrtime, ns; t_first 0 until content */
    int status;
    char err_body[512];        /* the start of a non-2xx answer, for its message */
    size_t err_len;
    char curl_err[CURL_ERROR_SIZE];
    struct sse_reader sse;
};

struct target {
    struct probe *p;
    int index;
    char *name;
    char *url;
    char *unix_path;           /* NULL for TCP */
    char *bodies[PROBE_MAX_SLOTS];  /* "{slot}" replaced by each slot's number */
    struct call *calls[PROBE_MAX_SLOTS];  /* non-NULL while that slot is in flight */
    uint64_t skipped;
    uint64_t sent;             /* probes sent so far (each a connection while it runs) */
};

struct probe {
    uv_loop_t *loop;
    struct curluv *cu;
    uv_timer_t timer;
    uint64_t interval_ms;
    long timeout_ms;
    int header_count;
    char **header_names;
    char **header_values;
    double (*clock)(void *);
    void *clock_data;
    probe_result_cb cb;
    void *cb_data;
    int target_count;
    struct target targets[PROBE_MAX_TARGETS];
};

void probe_result_sample(const struct probe_result *r, struct metric_sample *out)
{
    bool ok = r->outcome == PROBE_OK;
    memset(out, 0, sizeof *out);
    metric_sample_set(out, METRIC_PROBES, 1);
    metric_sample_set(out, METRIC_PROBE_ERRORS, !ok);
    if (ok)
        metric_sample_set(out, METRIC_TTFT, (int64_t)r->ttft_us);
}

const char *probe_outcome_name(enum probe_outcome o)
{
    static const char *const names[] = {
        [PROBE_OK] = "ok", [PROBE_REFUSED] = "refused", [PROBE_TIMEOUT] = "timeout",
        [PROBE_HTTP_STATUS] = "http status", [PROBE_NO_CONTENT] = "no content",
        [PROBE_STREAM_ERROR] = "stream error", [PROBE_NOT_SENT] = "not sent",
        [PROBE_FAILED] = "failed",
    };
    if ((unsigned)o < sizeof names / sizeof names[0] && names[o])
        return names[o];
    return "unknown";
}

static double wall_clock(void *unused)
{
    (void)unused;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Every `from` in s replaced by `to`; caller frees. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), count = 0;
    for (const char *q = strstr(s, from); q; q = strstr(q + nf, from))
        count++;
    char *out = malloc(strlen(s) + count * nt + 1);
    if (!out)
        return NULL;
    char *w = out;
    for (const char *q; (q = strstr(s, from)) != NULL; s = q + nf) {
        memcpy(w, s, (size_t)(q - s));
        w += q - s;
        memcpy(w, to, nt);
        w += nt;
    }
    strcpy(w, s);
    return out;
}

/* ---- one probe -------------------------------------------------------- */

static void emit(struct target *t, double sent_at, int status, uint64_t t_send,
                 uint64_t t_first, enum probe_outcome o, uint64_t total_us, const char *message,
                 const char *run_id)
{
    struct probe_result r = {
        .target = t->index, .name = t->name, .sent_at = sent_at, .outcome = o,
        .http_status = status, .total_us = total_us, .skipped = t->skipped,
    };
    if (t_first && t_first >= t_send)
        r.ttft_us = (t_first - t_send) / 1000;
    snprintf(r.message, sizeof r.message, "%s", message);
    snprintf(r.run_id, sizeof r.run_id, "%s", run_id ? run_id : "");
    t->p->cb(&r, t->p->cb_data);
}

static bool status_ok(int status)
{
    return status >= 200 && status < 300;
}

/* Reads everything: the stream into core/sse, a non-2xx body's start into
 * err_body. The first content (or an in-stream failure before it) stamps
 * t_first, so TTFT never counts the role chunk. */
static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct call *c = userdata;
    size_t n = size * nmemb;
    if (c->status == 0) {
        long code = 0;
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
        c->status = (int)code;
    }
    if (!status_ok(c->status)) {
        size_t room = sizeof c->err_body - 1 - c->err_len;
        size_t take = n < room ? n : room;
        memcpy(c->err_body + c->err_len, ptr, take);
        c->err_len += take;
        c->err_body[c->err_len] = '\0';
        return n;
    }
    enum sse_outcome so = sse_reader_feed(&c->sse, ptr, n);
    if (c->t_first == 0 && (c->sse.has_content || so == SSE_ERROR))
        c->t_first = uv_hrtime();
    return n;
}

/* "HTTP 503: <the gateway's message>", never a header. */
static void status_message(const struct call *c, char *msg, size_t msglen)
{
    char text[SSE_READER_MESSAGE];
    if (sse_error_text(c->err_body, c->err_len, text, sizeof text))
        snprintf(msg, msglen, "HTTP %d: %s", c->status, text);
    else
        snprintf(msg, msglen, "HTTP %d", c->status);
}

/* What the stream itself said: an outcome, or -1 when it ended undecided. */
static int stream_verdict(const struct call *c, char *msg, size_t msglen)
{
    const struct sse_reader *r = &c->sse;
    if (r->outcome == SSE_ERROR) {   /* with or without [DONE] after it */
        snprintf(msg, msglen, "in-stream error: %s", r->message);
        return PROBE_STREAM_ERROR;
    }
    if (r->done && r->outcome == SSE_DONE_EMPTY) {
        snprintf(msg, msglen, "stream ended ([DONE]) without content");
        return PROBE_NO_CONTENT;
    }
    if (r->done)
        return PROBE_OK;
    return -1;
}

static enum probe_outcome classify(struct call *c, CURLcode rc, char *msg, size_t msglen)
{
    const char *detail = c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc);
    if (c->status && !status_ok(c->status)) {
        status_message(c, msg, msglen);
        return PROBE_HTTP_STATUS;
    }
    int v = stream_verdict(c, msg, msglen);
    if (v >= 0)
        return (enum probe_outcome)v;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(msg, msglen, "%s within %.3g s%s",
                 c->sse.has_content ? "no [DONE]" : "no content",
                 (double)c->t->p->timeout_ms / 1000,
                 c->sse.has_content ? " (content came)" : c->status ? " (headers came)" : "");
        return PROBE_TIMEOUT;
    }
    if (rc == CURLE_COULDNT_CONNECT) {
        snprintf(msg, msglen, "connect: %.140s", detail);
        return PROBE_REFUSED;
    }
    if (rc == CURLE_OK) {            /* the server ended the answer without [DONE] */
        if (c->sse.has_content)
            return PROBE_OK;
        snprintf(msg, msglen, "stream ended without content");
        return PROBE_NO_CONTENT;
    }
    snprintf(msg, msglen, "%.150s", detail);
    return PROBE_FAILED;
}

/* Frees the call and its slot. */
static void release_call(struct call *c)
{
    curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    c->t->calls[c->slot] = NULL;
    free(c);
}

static void on_done(CURL *easy, CURLcode rc, void *data)
{
    (void)easy;
    struct call *c = data;
    struct target *t = c->t;
    uint64_t total_us = (uv_hrtime() - c->t_send) / 1000;
    if (c->status == 0) {
        long code = 0;
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
        c->status = (int)code;
    }
    char msg[160] = "";
    enum probe_outcome o = classify(c, rc, msg, sizeof msg);
    double sent_at = c->sent_at;
    int status = c->status;
    uint64_t t_send = c->t_send, t_first = c->t_first;
    char run_id[sizeof c->sse.id];
    memcpy(run_id, c->sse.id, sizeof run_id);
    release_call(c);
    /* last: the callback may free the probe */
    emit(t, sent_at, status, t_send, t_first, o, total_us, msg, run_id);
}

static void set_options(struct call *c)
{
    CURL *e = c->easy;
    struct target *t = c->t;
    const char *body = t->bodies[c->slot];
    curl_easy_setopt(e, CURLOPT_URL, t->url);
    if (t->unix_path)
        curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, t->unix_path);
    curl_easy_setopt(e, CURLOPT_PROXY, "");  /* loopback: never via a proxy */
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "cutover-probe");
    /* A connection per probe, closed at its end: one left idle in curl's
     * pool stays ESTABLISHED to the color, and the drain watch counted it
     * as a user's (a drained blue read 1 now and then, and on a busy
     * machine never held 0 for the drain's second). */
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->curl_err);
}

static void send_one(struct target *t, int slot)
{
    struct probe *p = t->p;
    char msg[160];
    double sent_at = p->clock(p->clock_data);
    uint64_t t_send = uv_hrtime();
    struct call *c = calloc(1, sizeof *c);
    if (!c) {
        emit(t, sent_at, 0, t_send, 0, PROBE_NOT_SENT, 0, "out of memory", NULL);
        return;
    }
    c->t = t;
    c->slot = slot;
    c->sent_at = sent_at;
    t->sent++;
    t->calls[slot] = c;
    sse_reader_init(&c->sse);
    c->headers = probe_headers_build(p->header_names, p->header_values, p->header_count,
                                     msg, sizeof msg);
    if (c->headers && (c->easy = curl_easy_init()) != NULL) {
        set_options(c);
        c->t_send = uv_hrtime();
        if (curluv_add(p->cu, c->easy, on_done, c, msg, sizeof msg) == 0)
            return;
    } else if (c->headers) {
        snprintf(msg, sizeof msg, "curl_easy_init failed");
    }
    release_call(c);
    emit(t, sent_at, 0, t_send, 0, PROBE_NOT_SENT, 0, msg, NULL);
}

static int calls_in_flight(const struct target *t)
{
    int n = 0;
    for (int s = 0; s < PROBE_MAX_SLOTS; s++)
        n += t->calls[s] != NULL;
    return n;
}

static int free_slot(const struct target *t)
{
    for (int s = 0; s < PROBE_MAX_SLOTS; s++)
        if (!t->calls[s])
            return s;
    return -1;
}

void probe_round(struct probe *p, int max_in_flight)
{
    if (max_in_flight < 1)
        max_in_flight = 1;
    if (max_in_flight > PROBE_MAX_SLOTS)
        max_in_flight = PROBE_MAX_SLOTS;
    for (int i = 0; i < p->target_count; i++) {
        struct target *t = &p->targets[i];
        if (calls_in_flight(t) >= max_in_flight)
            t->skipped++;      /* a bounded number in flight, never a pile-up */
        else
            send_one(t, free_slot(t));
    }
}

static void on_tick(uv_timer_t *timer)
{
    probe_round(timer->data, 1);    /* steady rounds: one at a time a color */
}

/* ---- set-up and shutdown ---------------------------------------------- */

static int check_params(const struct probe_params *pp, char *err, size_t errlen)
{
    if (!(pp->interval_s > 0) || !(pp->timeout_s > 0)) {
        snprintf(err, errlen, "probe: interval_s and timeout_s must be > 0");
        return -1;
    }
    if (pp->target_count < 1 || pp->target_count > PROBE_MAX_TARGETS || !pp->targets) {
        snprintf(err, errlen, "probe: 1 to %d targets", PROBE_MAX_TARGETS);
        return -1;
    }
    if (!pp->path || !pp->body || (pp->header_count > 0 &&
                                   (!pp->header_names || !pp->header_values))) {
        snprintf(err, errlen, "probe: path, body and headers must be set");
        return -1;
    }
    for (int i = 0; i < pp->target_count; i++) {
        const struct probe_target *pt = &pp->targets[i];
        if (!pt->name || !pt->address || !pt->address[0]) {
            snprintf(err, errlen, "probe: target %d needs a name and an address", i);
            return -1;
        }
    }
    return 0;
}

/* Each slot's body: "{color}" becomes the target's name and "{slot}" the
 * slot's number, so parallel probes can be distinct users (the real gateway
 * runs one request at a time per user's session). */
static int target_bodies(struct target *t, const char *body)
{
    char *colored = replace_all(body, "{color}", t->name);
    if (!colored)
        return -1;
    for (int s = 0; s < PROBE_MAX_SLOTS; s++) {
        char slot[16];
        snprintf(slot, sizeof slot, "%d", s);
        t->bodies[s] = replace_all(colored, "{slot}", slot);
        if (!t->bodies[s])
            break;
    }
    free(colored);
    return t->bodies[PROBE_MAX_SLOTS - 1] ? 0 : -1;
}

/* The URL for an address: "unix:/p" goes through the socket at /p. */
static int target_init(struct probe *p, struct target *t, int index,
                       const struct probe_target *pt, const char *path, const char *body)
{
    const char *slash = path[0] == '/' ? "" : "/";
    bool is_unix = strncmp(pt->address, "unix:", 5) == 0;
    const char *host = is_unix ? "localhost" : pt->address;
    bool has_scheme = strstr(host, "://") != NULL;
    size_t n = strlen(host) + strlen(path) + 16;
    t->p = p;
    t->index = index;
    t->name = dup_str(pt->name);
    t->unix_path = is_unix ? dup_str(pt->address + 5) : NULL;
    t->url = malloc(n);
    if (!t->name || !t->url || (is_unix && !t->unix_path) || target_bodies(t, body) != 0)
        return -1;
    snprintf(t->url, n, "%s%s%s%s", has_scheme ? "" : "http://", host, slash, path);
    return 0;
}

static char **dup_strv(const char *const *v, int n)
{
    char **out = calloc((size_t)(n > 0 ? n : 1), sizeof *out);
    for (int i = 0; out && i < n; i++)
        out[i] = dup_str(v[i] ? v[i] : "");
    return out;
}

static void free_strv(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void probe_release(struct probe *p)
{
    for (int i = 0; i < p->target_count; i++) {
        struct target *t = &p->targets[i];
        free(t->name);
        free(t->url);
        free(t->unix_path);
        for (int s = 0; s < PROBE_MAX_SLOTS; s++)
            free(t->bodies[s]);
    }
    free_strv(p->header_names, p->header_count);
    free_strv(p->header_values, p->header_count);
    free(p);
}

static int copy_params(struct probe *p, const struct probe_params *pp)
{
    p->interval_ms = (uint64_t)(pp->interval_s * 1000 + 0.5);
    p->timeout_ms = (long)(pp->timeout_s * 1000 + 0.5);
    p->clock = pp->clock ? pp->clock : wall_clock;
    p->clock_data = pp->clock_data;
    p->header_count = pp->header_count > 0 ? pp->header_count : 0;
    p->header_names = dup_strv(pp->header_names, p->header_count);
    p->header_values = dup_strv(pp->header_values, p->header_count);
    if (!p->header_names || !p->header_values)
        return -1;
    for (int i = 0; i < p->header_count; i++)
        if (!p->header_names[i] || !p->header_values[i])
            return -1;
    p->target_count = pp->target_count;
    for (int i = 0; i < pp->target_count; i++)
        if (target_init(p, &p->targets[i], i, &pp->targets[i], pp->path, pp->body) != 0)
            return -1;
    return 0;
}

int probe_new(uv_loop_t *loop, const struct probe_params *params, probe_result_cb cb,
              void *data, struct probe **out, char *err, size_t errlen)
{
    *out = NULL;
    if (check_params(params, err, errlen) != 0)
        return -1;
    struct probe *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p->loop = loop;
    p->cb = cb;
    p->cb_data = data;
    if (copy_params(p, params) != 0) {
        snprintf(err, errlen, "out of memory");
        probe_release(p);
        return -1;
    }
    p->cu = curluv_new(loop, err, errlen);
    if (!p->cu) {
        probe_release(p);
        return -1;
    }
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    *out = p;
    return 0;
}

void probe_start(struct probe *p)
{
    uv_timer_start(&p->timer, on_tick, 0, p->interval_ms);
}

void probe_stop(struct probe *p)
{
    uv_timer_stop(&p->timer);
}

int probe_in_flight(const struct probe *p)
{
    int n = 0;
    for (int i = 0; i < p->target_count; i++)
        n += calls_in_flight(&p->targets[i]);
    return n;
}

int probe_handles(const struct probe *p)
{
    return 1 + curluv_handles(p->cu);
}

int probe_target_in_flight(const struct probe *p, int target)
{
    if (target < 0 || target >= p->target_count)
        return 0;
    return calls_in_flight(&p->targets[target]);
}

uint64_t probe_sent(const struct probe *p, int target)
{
    if (target < 0 || target >= p->target_count)
        return 0;
    return p->targets[target].sent;
}

uint64_t probe_skipped(const struct probe *p, int target)
{
    if (target < 0 || target >= p->target_count)
        return 0;
    return p->targets[target].skipped;
}

static void on_timer_closed(uv_handle_t *h)
{
    probe_release(h->data);
}

void probe_free(struct probe *p)
{
    if (!p || uv_is_closing((uv_handle_t *)&p->timer))
        return;
    for (int i = 0; i < p->target_count; i++) {
        struct target *t = &p->targets[i];
        for (int s = 0; s < PROBE_MAX_SLOTS; s++) {
            if (t->calls[s]) {
                curluv_cancel(p->cu, t->calls[s]->easy);
                release_call(t->calls[s]);
            }
        }
    }
    curluv_free(p->cu);
    p->cu = NULL;
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, on_timer_closed);
}

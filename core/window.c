/* window: a ring of window_s one-second slots per color holding full
 * histograms, running sums kept by adding on entry and subtracting on expiry
 * (O(buckets) per second whatever the traffic), and a ring of history_s
 * compact per-second summaries for charts and replay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hist.h"
#include "core/window.h"

/* Beyond this a double no longer has whole-second resolution to spare. */
#define MAX_NOW 1e15

struct slot {
    uint32_t requests, status_5xx, probes, probe_errors;
    struct hist header, ttft;
};

/* Sums over the slots inside the window, plus the gauge. */
struct running {
    uint64_t requests, status_5xx, probes, probe_errors;
    struct hist header, ttft;
    int64_t connections;
    double connections_at;
};

/* One history second of one color in 16 bytes (a day of both colors is
 * 2.8 MB, not the 5.5 MB of plain fields): two words of bit fields laid out
 * by LAYOUT. Counts saturate at their field's maximum instead of wrapping,
 * so a full field reads "at least this many"; p95s are 11-bit codes. */
struct summary {
    uint64_t word[2];
};

#define COUNT_BITS 24          /* requests, 5xx: 16.7 M a second */
#define PROBE_BITS 8           /* probes, probe errors: interval_s >= 0.1 */
#define CONN_BITS 20           /* the gauge + 1, 0 for never set */
#define CODE_BITS 11           /* a p95 code, see p95_code */
#define CODE_SUB_BITS 6        /* steps per power of two in a code, as in hist */

_Static_assert(WINDOW_SECOND_MAX_COUNT == (1u << COUNT_BITS) - 1, "count field");
_Static_assert(WINDOW_SECOND_MAX_PROBES == (1u << PROBE_BITS) - 1, "probe field");
_Static_assert(WINDOW_SECOND_MAX_CONNECTIONS == (1 << CONN_BITS) - 2, "gauge field");
_Static_assert(2 * COUNT_BITS + 2 * PROBE_BITS <= 64, "word 0 overflows");
_Static_assert(CONN_BITS + 4 * CODE_BITS <= 64, "word 1 overflows");

enum field {
    F_REQUESTS, F_5XX, F_PROBES, F_PROBE_ERRORS,
    F_CONNECTIONS, F_HEADER_P95, F_TTFT_P95, F_WIN_HEADER_P95, F_WIN_TTFT_P95,
    F_COUNT
};

static const struct {
    unsigned char word, shift, bits;
} LAYOUT[F_COUNT] = {
    [F_REQUESTS] = {0, 0, COUNT_BITS},
    [F_5XX] = {0, COUNT_BITS, COUNT_BITS},
    [F_PROBES] = {0, 2 * COUNT_BITS, PROBE_BITS},
    [F_PROBE_ERRORS] = {0, 2 * COUNT_BITS + PROBE_BITS, PROBE_BITS},
    [F_CONNECTIONS] = {1, 0, CONN_BITS},
    [F_HEADER_P95] = {1, CONN_BITS, CODE_BITS},
    [F_TTFT_P95] = {1, CONN_BITS + CODE_BITS, CODE_BITS},
    [F_WIN_HEADER_P95] = {1, CONN_BITS + 2 * CODE_BITS, CODE_BITS},
    [F_WIN_TTFT_P95] = {1, CONN_BITS + 3 * CODE_BITS, CODE_BITS},
};

static uint64_t field_max(enum field f)
{
    return ((uint64_t)1 << LAYOUT[f].bits) - 1;
}

/* Stores v, or the field's maximum when v does not fit. */
static void put(struct summary *m, enum field f, uint64_t v)
{
    uint64_t max = field_max(f);
    uint64_t *word = &m->word[LAYOUT[f].word];
    if (v > max)
        v = max;
    *word &= ~(max << LAYOUT[f].shift);
    *word |= v << LAYOUT[f].shift;
}

static uint64_t get(const struct summary *m, enum field f)
{
    return (m->word[LAYOUT[f].word] >> LAYOUT[f].shift) & field_max(f);
}

static unsigned top_bit(uint64_t v)
{
    unsigned p = 0;
    while (v >>= 1)
        p++;
    return p;
}

/* A latency as a log-linear code with hist's bucket layout: exact below
 * 64 us, then 64 steps per power of two up to UINT32_MAX us (1,728 codes).
 * p95s come out of hist as bucket midpoints, and p95_value decodes a code
 * to its step's midpoint, so a stored p95 reads back exactly (anything
 * else within 0.8%). */
static uint64_t p95_code(uint64_t us)
{
    if (us > UINT32_MAX)
        us = UINT32_MAX;
    if (us < (1u << CODE_SUB_BITS))
        return us;
    unsigned shift = top_bit(us) - CODE_SUB_BITS;
    return ((uint64_t)shift << CODE_SUB_BITS) + (us >> shift);
}

static uint32_t p95_value(uint64_t code)
{
    if (code < (2u << CODE_SUB_BITS))
        return (uint32_t)code;
    unsigned shift = (unsigned)(code >> CODE_SUB_BITS) - 1;
    uint64_t lower = (code - ((uint64_t)shift << CODE_SUB_BITS)) << shift;
    return (uint32_t)(lower + (((uint64_t)1 << shift) - 1) / 2);
}

/* The gauge stored one up so that an all-zero summary means "never set". */
static void put_connections(struct summary *m, int64_t n)
{
    put(m, F_CONNECTIONS, n < 0 ? 0 : (uint64_t)n + 1);
}

static void summary_reset(struct summary *m, int64_t connections)
{
    memset(m, 0, sizeof *m);
    put_connections(m, connections);
}

struct window {
    int64_t W, H;              /* window_s, history_s */
    int64_t cur;               /* the open second; -1 before the first sample */
    int64_t start;             /* oldest second history was written for */
    uint64_t malformed, late_dropped;
    struct running run[COLOR_COUNT];
    struct slot *slot;         /* [W][COLOR_COUNT], second s at s % W */
    uint32_t *slot_malformed;  /* [W] */
    unsigned char *dirty;      /* [W]: a closed second took a late sample */
    struct summary *hist;      /* [H][COLOR_COUNT], second s at s % H */
    uint32_t *hist_malformed;  /* [H] */
};

static int sizes_ok(int window_s, int history_s)
{
    return window_s >= 1 && window_s <= WINDOW_MAX_WINDOW_S &&
           history_s >= 1 && history_s <= WINDOW_MAX_HISTORY_S;
}

size_t window_memory_bytes(int window_s, int history_s)
{
    if (!sizes_ok(window_s, history_s))
        return 0;
    size_t W = (size_t)window_s, H = (size_t)history_s;
    return sizeof(struct window) +
           W * COLOR_COUNT * sizeof(struct slot) + W * sizeof(uint32_t) + W +
           H * COLOR_COUNT * sizeof(struct summary) + H * sizeof(uint32_t);
}

struct window *window_new(int window_s, int history_s, char *err, size_t errlen)
{
    if (!sizes_ok(window_s, history_s)) {
        snprintf(err, errlen, "window_s must be 1..%d and history_s 1..%d (got %d and %d)",
                 WINDOW_MAX_WINDOW_S, WINDOW_MAX_HISTORY_S, window_s, history_s);
        return NULL;
    }
    struct window *w = calloc(1, sizeof *w);
    if (w == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->W = window_s;
    w->H = history_s;
    w->cur = -1;
    w->start = -1;
    for (int c = 0; c < COLOR_COUNT; c++)
        w->run[c].connections = -1;
    w->slot = calloc((size_t)window_s * COLOR_COUNT, sizeof *w->slot);
    w->slot_malformed = calloc((size_t)window_s, sizeof *w->slot_malformed);
    w->dirty = calloc((size_t)window_s, 1);
    w->hist = calloc((size_t)history_s * COLOR_COUNT, sizeof *w->hist);
    w->hist_malformed = calloc((size_t)history_s, sizeof *w->hist_malformed);
    if (!w->slot || !w->slot_malformed || !w->dirty || !w->hist || !w->hist_malformed) {
        window_free(w);
        snprintf(err, errlen, "out of memory for a %d s window with %d s of history",
                 window_s, history_s);
        return NULL;
    }
    return w;
}

void window_free(struct window *w)
{
    if (w == NULL)
        return;
    free(w->slot);
    free(w->slot_malformed);
    free(w->dirty);
    free(w->hist);
    free(w->hist_malformed);
    free(w);
}

static struct slot *slot_at(struct window *w, int64_t sec, int c)
{
    return &w->slot[(size_t)(sec % w->W) * COLOR_COUNT + (size_t)c];
}

static struct summary *summary_at(const struct window *w, int64_t sec, int c)
{
    return &w->hist[(size_t)(sec % w->H) * COLOR_COUNT + (size_t)c];
}

static int64_t history_first(const struct window *w)
{
    int64_t floor_sec = w->cur - w->H;
    return w->start > floor_sec ? w->start : floor_sec;
}

/* The fields of a history second that come from its own slot. */
static void summary_fill_own(struct window *w, int64_t sec)
{
    for (int c = 0; c < COLOR_COUNT; c++) {
        const struct slot *s = slot_at(w, sec, c);
        struct summary *m = summary_at(w, sec, c);
        put(m, F_REQUESTS, s->requests);
        put(m, F_5XX, s->status_5xx);
        put(m, F_PROBES, s->probes);
        put(m, F_PROBE_ERRORS, s->probe_errors);
        put(m, F_HEADER_P95, p95_code(hist_quantile(&s->header, 0.95)));
        put(m, F_TTFT_P95, p95_code(hist_quantile(&s->ttft, 0.95)));
    }
    w->hist_malformed[sec % w->H] = w->slot_malformed[sec % w->W];
}

/* Writes the open second into history as it closes. */
static void close_current(struct window *w)
{
    int64_t sec = w->cur;
    summary_fill_own(w, sec);
    for (int c = 0; c < COLOR_COUNT; c++) {
        const struct running *r = &w->run[c];
        struct summary *m = summary_at(w, sec, c);
        put_connections(m, r->connections);
        put(m, F_WIN_HEADER_P95, p95_code(hist_quantile(&r->header, 0.95)));
        put(m, F_WIN_TTFT_P95, p95_code(hist_quantile(&r->ttft, 0.95)));
    }
    w->dirty[sec % w->W] = 0;
}

/* Late samples changed closed seconds: rewrite their own fields. */
static void flush_dirty(struct window *w)
{
    int64_t first = history_first(w);
    for (int64_t sec = w->cur - w->W + 1; sec < w->cur; sec++) {
        if (sec < 0 || !w->dirty[sec % w->W])
            continue;
        w->dirty[sec % w->W] = 0;
        if (sec >= first)
            summary_fill_own(w, sec);
    }
}

/* The slot about to hold a new second drops the second W before it. */
static void expire_slot(struct window *w, int64_t sec)
{
    for (int c = 0; c < COLOR_COUNT; c++) {
        struct slot *s = slot_at(w, sec, c);
        struct running *r = &w->run[c];
        r->requests -= s->requests;
        r->status_5xx -= s->status_5xx;
        r->probes -= s->probes;
        r->probe_errors -= s->probe_errors;
        if (s->header.count) {
            hist_subtract(&r->header, &s->header);
            hist_clear(&s->header);
        }
        if (s->ttft.count) {
            hist_subtract(&r->ttft, &s->ttft);
            hist_clear(&s->ttft);
        }
        s->requests = s->status_5xx = s->probes = s->probe_errors = 0;
    }
    w->malformed -= w->slot_malformed[sec % w->W];
    w->slot_malformed[sec % w->W] = 0;
    w->dirty[sec % w->W] = 0;
}

static void step(struct window *w)
{
    close_current(w);
    w->cur++;
    expire_slot(w, w->cur);
}

/* Seconds from..to-1 of an idle stretch: nothing in the window, gauge carried. */
static void fill_idle(struct window *w, int64_t from, int64_t to)
{
    if (to - from > w->H)
        from = to - w->H;
    for (int64_t sec = from; sec < to; sec++) {
        for (int c = 0; c < COLOR_COUNT; c++)
            summary_reset(summary_at(w, sec, c), w->run[c].connections);
        w->hist_malformed[sec % w->H] = 0;
    }
}

static void advance_to(struct window *w, int64_t sec)
{
    if (w->cur < 0) {
        w->cur = w->start = sec;
        return;
    }
    int64_t steps = 0;
    while (w->cur < sec && steps < w->W) {
        step(w);
        steps++;
    }
    if (w->cur < sec) {
        /* W steps emptied every slot; the rest of the gap is idle */
        fill_idle(w, w->cur, sec);
        w->cur = sec;
    }
}

/* History seconds before the first one written, now made visible by a
 * back-filled sample: they start empty, the dirty flush fills them. */
static void extend_start(struct window *w, int64_t sec)
{
    int64_t from = sec > w->cur - w->H ? sec : w->cur - w->H;
    for (int64_t s = from; s < w->start; s++) {
        for (int c = 0; c < COLOR_COUNT; c++)
            summary_reset(summary_at(w, s, c), -1);
        w->hist_malformed[s % w->H] = 0;
    }
    if (sec < w->start)
        w->start = sec;
}

/* The second a sample at now belongs to, after advancing; -1 if it is dropped. */
static int64_t place(struct window *w, double now)
{
    if (!(now >= 0 && now < MAX_NOW)) {
        w->late_dropped++;
        return -1;
    }
    int64_t sec = (int64_t)now;
    if (sec > w->cur) {
        advance_to(w, sec);
        return sec;
    }
    if (sec <= w->cur - w->W) {
        w->late_dropped++;
        return -1;
    }
    if (sec < w->cur) {
        w->dirty[sec % w->W] = 1;
        if (sec < w->start)
            extend_start(w, sec);
    }
    return sec;
}

static int color_ok(enum color c)
{
    return (int)c >= 0 && (int)c < COLOR_COUNT;
}

void window_add_request(struct window *w, enum color c, double now, int status,
                        uint64_t header_us)
{
    if (!color_ok(c))
        return;
    int64_t sec = place(w, now);
    if (sec < 0)
        return;
    struct slot *s = slot_at(w, sec, c);
    struct running *r = &w->run[c];
    int is_5xx = status >= 500 && status <= 599;
    s->requests++;
    r->requests++;
    s->status_5xx += (uint32_t)is_5xx;
    r->status_5xx += (uint64_t)is_5xx;
    if (header_us != WINDOW_NO_TIME) {
        hist_add(&s->header, header_us);
        hist_add(&r->header, header_us);
    }
}

void window_add_probe(struct window *w, enum color c, double now, int ok, uint64_t ttft_us)
{
    if (!color_ok(c))
        return;
    int64_t sec = place(w, now);
    if (sec < 0)
        return;
    struct slot *s = slot_at(w, sec, c);
    struct running *r = &w->run[c];
    s->probes++;
    r->probes++;
    if (ok) {
        hist_add(&s->ttft, ttft_us);
        hist_add(&r->ttft, ttft_us);
    } else {
        s->probe_errors++;
        r->probe_errors++;
    }
}

void window_set_connections(struct window *w, enum color c, double now, int64_t n)
{
    if (!color_ok(c) || !(now >= 0 && now < MAX_NOW))
        return;
    struct running *r = &w->run[c];
    if (r->connections >= 0 && now < r->connections_at)
        return;
    if ((int64_t)now > w->cur)
        advance_to(w, (int64_t)now);
    r->connections = n;
    r->connections_at = now;
}

void window_add_malformed(struct window *w, double now)
{
    int64_t sec = place(w, now);
    if (sec < 0)
        return;
    w->slot_malformed[sec % w->W]++;
    w->malformed++;
}

void window_advance(struct window *w, double now)
{
    if (now >= 0 && now < MAX_NOW && (int64_t)now > w->cur)
        advance_to(w, (int64_t)now);
    if (w->cur >= 0)
        flush_dirty(w);
}

static double ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

void window_stats(struct window *w, enum color c, double now, struct window_stats *out)
{
    memset(out, 0, sizeof *out);
    window_advance(w, now);
    out->connections = -1;
    out->late_dropped = w->late_dropped;
    if (!color_ok(c) || w->cur < 0)
        return;
    const struct running *r = &w->run[c];
    out->to = w->cur;
    out->from = w->cur - w->W + 1;
    out->requests = r->requests;
    out->status_5xx = r->status_5xx;
    out->ratio_5xx = ratio(r->status_5xx, r->requests);
    out->header_count = r->header.count;
    out->header_p50_us = hist_quantile(&r->header, 0.50);
    out->header_p95_us = hist_quantile(&r->header, 0.95);
    out->header_p99_us = hist_quantile(&r->header, 0.99);
    out->probes = r->probes;
    out->probe_errors = r->probe_errors;
    out->ttft_p50_us = hist_quantile(&r->ttft, 0.50);
    out->ttft_p95_us = hist_quantile(&r->ttft, 0.95);
    out->ttft_p99_us = hist_quantile(&r->ttft, 0.99);
    out->ttft_count = r->ttft.count;
    out->connections = r->connections;
    out->connections_at = r->connections_at;
    out->malformed = w->malformed;
}

int64_t window_history_last(const struct window *w)
{
    return w->cur > w->start ? w->cur - 1 : -1;
}

int64_t window_history_first(const struct window *w)
{
    return w->cur > w->start ? history_first(w) : -1;
}

size_t window_history(const struct window *w, enum color c, int64_t from, int64_t to,
                      struct window_second *out, size_t cap)
{
    if (!color_ok(c) || w->cur <= w->start)
        return 0;
    int64_t first = history_first(w);
    if (from < first)
        from = first;
    if (to > w->cur - 1)
        to = w->cur - 1;
    size_t n = 0;
    for (int64_t sec = from; sec <= to && n < cap; sec++, n++) {
        const struct summary *m = summary_at(w, sec, c);
        out[n] = (struct window_second){
            .sec = sec,
            .requests = (uint32_t)get(m, F_REQUESTS),
            .status_5xx = (uint32_t)get(m, F_5XX),
            .probes = (uint32_t)get(m, F_PROBES),
            .probe_errors = (uint32_t)get(m, F_PROBE_ERRORS),
            .connections = (int32_t)get(m, F_CONNECTIONS) - 1,
            .malformed = w->hist_malformed[sec % w->H],
            .header_p95_us = p95_value(get(m, F_HEADER_P95)),
            .ttft_p95_us = p95_value(get(m, F_TTFT_P95)),
            .win_header_p95_us = p95_value(get(m, F_WIN_HEADER_P95)),
            .win_ttft_p95_us = p95_value(get(m, F_WIN_TTFT_P95)),
            .ttft_count = (uint32_t)(get(m, F_PROBES) - get(m, F_PROBE_ERRORS)),
        };
    }
    return n;
}

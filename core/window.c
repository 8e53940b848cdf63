/* window: a ring of window_s one-second slots per color holding each
 * signal's count or histogram, running sums kept by adding on entry and
 * subtracting on expiry (O(buckets) per second whatever the traffic), and
 * a ring of history_s compact per-second summaries for charts and replay.
 * Which signals there are, and how each aggregates, is core/metric.h's
 * table: every loop here runs over it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hist.h"
#include "core/window.h"

/* Beyond this a double no longer has whole-second resolution to spare. */
#define MAX_NOW 1e15

/* One history second of one color is a few words of bit fields laid out
 * by struct layout (a day of both colors is 2.8 MB, not the 5.5 MB of
 * plain fields). Counts saturate at their field's maximum instead of
 * wrapping, so a full field reads "at least this many"; p95s are 11-bit
 * codes. */
#define WORD_BITS 64
#define MAX_WORDS 8
#define CONN_BITS 20           /* a gauge + 1, 0 for never set */
#define CODE_BITS 11           /* a p95 code, see p95_code */
#define CODE_SUB_BITS 6        /* steps per power of two in a code, as in hist */

_Static_assert(WINDOW_SECOND_MAX_COUNT == (1u << 24) - 1, "count field");
_Static_assert(WINDOW_SECOND_MAX_PROBES == (1u << 8) - 1, "probe field");
_Static_assert(WINDOW_SECOND_MAX_CONNECTIONS == (1 << CONN_BITS) - 2, "gauge field");

struct field {
    unsigned char word, shift, bits;
};

/* Where each signal sits in a summary: own is a SUM's count, a GAUGE's
 * level + 1, a LATENCY's own p95 code; win a LATENCY's window p95 code. */
struct layout {
    struct field own[METRIC_COUNT], win[METRIC_COUNT];
    int words;
    int n_latency;
    int latency[METRIC_COUNT];     /* a LATENCY's histogram index; -1 others */
};

static uint64_t field_max(struct field f)
{
    return ((uint64_t)1 << f.bits) - 1;
}

/* Stores v, or the field's maximum when v does not fit. */
static void put(uint64_t *m, struct field f, uint64_t v)
{
    uint64_t max = field_max(f);
    if (v > max)
        v = max;
    m[f.word] &= ~(max << f.shift);
    m[f.word] |= v << f.shift;
}

static uint64_t get(const uint64_t *m, struct field f)
{
    return (m[f.word] >> f.shift) & field_max(f);
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

static int field_bits(const struct metric *m)
{
    switch (m->kind) {
    case METRIC_GAUGE:
        return CONN_BITS;
    case METRIC_LATENCY:
        return 2 * CODE_BITS;   /* own and window p95, side by side */
    case METRIC_SUM:
        break;
    }
    return m->history_bits;
}

/* Packs the table's fields into as few words as first fit takes them,
 * widest first (nine signals: three words). -1 when
 * the table outgrows MAX_WORDS. */
static int layout_make(struct layout *l)
{
    int order[METRIC_COUNT], used[MAX_WORDS] = {0};
    memset(l, 0, sizeof *l);
    for (int i = 0; i < METRIC_COUNT; i++) {
        int j = i;
        /* insertion sort by width, ties in table order */
        while (j > 0 && field_bits(&metric_table[order[j - 1]]) < field_bits(&metric_table[i])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
        l->latency[i] = metric_table[i].kind == METRIC_LATENCY ? l->n_latency++ : -1;
    }
    for (int k = 0; k < METRIC_COUNT; k++) {
        int id = order[k], bits = field_bits(&metric_table[id]), w = 0;
        while (w < MAX_WORDS && used[w] + bits > WORD_BITS)
            w++;
        if (w == MAX_WORDS || bits < 1)
            return -1;
        bool latency = metric_table[id].kind == METRIC_LATENCY;
        l->own[id] = (struct field){(unsigned char)w, (unsigned char)used[w],
                                    (unsigned char)(latency ? CODE_BITS : bits)};
        if (latency)
            l->win[id] = (struct field){(unsigned char)w, (unsigned char)(used[w] + CODE_BITS),
                                        CODE_BITS};
        used[w] += bits;
        if (w + 1 > l->words)
            l->words = w + 1;
    }
    return 0;
}

struct window {
    int64_t W, H;              /* window_s, history_s */
    int64_t cur;               /* the open second; -1 before the first sample */
    int64_t start;             /* oldest second history was written for */
    uint64_t malformed, late_dropped;
    struct layout lay;
    /* The running sums over the slots inside the window, and the gauges. */
    uint64_t run_sum[COLOR_COUNT][METRIC_COUNT];
    struct hist *run_hist;     /* [COLOR_COUNT][n_latency] */
    int64_t level[COLOR_COUNT][METRIC_COUNT];
    double level_at[COLOR_COUNT][METRIC_COUNT];
    /* The slots, second s at s % W. */
    uint32_t *slot_count;      /* [W][COLOR_COUNT][METRIC_COUNT]: the SUMs */
    struct hist *slot_hist;    /* [W][COLOR_COUNT][n_latency] */
    uint32_t *slot_malformed;  /* [W] */
    unsigned char *dirty;      /* [W]: a closed second took a late sample */
    /* History, second s at s % H. */
    uint64_t *summary;         /* [H][COLOR_COUNT][words] */
    uint32_t *hist_malformed;  /* [H] */
};

static int sizes_ok(int window_s, int history_s)
{
    return window_s >= 1 && window_s <= WINDOW_MAX_WINDOW_S &&
           history_s >= 1 && history_s <= WINDOW_MAX_HISTORY_S;
}

size_t window_memory_bytes(int window_s, int history_s)
{
    struct layout l;
    if (!sizes_ok(window_s, history_s) || layout_make(&l) != 0)
        return 0;
    size_t W = (size_t)window_s, H = (size_t)history_s, L = (size_t)l.n_latency;
    return sizeof(struct window) + COLOR_COUNT * L * sizeof(struct hist) +
           W * COLOR_COUNT * (METRIC_COUNT * sizeof(uint32_t) + L * sizeof(struct hist)) +
           W * sizeof(uint32_t) + W +
           H * COLOR_COUNT * (size_t)l.words * sizeof(uint64_t) + H * sizeof(uint32_t);
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
    if (layout_make(&w->lay) != 0) {
        free(w);
        snprintf(err, errlen, "the signal table does not fit %d history words", MAX_WORDS);
        return NULL;
    }
    w->W = window_s;
    w->H = history_s;
    w->cur = -1;
    w->start = -1;
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int i = 0; i < METRIC_COUNT; i++)
            w->level[c][i] = -1;
    size_t W = (size_t)window_s, H = (size_t)history_s, L = (size_t)w->lay.n_latency;
    w->run_hist = calloc(COLOR_COUNT * L + 1, sizeof *w->run_hist);
    w->slot_count = calloc(W * COLOR_COUNT * METRIC_COUNT, sizeof *w->slot_count);
    w->slot_hist = calloc(W * COLOR_COUNT * L + 1, sizeof *w->slot_hist);
    w->slot_malformed = calloc(W, sizeof *w->slot_malformed);
    w->dirty = calloc(W, 1);
    w->summary = calloc(H * COLOR_COUNT * (size_t)w->lay.words, sizeof *w->summary);
    w->hist_malformed = calloc(H, sizeof *w->hist_malformed);
    if (!w->run_hist || !w->slot_count || !w->slot_hist || !w->slot_malformed || !w->dirty ||
        !w->summary || !w->hist_malformed) {
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
    free(w->run_hist);
    free(w->slot_count);
    free(w->slot_hist);
    free(w->slot_malformed);
    free(w->dirty);
    free(w->summary);
    free(w->hist_malformed);
    free(w);
}

static uint32_t *slot_count(struct window *w, int64_t sec, int c)
{
    return &w->slot_count[((size_t)(sec % w->W) * COLOR_COUNT + (size_t)c) * METRIC_COUNT];
}

/* The slot's histogram of latency signal id. */
static struct hist *slot_hist(struct window *w, int64_t sec, int c, int id)
{
    size_t L = (size_t)w->lay.n_latency;
    return &w->slot_hist[((size_t)(sec % w->W) * COLOR_COUNT + (size_t)c) * L +
                         (size_t)w->lay.latency[id]];
}

static struct hist *run_hist(const struct window *w, int c, int id)
{
    return &w->run_hist[(size_t)c * (size_t)w->lay.n_latency + (size_t)w->lay.latency[id]];
}

static uint64_t *summary_at(const struct window *w, int64_t sec, int c)
{
    return &w->summary[((size_t)(sec % w->H) * COLOR_COUNT + (size_t)c) * (size_t)w->lay.words];
}

/* A gauge is stored one up so that an all-zero summary means "never set". */
static void put_level(const struct window *w, uint64_t *m, int id, int64_t n)
{
    put(m, w->lay.own[id], n < 0 ? 0 : (uint64_t)n + 1);
}

/* An empty second: no counts, the gauges of color c (or none, c < 0). */
static void summary_reset(const struct window *w, uint64_t *m, int c)
{
    memset(m, 0, (size_t)w->lay.words * sizeof *m);
    for (int i = 0; i < METRIC_COUNT; i++)
        if (metric_table[i].kind == METRIC_GAUGE)
            put_level(w, m, i, c < 0 ? -1 : w->level[c][i]);
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
        const uint32_t *n = slot_count(w, sec, c);
        uint64_t *m = summary_at(w, sec, c);
        for (int i = 0; i < METRIC_COUNT; i++) {
            if (metric_table[i].kind == METRIC_SUM)
                put(m, w->lay.own[i], n[i]);
            else if (metric_table[i].kind == METRIC_LATENCY)
                put(m, w->lay.own[i], p95_code(hist_quantile(slot_hist(w, sec, c, i), 0.95)));
        }
    }
    w->hist_malformed[sec % w->H] = w->slot_malformed[sec % w->W];
}

/* Writes the open second into history as it closes. */
static void close_current(struct window *w)
{
    int64_t sec = w->cur;
    summary_fill_own(w, sec);
    for (int c = 0; c < COLOR_COUNT; c++) {
        uint64_t *m = summary_at(w, sec, c);
        for (int i = 0; i < METRIC_COUNT; i++) {
            if (metric_table[i].kind == METRIC_GAUGE)
                put_level(w, m, i, w->level[c][i]);
            else if (metric_table[i].kind == METRIC_LATENCY)
                put(m, w->lay.win[i], p95_code(hist_quantile(run_hist(w, c, i), 0.95)));
        }
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
        uint32_t *n = slot_count(w, sec, c);
        for (int i = 0; i < METRIC_COUNT; i++) {
            if (metric_table[i].kind == METRIC_SUM) {
                w->run_sum[c][i] -= n[i];
                n[i] = 0;
            } else if (metric_table[i].kind == METRIC_LATENCY) {
                struct hist *h = slot_hist(w, sec, c, i);
                if (h->count) {
                    hist_subtract(run_hist(w, c, i), h);
                    hist_clear(h);
                }
            }
        }
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

/* Seconds from..to-1 of an idle stretch: nothing in the window, gauges carried. */
static void fill_idle(struct window *w, int64_t from, int64_t to)
{
    if (to - from > w->H)
        from = to - w->H;
    for (int64_t sec = from; sec < to; sec++) {
        for (int c = 0; c < COLOR_COUNT; c++)
            summary_reset(w, summary_at(w, sec, c), c);
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
            summary_reset(w, summary_at(w, s, c), -1);
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

/* A gauge: the newest reading wins; an older one is ignored. */
static void set_level(struct window *w, enum color c, int id, double now, int64_t n)
{
    if (!(now >= 0 && now < MAX_NOW))
        return;
    if (w->level[c][id] >= 0 && now < w->level_at[c][id])
        return;
    if ((int64_t)now > w->cur)
        advance_to(w, (int64_t)now);
    w->level[c][id] = n;
    w->level_at[c][id] = now;
}

void window_add(struct window *w, enum color c, double now, const struct metric_sample *in)
{
    if (!color_ok(c))
        return;
    struct metric_sample whole = *in, *s = &whole;
    metric_sample_add_parts(s);
    bool counted = false;
    for (int i = 0; i < METRIC_COUNT; i++)
        counted |= s->has[i] && metric_table[i].kind != METRIC_GAUGE;
    int64_t sec = counted ? place(w, now) : -1;
    for (int i = 0; i < METRIC_COUNT; i++) {
        if (!s->has[i])
            continue;
        if (metric_table[i].kind == METRIC_GAUGE) {
            set_level(w, c, i, now, s->value[i]);
        } else if (sec < 0) {
            continue;
        } else if (metric_table[i].kind == METRIC_SUM) {
            slot_count(w, sec, c)[i] += (uint32_t)s->value[i];
            w->run_sum[c][i] += (uint64_t)s->value[i];
        } else {
            hist_add(slot_hist(w, sec, c, i), (uint64_t)s->value[i]);
            hist_add(run_hist(w, c, i), (uint64_t)s->value[i]);
        }
    }
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

void window_stats(struct window *w, enum color c, double now, struct window_stats *out)
{
    memset(out, 0, sizeof *out);
    window_advance(w, now);
    for (int i = 0; i < METRIC_COUNT; i++)
        out->v[i].level = -1;
    out->late_dropped = w->late_dropped;
    if (!color_ok(c) || w->cur < 0)
        return;
    out->to = w->cur;
    out->from = w->cur - w->W + 1;
    for (int i = 0; i < METRIC_COUNT; i++) {
        struct window_value *v = &out->v[i];
        if (metric_table[i].kind == METRIC_SUM) {
            v->sum = w->run_sum[c][i];
        } else if (metric_table[i].kind == METRIC_GAUGE) {
            v->level = w->level[c][i];
            v->level_at = w->level_at[c][i];
        } else {
            const struct hist *h = run_hist(w, c, i);
            v->count = h->count;
            v->p50_us = hist_quantile(h, 0.50);
            v->p95_us = hist_quantile(h, 0.95);
            v->p99_us = hist_quantile(h, 0.99);
        }
    }
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

static void second_of(const struct window *w, int64_t sec, int c, struct window_second *out)
{
    const uint64_t *m = summary_at(w, sec, c);
    memset(out, 0, sizeof *out);
    out->sec = sec;
    out->malformed = w->hist_malformed[sec % w->H];
    for (int i = 0; i < METRIC_COUNT; i++) {
        if (metric_table[i].kind == METRIC_GAUGE) {
            out->v[i] = (int64_t)get(m, w->lay.own[i]) - 1;
        } else if (metric_table[i].kind == METRIC_SUM) {
            out->v[i] = (int64_t)get(m, w->lay.own[i]);
        } else {
            out->v[i] = p95_value(get(m, w->lay.win[i]));
            out->own_p95_us[i] = p95_value(get(m, w->lay.own[i]));
        }
    }
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
    for (int64_t sec = from; sec <= to && n < cap; sec++, n++)
        second_of(w, sec, (int)c, &out[n]);
    return n;
}

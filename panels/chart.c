/* chart: a strip per drawn signal, one time axis, reload markers. */
#include "panels/chart.h"
#include "panels/chartmarks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* One strip per signal the table draws (core/metric.h), in its chart_strip order. */
/* Everything one drawing needs, worked out once. */
struct frame {
    const struct model *m;
    struct grid *g;
    bool utf8;
    int span;
    int64_t now_sec;        /* the window is [now_sec - span, now_sec) */
    int plot_x, plot_w;     /* plot columns, right of the gutter */
    int sub;                /* horizontal dots per cell: 2 braille, 1 ASCII */
    int dots;               /* vertical dots per cell: 4 braille, 1 ASCII */
};

struct strip {
    enum metric_id id;
    int legend_y;           /* -1: no legend row */
    int top, rows;          /* plot rows */
    double max;
};

/* A bucket is a run of seconds drawn in one dot column. */
struct bucket {
    int64_t lo, hi;         /* [lo, hi) */
};

/* ---- time ---------------------------------------------------------------- */

/* Dot column j of n covers these seconds; rounding down on both ends keeps
 * the buckets contiguous, and a bucket never is empty. */
static struct bucket bucket_of(int64_t start, int span, int j, int n)
{
    struct bucket b;
    b.lo = start + (int64_t)j * span / n;
    b.hi = start + (int64_t)(j + 1) * span / n;
    if (b.hi <= b.lo)
        b.hi = b.lo + 1;
    return b;
}

int chart_column_of(int64_t sec, int64_t now_sec, int span_s, int plot_w)
{
    int64_t start = now_sec - span_s;
    if (plot_w < 1 || span_s < 1 || sec < start || sec >= now_sec)
        return -1;
    int c = (int)((sec - start) * plot_w / span_s);
    if (c >= plot_w)
        c = plot_w - 1;
    /* The same buckets the data is drawn in, so a marker sits on its second. */
    while (c > 0 && bucket_of(start, span_s, c, plot_w).lo > sec)
        c--;
    while (c + 1 < plot_w && bucket_of(start, span_s, c + 1, plot_w).lo <= sec)
        c++;
    return c;
}

/* ---- values -------------------------------------------------------------- */

/* The bucket's value of one color; false when it has none. A PEAK shows the
 * worst second (a gauge counts from 0, a latency's 0 is "no samples"); a
 * RATIO pools the bucket's counts so one lone failure is not 100 %. */
static bool bucket_value(const struct model *m, enum color c, enum metric_id id,
                         struct bucket b, double *out)
{
    const struct metric *k = &metric_table[id];
    double best = -1, num = 0, den = 0;
    for (int64_t s = b.lo; s < b.hi; s++) {
        const struct model_point *p = model_point_at(m, c, s);
        if (!p)
            continue;
        double v = p->v[id];
        bool known = k->kind == METRIC_LATENCY ? v > 0 : v >= 0;
        if (known && v > best)
            best = v;
        if (k->draw == METRIC_DRAW_RATIO) {
            num += v;
            den += p->v[k->ratio_of];
        }
    }
    if (k->draw == METRIC_DRAW_RATIO) {
        if (den <= 0)
            return false;
        best = 100.0 * metric_capped_ratio(num, den);   /* never 300 % */
    }
    *out = best;
    return best >= 0;
}

/* 1, 2 or 5 times a power of ten, at least v. */
static double nice_ceil(double v, double floor_v)
{
    if (!(v > floor_v))
        return floor_v;
    double mag = pow(10.0, floor(log10(v)));
    static const double steps[] = {1, 2, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (v <= steps[i] * mag * (1 + 1e-9))
            return steps[i] * mag;
    return 10 * mag;
}

static double strip_scale(const struct frame *f, enum metric_id k)
{
    int n = f->plot_w * f->sub;
    double top = 0;
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int j = 0; j < n; j++) {
            double v;
            if (bucket_value(f->m, (enum color)c, k, bucket_of(f->now_sec - f->span, f->span, j, n), &v) &&
                v > top)
                top = v;
        }
    return nice_ceil(top, metric_table[k].chart_min_max);
}

/* ---- labels -------------------------------------------------------------- */

static void fmt_scale(char *buf, size_t len, enum metric_id id, double v)
{
    const struct metric *k = &metric_table[id];
    if (k->draw == METRIC_DRAW_RATIO)
        snprintf(buf, len, "%g%%", v);
    else if (k->unit == METRIC_UNIT_MS && v >= 1000)
        snprintf(buf, len, "%gs", v / 1000);
    else if (k->unit == METRIC_UNIT_MS)
        snprintf(buf, len, "%gms", v);
    else if (v >= 10000)
        snprintf(buf, len, "%gk", v / 1000);
    else
        snprintf(buf, len, "%g", v);
}

/* The legend: the window's value from the status object. */
static void fmt_current(char *buf, size_t len, const struct model_signal *s, enum metric_id id)
{
    const struct metric *k = &metric_table[id];
    const struct model_value *v = &s->value[id];
    if (k->draw == METRIC_DRAW_RATIO && s->value[k->ratio_of].v > 0)
        snprintf(buf, len, "%.2f%%", 100.0 * v->ratio);
    else if (k->draw != METRIC_DRAW_RATIO && v->has && k->unit == METRIC_UNIT_MS)
        snprintf(buf, len, "%.0f ms", v->v);
    else if (k->draw != METRIC_DRAW_RATIO && v->has)
        snprintf(buf, len, "%.0f", v->v);
    else
        snprintf(buf, len, "-");
}

static void fmt_ago(char *buf, size_t len, int s)
{
    if (s >= 3600 && s % 3600 == 0)
        snprintf(buf, len, "-%dh", s / 3600);
    else if (s % 60 == 0)
        snprintf(buf, len, "-%dm", s / 60);
    else if (s > 60)
        snprintf(buf, len, "-%dm%02ds", s / 60, s % 60);
    else
        snprintf(buf, len, "-%ds", s);
}

static void draw_legend(const struct frame *f, const struct strip *st)
{
    int x = grid_put_text(f->g, 0, st->legend_y, metric_table[st->id].chart_title, -1, ROLE_TITLE);
    for (int c = 0; c < COLOR_COUNT; c++) {
        char val[32], text[64];
        fmt_current(val, sizeof val, &f->m->signal[c], st->id);
        snprintf(text, sizeof text, "%s %s", color_name((enum color)c), val);
        x += 2;
        x += grid_put_text(f->g, x, st->legend_y, text, -1, c == COLOR_BLUE ? ROLE_BLUE : ROLE_GREEN);
    }
}

static void draw_gutter(const struct frame *f, const struct strip *st)
{
    char buf[16];
    const char *bar = f->utf8 ? "│" : "|";
    for (int r = 0; r < st->rows; r++)
        grid_put(f->g, CHART_GUTTER - 1, st->top + r, bar, ROLE_AXIS);
    if (st->legend_y < 0) {
        /* No legend row: the strip's name says what it is; the scale yields. */
        grid_put_text(f->g, 0, st->top, metric_table[st->id].chart_tag, CHART_GUTTER - 1, ROLE_TITLE);
        return;
    }
    fmt_scale(buf, sizeof buf, st->id, st->max);
    int len = (int)strlen(buf);
    int x = CHART_GUTTER - 1 - len;
    grid_put_text(f->g, x < 0 ? 0 : x, st->top, buf, CHART_GUTTER - 1, ROLE_DIM);
    if (st->rows > 1)
        grid_put_text(f->g, CHART_GUTTER - 2, st->top + st->rows - 1, "0", 1, ROLE_DIM);
}

/* ---- plot ---------------------------------------------------------------- */

/* One color's dots in one dot column: levels lo..hi, counted from the
 * strip's bottom dot row; lo > hi when there are none. */
struct span {
    int lo, hi;
};

static int level_of(double v, double max, int levels)
{
    int l = (int)lround(v / max * (levels - 1));
    return l < 0 ? 0 : l >= levels ? levels - 1 : l;
}

/* Braille dot bits by (dot column, dot row from the top of the cell). */
static const unsigned char braille_bit[2][4] = {{0x01, 0x02, 0x04, 0x40},
                                               {0x08, 0x10, 0x20, 0x80}};

static unsigned cell_bits(const struct frame *f, const struct span sp[2], int cell_bottom)
{
    unsigned bits = 0;
    for (int k = 0; k < f->sub; k++)
        for (int d = 0; d < f->dots; d++) {
            int level = cell_bottom + d;
            if (level >= sp[k].lo && level <= sp[k].hi)
                bits |= f->utf8 ? braille_bit[k][f->dots - 1 - d] : 1u;
        }
    return bits;
}

static void put_braille(struct grid *g, int x, int y, unsigned bits, enum grid_role role)
{
    unsigned cp = 0x2800 + bits;
    char glyph[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                     (char)(0x80 | (cp & 0x3F)), '\0'};
    grid_put(g, x, y, glyph, role);
}

static void draw_cell(const struct frame *f, int x, int y, unsigned bits[COLOR_COUNT])
{
    if (!bits[COLOR_BLUE] && !bits[COLOR_GREEN])
        return;
    enum grid_role role = !bits[COLOR_GREEN] ? ROLE_BLUE : !bits[COLOR_BLUE] ? ROLE_GREEN : ROLE_BOTH;
    if (f->utf8) {
        put_braille(f->g, x, y, bits[COLOR_BLUE] | bits[COLOR_GREEN], role);
        return;
    }
    /* ASCII has one dot per cell: a distinct glyph per color keeps the
     * lines apart even without color (mono themes, recordings). */
    grid_put(f->g, x, y, role == ROLE_BLUE ? "*" : role == ROLE_GREEN ? "o" : "#", role);
}

/* The dot spans of one color in the cell column x: braille joins each dot
 * column to the previous one so a jump reads as a line, not two dots. */
static void column_spans(const struct frame *f, const struct strip *st, enum color c, int x,
                         int *prev, struct span sp[2])
{
    int n = f->plot_w * f->sub, levels = st->rows * f->dots;
    for (int k = 0; k < f->sub; k++) {
        double v;
        struct bucket b = bucket_of(f->now_sec - f->span, f->span, x * f->sub + k, n);
        sp[k].lo = 1;
        sp[k].hi = 0;
        if (!bucket_value(f->m, c, st->id, b, &v)) {
            *prev = -1;
            continue;
        }
        int l = level_of(v, st->max, levels);
        sp[k].lo = sp[k].hi = l;
        if (f->utf8 && *prev >= 0) {
            sp[k].lo = l < *prev ? l : *prev;
            sp[k].hi = l > *prev ? l : *prev;
        }
        *prev = l;
    }
}

static void draw_plot(const struct frame *f, const struct strip *st)
{
    int prev[COLOR_COUNT] = {-1, -1};
    for (int x = 0; x < f->plot_w; x++) {
        struct span sp[COLOR_COUNT][2];
        for (int c = 0; c < COLOR_COUNT; c++)
            column_spans(f, st, (enum color)c, x, &prev[c], sp[c]);
        for (int r = 0; r < st->rows; r++) {
            int bottom = (st->rows - 1 - r) * f->dots;
            unsigned bits[COLOR_COUNT];
            for (int c = 0; c < COLOR_COUNT; c++)
                bits[c] = cell_bits(f, sp[c], bottom);
            draw_cell(f, f->plot_x + x, st->top + r, bits);
        }
    }
}

/* ---- markers and axis ---------------------------------------------------- */

/* What happened, when the server moved alone; else the weights after the
 * reload and the candidate's version. */
static void marker_label(const struct model_marker *mk, char *buf, size_t len)
{
    char w[32] = "?";
    if (mk->what[0]) {
        snprintf(buf, len, "%s", mk->what);
        return;
    }
    if (mk->after[COLOR_BLUE] >= 0 && mk->after[COLOR_GREEN] >= 0)
        snprintf(w, sizeof w, "%d/%d", mk->after[COLOR_BLUE], mk->after[COLOR_GREEN]);
    snprintf(buf, len, "%s%s%.7s", w, mk->version[0] ? " " : "", mk->version);
}

/* Data wins over the marker line: the operator must see the numbers at the
 * moment of the reload, and the marker shows through the gaps. */
static void marker_line(const struct frame *f, int x, int top, int bottom)
{
    for (int y = top; y < bottom; y++) {
        const struct grid_cell *c = grid_cell(f->g, x, y);
        if (c && strcmp(c->glyph, " ") == 0)
            grid_put(f->g, x, y, f->utf8 ? "│" : "|", ROLE_MARKER);
    }
}

/* Labels that would collide are stacked on the label rows, and merged with
 * a count when the rows run out (panels/chartmarks). */
static void draw_labels(const struct frame *f, int label_rows)
{
    struct chartmarks_in in[CHARTMARKS_MAX];
    char text[CHARTMARKS_MAX][CHARTMARKS_LABEL];
    struct chartmarks_out out[CHARTMARKS_MAX];
    int n = 0;
    for (int i = 0; i < model_marker_count(f->m) && n < CHARTMARKS_MAX; i++) {
        const struct model_marker *mk = model_marker_get(f->m, i);
        int col = chart_column_of((int64_t)floor(mk->time), f->now_sec, f->span, f->plot_w);
        if (col < 0)
            continue;
        marker_label(mk, text[n], sizeof text[n]);
        in[n].col = col;
        in[n].label = text[n];
        n++;
    }
    int placed = chartmarks_layout(in, n, f->plot_w, label_rows, out);
    for (int i = 0; i < placed; i++)
        grid_put_text(f->g, f->plot_x + out[i].x, out[i].row, out[i].text, f->plot_w - out[i].x,
                      ROLE_MARKER);
}

static void draw_markers(const struct frame *f, int label_rows, int top, int axis_y)
{
    for (int i = 0; i < model_marker_count(f->m); i++) {
        const struct model_marker *mk = model_marker_get(f->m, i);
        int col = chart_column_of((int64_t)floor(mk->time), f->now_sec, f->span, f->plot_w);
        if (col < 0)
            continue;
        int x = f->plot_x + col;
        marker_line(f, x, top, axis_y);
        grid_put(f->g, x, axis_y, f->utf8 ? "┴" : "+", ROLE_MARKER);
    }
    if (label_rows > 0)
        draw_labels(f, label_rows);
}

static void draw_axis(const struct frame *f, int y)
{
    grid_fill(f->g, f->plot_x, y, f->plot_w, 1, f->utf8 ? "─" : "-", ROLE_AXIS);
    grid_put(f->g, CHART_GUTTER - 1, y, f->utf8 ? "└" : "+", ROLE_AXIS);
}

static bool marker_within(const struct frame *f, int x, int y, int len)
{
    for (int i = 0; i < len; i++)
        if (x + i >= 0 && x + i < grid_width(f->g) && grid_cell(f->g, x + i, y)->role == ROLE_MARKER)
            return true;
    return false;
}

/* A label moves left past reload markers rather than cut one in half:
 * "now┴", never "no┴". */
static void axis_label(const struct frame *f, int x, int y, const char *text)
{
    int len = (int)strlen(text);
    while (x > f->plot_x && marker_within(f, x, y, len))
        x--;
    if (!marker_within(f, x, y, len))
        grid_put_text(f->g, x, y, text, -1, ROLE_DIM);
}

/* After the markers, so the labels can step aside. */
static void draw_axis_labels(const struct frame *f, int y)
{
    char buf[16];
    fmt_ago(buf, sizeof buf, f->span);
    axis_label(f, f->plot_x, y, buf);
    if (f->plot_w >= 30) {
        fmt_ago(buf, sizeof buf, f->span / 2);
        axis_label(f, f->plot_x + f->plot_w / 2 - (int)strlen(buf) / 2, y, buf);
    }
    axis_label(f, f->plot_x + f->plot_w - 3, y, "now");
}

/* Numbers that are not live must not look live. */
static void draw_age(const struct frame *f, int y, double now)
{
    char buf[48];
    if (!f->m->have_snapshot)
        snprintf(buf, sizeof buf, " no data yet ");
    else if (model_stale(f->m, now))
        snprintf(buf, sizeof buf, " data %.0f s old ", model_age(f->m, now));
    else
        return;
    int len = (int)strlen(buf), x = grid_width(f->g) - len;
    grid_put_text(f->g, x < 0 ? 0 : x, y, buf, -1, ROLE_ALERT);
}

/* ---- layout -------------------------------------------------------------- */

/* One strip per drawn signal; returns how many. */
static int layout(struct strip st[METRIC_COUNT], int top, int avail)
{
    int n = 0;
    /* In the order the rows place them (chart_strip), not the table's. */
    for (int place = 1; place <= METRIC_COUNT; place++)
        for (int i = 0; i < METRIC_COUNT; i++)
            if (metric_table[i].draw != METRIC_DRAW_NONE && metric_table[i].chart_strip == place)
                st[n++].id = (enum metric_id)i;
    int y = top;
    for (int k = 0; k < n; k++) {
        /* Leftover rows go to the upper strips. */
        int h = avail / n + (k < avail % n ? 1 : 0);
        st[k].legend_y = h >= 3 ? y : -1;
        st[k].top = h >= 3 ? y + 1 : y;
        st[k].rows = h >= 3 ? h - 1 : h;
        y += h;
    }
    return n;
}

void chart_draw(const struct model *m, struct grid *g, const struct chart_opts *o)
{
    int w = grid_width(g), h = grid_height(g);
    grid_clear(g);
    if (w < CHART_MIN_W || h < CHART_MIN_H) {
        grid_put_text(g, 0, 0, "chart needs more room", -1, ROLE_DIM);
        return;
    }
    struct frame f = {.m = m, .g = g, .utf8 = o->utf8, .span = o->span_s > 0 ? o->span_s : CHART_SPAN_5M,
                      .now_sec = (int64_t)floor(o->now), .plot_x = CHART_GUTTER,
                      .plot_w = w - CHART_GUTTER, .sub = o->utf8 ? 2 : 1, .dots = o->utf8 ? 4 : 1};
    /* Label rows above the strips: two where there is room to stack. */
    int label_rows = h >= 22 ? 2 : h >= 10 ? 1 : 0, axis_y = h - 1;
    int top = label_rows;
    struct strip st[METRIC_COUNT];
    int n = layout(st, top, axis_y - top);
    for (int k = 0; k < n; k++) {
        st[k].max = strip_scale(&f, st[k].id);
        if (st[k].legend_y >= 0)
            draw_legend(&f, &st[k]);
        draw_gutter(&f, &st[k]);
        draw_plot(&f, &st[k]);
    }
    draw_axis(&f, axis_y);
    draw_markers(&f, label_rows, top, axis_y);
    draw_axis_labels(&f, axis_y);
    draw_age(&f, label_rows > 0 ? 0 : axis_y, o->now);
}

/* weights: bar, served share, phase, next step, drain, old nginx workers. */
#include "panels/weights.h"

#include <stdio.h>
#include <string.h>

#include "panels/panel.h"

static enum grid_role color_role(int c)
{
    return c == COLOR_BLUE ? ROLE_BLUE : c == COLOR_GREEN ? ROLE_GREEN : ROLE_DIM;
}

static const char *name_or_unknown(int c)
{
    return c == COLOR_BLUE || c == COLOR_GREEN ? color_name((enum color)c) : "unknown";
}

int weights_next_step(const struct model *m, int step, int next[COLOR_COUNT])
{
    if (step <= 0)
        step = 10;
    if (!m->weights_known || (m->candidate != COLOR_BLUE && m->candidate != COLOR_GREEN))
        return -1;
    int cand = m->weight[m->candidate];
    if (cand < 0 || cand >= 100)
        return -1;
    /* The next multiple, so an off-grid weight (5) snaps to the grid (10). */
    int to = (cand / step + 1) * step;
    if (to > 100)
        to = 100;
    next[m->candidate] = to;
    next[color_other((enum color)m->candidate)] = 100 - to;
    return 0;
}

/* "blue 90 [bar] 10 green": the bar's cells split by the blue weight. */
static void draw_bar(const struct model *m, struct grid *g, int y, bool utf8)
{
    int w = grid_width(g);
    if (!m->weights_known) {
        char buf[240];
        snprintf(buf, sizeof buf, "weights unknown%s%s", m->weights_error[0] ? ": " : "",
                 m->weights_error);
        grid_put_text(g, 0, y, buf, -1, ROLE_ALERT);
        return;
    }
    char left[24], right[24];
    snprintf(left, sizeof left, "blue %3d ", m->weight[COLOR_BLUE]);
    snprintf(right, sizeof right, " %d green", m->weight[COLOR_GREEN]);
    int bar_w = w - (int)strlen(left) - (int)strlen(right);
    if (bar_w < 4) {
        /* No room for a bar: the numbers are what matters. */
        snprintf(left, sizeof left, "%d/%d", m->weight[COLOR_BLUE], m->weight[COLOR_GREEN]);
        grid_put_text(g, 0, y, left, -1, ROLE_TEXT);
        return;
    }
    int x = grid_put_text(g, 0, y, left, -1, ROLE_BLUE);
    int total = m->weight[COLOR_BLUE] + m->weight[COLOR_GREEN];
    int blue_cells = total > 0 ? (m->weight[COLOR_BLUE] * bar_w + total / 2) / total : 0;
    /* Distinct glyphs per color keep the split readable without color. */
    grid_fill(g, x, y, blue_cells, 1, utf8 ? "█" : "#", ROLE_BLUE);
    grid_fill(g, x + blue_cells, y, bar_w - blue_cells, 1, utf8 ? "░" : "=", ROLE_GREEN);
    grid_put_text(g, x + bar_w, y, right, -1, ROLE_GREEN);
}

/* What nginx really did, which can differ from the weights (keepalive,
 * streams pinned to the old color). */
static void draw_served(const struct model *m, struct grid *g, int y, const struct weights_opts *o)
{
    (void)o;
    double b = m->signal[COLOR_BLUE].value[METRIC_REQUESTS].v;
    double gr = m->signal[COLOR_GREEN].value[METRIC_REQUESTS].v;
    char buf[64];
    snprintf(buf, sizeof buf, "served %.0f s ", m->window_s);
    int x = grid_put_text(g, 0, y, buf, -1, ROLE_DIM);
    if (b + gr <= 0) {
        grid_put_text(g, x, y, "no requests", -1, ROLE_DIM);
        return;
    }
    snprintf(buf, sizeof buf, "blue %.1f%% (%.0f)", 100.0 * b / (b + gr), b);
    x += grid_put_text(g, x, y, buf, -1, ROLE_BLUE);
    snprintf(buf, sizeof buf, "  green %.1f%% (%.0f)", 100.0 * gr / (b + gr), gr);
    grid_put_text(g, x, y, buf, -1, ROLE_GREEN);
}

static void draw_phase(const struct model *m, struct grid *g, int y, const struct weights_opts *o)
{
    (void)o;
    int x = grid_put_text(g, 0, y, m->phase[0] ? m->phase : "?", -1, ROLE_TITLE);
    x += grid_put_text(g, x, y, "  stable ", -1, ROLE_DIM);
    if (m->stable == COLOR_NONE && m->stable_unknown[0]) {
        grid_put_text(g, x, y, m->stable_unknown, -1, ROLE_WARN);
        return;
    }
    x += grid_put_text(g, x, y, name_or_unknown(m->stable), -1, color_role(m->stable));
    x += grid_put_text(g, x, y, "  candidate ", -1, ROLE_DIM);
    grid_put_text(g, x, y, name_or_unknown(m->candidate), -1, color_role(m->candidate));
}

/* While a move runs the next step is not on offer: the move is shown. */
static void draw_next(const struct model *m, struct grid *g, int y, const struct weights_opts *o)
{
    char buf[216];
    if (m->busy) {
        int x = grid_put_text(g, 0, y, panel_spinner(o->spinner, o->utf8), -1, ROLE_WARN);
        snprintf(buf, sizeof buf, " %s", m->busy_text[0] ? m->busy_text : "busy");
        grid_put_text(g, x, y, buf, -1, ROLE_WARN);
        return;
    }
    int next[COLOR_COUNT];
    int step = o->step > 0 ? o->step : 10;
    if (weights_next_step(m, step, next) < 0)
        snprintf(buf, sizeof buf, "next: none");
    else
        snprintf(buf, sizeof buf, "next %d/%d (step %d)", next[COLOR_BLUE], next[COLOR_GREEN], step);
    grid_put_text(g, 0, y, buf, -1, ROLE_TEXT);
}

static const struct model_guard *find_guard(const struct model *m, const char *name)
{
    for (int i = 0; i < m->guard_count; i++)
        if (strcmp(m->guard[i].name, name) == 0)
            return &m->guard[i];
    return NULL;
}

/* Old workers finish their streams after a reload; the drain guard says
 * how many connections are still open on the color being left. */
static void draw_drain(const struct model *m, struct grid *g, int y, const struct weights_opts *o)
{
    (void)o;
    const struct model_guard *d = find_guard(m, "drain");
    int x = grid_put_text(g, 0, y, "drain ", -1, ROLE_DIM);
    const char *state = m->drain[0] ? m->drain : "?";
    x += grid_put_text(g, x, y, state, -1, strcmp(state, "draining") == 0 ? ROLE_WARN : ROLE_TEXT);
    if (!d || !d->text[0])
        return;
    /* The guard text usually starts with the state again; skip the echo. */
    const char *text = d->text;
    size_t n = strlen(state);
    if (strncmp(text, state, n) == 0 && text[n] == ':')
        text += n + 1;
    while (*text == ' ')
        text++;
    x += grid_put_text(g, x, y, "  ", -1, ROLE_TEXT);
    grid_put_text(g, x, y, text, -1, ROLE_TEXT);
}

/* After a reload nginx's old workers keep serving the streams they hold
 * until each ends: until then the old weights still carry those streams. */
static void draw_old_workers(const struct model *m, struct grid *g, int y,
                             const struct weights_opts *o)
{
    (void)o;
    char buf[80];
    if (m->old_workers_draining < 0)
        return;                 /* a server too old to say */
    if (m->old_workers_draining == 0) {
        grid_put_text(g, 0, y, "old nginx workers: none left", -1, ROLE_DIM);
        return;
    }
    snprintf(buf, sizeof buf, "old nginx workers finishing streams: %d", m->old_workers_draining);
    grid_put_text(g, 0, y, buf, -1, ROLE_WARN);
}

static void draw_compact(const struct model *m, struct grid *g, const struct weights_opts *o)
{
    char buf[64];
    if (m->weights_known)
        snprintf(buf, sizeof buf, "%d/%d %s", m->weight[COLOR_BLUE], m->weight[COLOR_GREEN], m->phase);
    else
        snprintf(buf, sizeof buf, "weights ?");
    panel_title(g, 0, 0, grid_width(g), buf, m, o->now);
}

void weights_draw(const struct model *m, struct grid *g, const struct weights_opts *o)
{
    int h = grid_height(g);
    grid_clear(g);
    if (h < 2) {
        draw_compact(m, g, o);
        return;
    }
    panel_title(g, 0, 0, grid_width(g), "weights", m, o->now);
    if (!m->have_snapshot)
        return;
    /* In order of need when rows run short: a running move first. */
    static void (*const rows[])(const struct model *, struct grid *, int, const struct weights_opts *) = {
        draw_next, draw_phase, draw_served, draw_drain, draw_old_workers};
    draw_bar(m, g, 1, o->utf8);
    for (int i = 0; i < (int)(sizeof rows / sizeof rows[0]) && i + 2 < h; i++)
        rows[i](m, g, i + 2, o);
}

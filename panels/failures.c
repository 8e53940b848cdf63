/* failures: recent 5xx, failed probes and in-stream failures; the looked-up
 * log lines. */
#include "panels/failures.h"

#include <stdio.h>
#include <string.h>

#include "panels/panel.h"

static enum grid_role color_role(int color)
{
    return color == COLOR_BLUE ? ROLE_BLUE : color == COLOR_GREEN ? ROLE_GREEN : ROLE_TEXT;
}

/* Everything after the color: a 5xx names its request, a probe its run and
 * why, an in-stream failure the rule of the gateway's log that matched. */
static void tail_text(const struct model_failure *f, char *buf, size_t len)
{
    char status[16];
    snprintf(status, sizeof status, f->status > 0 ? "%d" : "---", f->status);
    if (strcmp(f->kind, "probe") == 0 && f->run[0])
        snprintf(buf, len, "%s probe run %s %s", status, f->run, f->detail);
    else if (strcmp(f->kind, "probe") == 0)
        snprintf(buf, len, "%s probe %s", status, f->detail);
    else if (strcmp(f->kind, "stream") == 0)
        snprintf(buf, len, "%s %s", status, f->detail);
    else
        snprintf(buf, len, "%s %s rid %s", status, f->path, f->rid[0] ? f->rid : "-");
}

static const char *color_text(const struct model_failure *f)
{
    return f->color >= 0 ? color_name((enum color)f->color) : "?";
}

void failures_format(const struct model_failure *f, char *buf, size_t len)
{
    char clock[16], tail[400];
    panel_clock(f->time, clock, sizeof clock);
    tail_text(f, tail, sizeof tail);
    snprintf(buf, len, "%s %s %s", clock, color_text(f), tail);
}

static void draw_row(const struct model_failure *f, struct grid *g, int y, bool selected)
{
    char clock[16], tail[400];
    int w = grid_width(g), x = 0;
    panel_clock(f->time, clock, sizeof clock);
    tail_text(f, tail, sizeof tail);
    x += grid_put_text(g, x, y, selected ? ">" : " ", -1, ROLE_MARKER);
    x += grid_put_text(g, x, y, clock, -1, ROLE_DIM);
    x += grid_put_text(g, x, y, " ", -1, ROLE_TEXT);
    x += grid_put_text(g, x, y, color_text(f), -1, color_role(f->color));
    x += grid_put_text(g, x, y, " ", -1, ROLE_TEXT);
    grid_put_text(g, x, y, tail, -1, ROLE_ALERT);
    if (selected)
        for (int i = 0; i < w; i++)
            grid_set_role(g, i, y, ROLE_MARKER);
}

void failures_draw(const struct model *m, struct grid *g, const struct failures_opts *o)
{
    int h = grid_height(g), n = m->failure_count;
    char title[64];
    grid_clear(g);
    snprintf(title, sizeof title, n ? "failures (%d)  j/k select, Enter: log lines" : "failures", n);
    panel_title(g, 0, 0, grid_width(g), title, m, o->now);
    if (n == 0 && h > 1)
        grid_put_text(g, 0, 1, "no 5xx and no failed probe lately", -1, ROLE_DIM);
    /* Keep the selected row on screen: scroll once it passes the bottom. */
    int skip = o->selected >= h - 1 ? o->selected - (h - 2) : 0;
    for (int y = 1; y < h && skip + y - 1 < n; y++)
        draw_row(&m->failure[skip + y - 1], g, y, skip + y - 1 == o->selected);
}

/* One log line over as many rows as it needs (from row y, before row end):
 * the rid and the version sit far into a JSON line, past any clipping. */
static int draw_wrapped(struct grid *g, int y, int end, const char *line)
{
    int w = grid_width(g);
    const char *p = line;
    do {
        const char *q = p;
        char row[1024];
        /* w columns as grid_put_text counts them; a zero-width character
         * (the "⚠️" of the gateway's warnings) stays with the one before;
         * whole characters only, as many as the row holds */
        for (int n = 0; *q && (n < w || grid_zero_width(q));) {
            int len = grid_char_bytes(q);
            if ((size_t)(q - p) + (size_t)len > sizeof row - 1)
                break;
            n += !grid_zero_width(q);
            q += len;
        }
        size_t len = (size_t)(q - p);
        memcpy(row, p, len);
        row[len] = '\0';
        grid_put_text(g, 0, y++, row, -1, ROLE_TEXT);
        p = q;
    } while (*p && y < end);
    return y;
}

void failures_detail_draw(const struct failures_detail *d, struct grid *g)
{
    int h = grid_height(g);
    grid_clear(g);
    grid_put_text(g, 0, 0, d->title, -1, d->refused ? ROLE_ALERT : ROLE_TITLE);
    if (d->withheld && h > 1)
        grid_put_text(g, 0, 1, "log lines are not shown while recording: they hold users' "
                      "conversations", -1, ROLE_DIM);
    else if (d->count == 0 && !d->refused && !d->asking && h > 1)
        grid_put_text(g, 0, 1, "no line of that log holds this id or lies near this time", -1,
                      ROLE_DIM);
    int end = h > 2 ? h - 1 : h;
    for (int i = 0, y = 1; i < d->count && !d->withheld && y < end; i++)
        y = draw_wrapped(g, y, end, d->line[i]);
    if (h > 2)
        grid_put_text(g, 0, h - 1, "Esc closes", -1, ROLE_DIM);
}

/* events: the journal, newest first. */
#include "panels/events.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "panels/panel.h"

/* The parts of a row, each with its role; the error, when any, is last. */
struct part {
    char text[208];
    enum grid_role role;
};

enum { PART_TIME, PART_WHO, PART_ACTION, PART_WEIGHTS, PART_OUTCOME, PART_ERROR, PART_COUNT };

static bool outcome_ok(const char *outcome)
{
    return strcmp(outcome, "ok") == 0;
}

static void fmt_weights(const int w[COLOR_COUNT], char *buf, size_t len)
{
    if (w[COLOR_BLUE] < 0 || w[COLOR_GREEN] < 0)
        snprintf(buf, len, "?");
    else
        snprintf(buf, len, "%d/%d", w[COLOR_BLUE], w[COLOR_GREEN]);
}

static void split(const struct model_event *e, struct part p[PART_COUNT])
{
    char before[24], after[24];
    panel_clock(e->time, p[PART_TIME].text, sizeof p[PART_TIME].text);
    p[PART_TIME].role = ROLE_DIM;
    snprintf(p[PART_WHO].text, sizeof p[PART_WHO].text, "%s", e->user[0] ? e->user : "?");
    p[PART_WHO].role = ROLE_TEXT;
    snprintf(p[PART_ACTION].text, sizeof p[PART_ACTION].text, "%s", e->action);
    p[PART_ACTION].role = ROLE_TITLE;
    fmt_weights(e->before, before, sizeof before);
    fmt_weights(e->after, after, sizeof after);
    snprintf(p[PART_WEIGHTS].text, sizeof p[PART_WEIGHTS].text, "%s->%s%s%.7s", before, after,
             e->version[0] ? " " : "", e->version);
    p[PART_WEIGHTS].role = ROLE_TEXT;
    snprintf(p[PART_OUTCOME].text, sizeof p[PART_OUTCOME].text, "%s", e->outcome[0] ? e->outcome : "?");
    p[PART_OUTCOME].role = outcome_ok(e->outcome) ? ROLE_OK : ROLE_ALERT;
    /* "refused: refused: the weights..." wastes the row: the outcome is
     * already there, so an error that repeats it starts after it. */
    const char *error = e->error;
    size_t n = strlen(e->outcome);
    if (n > 0 && strncmp(error, e->outcome, n) == 0 && error[n] == ':')
        for (error += n + 1; *error == ' '; error++)
            ;
    snprintf(p[PART_ERROR].text, sizeof p[PART_ERROR].text, "%s", error);
    p[PART_ERROR].role = ROLE_ALERT;
}

void events_format(const struct model_event *e, char *buf, size_t len)
{
    struct part p[PART_COUNT];
    size_t used = 0;
    split(e, p);
    if (len)
        buf[0] = '\0';
    for (int i = 0; i < PART_COUNT && used < len; i++) {
        if (!p[i].text[0])
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? (i == PART_ERROR ? ": " : " ") : "",
                         p[i].text);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void draw_event(const struct model_event *e, struct grid *g, int y)
{
    struct part p[PART_COUNT];
    int x = 0, w = grid_width(g);
    split(e, p);
    for (int i = 0; i < PART_COUNT && x < w; i++) {
        if (!p[i].text[0])
            continue;
        if (x > 0)
            x += grid_put_text(g, x, y, i == PART_ERROR ? ": " : " ", -1, ROLE_TEXT);
        x += grid_put_text(g, x, y, p[i].text, -1, p[i].role);
    }
}

void events_draw(const struct model *m, struct grid *g, const struct events_opts *o)
{
    int h = grid_height(g), n = model_event_count(m);
    int skip = o->skip > 0 ? o->skip : 0;
    char title[32];
    grid_clear(g);
    snprintf(title, sizeof title, n ? "events (%d)" : "events", n);
    panel_title(g, 0, 0, grid_width(g), title, m, o->now);
    if (n == 0 && h > 1)
        grid_put_text(g, 0, 1, "no events yet", -1, ROLE_DIM);
    for (int y = 1; y < h && skip + y - 1 < n; y++)
        draw_event(model_event_get(m, skip + y - 1), g, y);
}

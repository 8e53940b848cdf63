/* events: the journal, newest first. */
#include "panels/events.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "panels/panel.h"
#include "view/wrap.h"

/* An auto-rollback's own follow-ups (its reload, the candidate's stop, the
 * hooks) come this soon after it; when they went well they are said on
 * its row ("done, green stopped") rather than on rows of their own, which
 * would push the reason out of a small panel. */
#define FOLD_S 60.0
/* A row the server wrote alone, or a drill's text, may take this many
 * lines, so its reason is read; other rows keep one line each. */
#define SERVER_ROW_LINES 3

/* The parts of a row, each with its role; the error, when any, is last. */
struct part {
    char text[400];
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

static bool is_auto_start(const struct model_event *e)
{
    return model_event_by_server(e) && strcmp(e->action, "auto-rollback") == 0;
}

/* Event i is a well-gone follow-up of an auto-rollback before it. */
static bool folded(const struct model *m, int i)
{
    const struct model_event *e = model_event_get(m, i);
    if (!model_event_by_server(e) || !outcome_ok(e->outcome) ||
        (strcmp(e->action, "rollback") != 0 && strcmp(e->action, "stop") != 0 &&
         strcmp(e->action, "hook") != 0))
        return false;
    for (int j = i + 1; j < model_event_count(m); j++) {
        const struct model_event *s = model_event_get(m, j);
        if (e->time - s->time >= FOLD_S)
            return false;
        if (is_auto_start(s))
            return true;
    }
    return false;
}

/* What the folded follow-ups of the auto-rollback at i say. */
static void fold_outcome(const struct model *m, int i, char *buf, size_t len)
{
    const struct model_event *e = model_event_get(m, i);
    bool reloaded = false, stopped = false;
    for (int j = i - 1; j >= 0; j--) {
        const struct model_event *f = model_event_get(m, j);
        if (f->time - e->time >= FOLD_S || is_auto_start(f))
            break;
        if (folded(m, j)) {
            reloaded |= strcmp(f->action, "rollback") == 0;
            stopped |= strcmp(f->action, "stop") == 0;
        }
    }
    if (!reloaded)
        return;
    snprintf(buf, len, "done%s%s%s", stopped ? ", " : "", stopped ? e->candidate : "",
             stopped ? " stopped" : "");
}

static void split(const struct model_event *e, struct part p[PART_COUNT])
{
    char before[24], after[24];
    panel_clock(e->time, p[PART_TIME].text, sizeof p[PART_TIME].text);
    p[PART_TIME].role = ROLE_DIM;
    /* The server's own actors ("cutover (auto-rollback)") read as the
     * server: the action already says what it did. */
    snprintf(p[PART_WHO].text, sizeof p[PART_WHO].text, "%s",
             model_event_by_server(e) ? "server" : e->user[0] ? e->user : "?");
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
    snprintf(p[PART_ERROR].text, sizeof p[PART_ERROR].text, "%.390s", error);
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

/* One part from (*x, *y) on, word by word; a word that does not fit goes
 * to the next of the row's lines (indented by 2), the last line clips. */
static void flow(struct grid *g, int *x, int *y, int last_y, const char *text, enum grid_role role)
{
    int w = grid_width(g);
    while (*text) {
        const char *sp = strchr(text, ' ');
        int len = sp ? (int)(sp - text) : (int)strlen(text);
        int cols = wrap_columns(text, (size_t)len);
        if (*x > 2 && *x + cols > w && *y < last_y) {
            (*y)++;
            *x = 2;
        }
        char word[256];
        snprintf(word, sizeof word, "%.*s%s", len, text, sp ? " " : "");
        *x += grid_put_text(g, *x, *y, word, -1, role);
        text += len + (sp ? 1 : 0);
    }
}

/* Returns the rows the event took. */
static int draw_event(const struct model *m, int i, struct grid *g, int y, int lines)
{
    const struct model_event *e = model_event_get(m, i);
    struct part p[PART_COUNT];
    int x = 0, last = y + lines - 1;
    split(e, p);
    if (is_auto_start(e))
        fold_outcome(m, i, p[PART_OUTCOME].text, sizeof p[PART_OUTCOME].text);
    for (int k = 0; k < PART_COUNT; k++) {
        if (!p[k].text[0])
            continue;
        if (x > 0)
            x += grid_put_text(g, x, y, k == PART_ERROR ? ": " : " ", -1, ROLE_TEXT);
        if (lines > 1)
            flow(g, &x, &y, last, p[k].text, p[k].role);
        else
            x += grid_put_text(g, x, y, p[k].text, -1, p[k].role);
    }
    return y - (last - lines + 1) + 1;
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
    for (int i = skip, y = 1; i < n && y < h; i++) {
        if (folded(m, i))
            continue;
        const struct model_event *e = model_event_get(m, i);
        int lines = model_event_by_server(e) || strcmp(e->action, "drill") == 0 ? SERVER_ROW_LINES : 1;
        if (lines > h - y)
            lines = h - y;
        y += draw_event(m, i, g, y, lines);
    }
}

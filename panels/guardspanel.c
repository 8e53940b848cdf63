/* guardspanel: levels, numbers, dwell countdown; the texts of the guards
 * that decide something wrapped whole, the ok ones giving up rows. */
#include "panels/guardspanel.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "panels/panel.h"
#include "view/wrap.h"

#define NAME_W 6
#define LEVEL_W 9
#define CONT_X 2               /* where a guard's wrapped text goes on */
#define GUARD_ROWS_MAX 8
#define GUARDS_TEXT_MAX 600

enum grid_role guardspanel_level_role(const char *level)
{
    if (strcmp(level, "ok") == 0)
        return ROLE_OK;
    if (strcmp(level, "watching") == 0)
        return ROLE_WARN;
    if (strcmp(level, "tripped") == 0)
        return ROLE_ALERT;
    return ROLE_DIM;
}

static int severity(const char *level)
{
    enum grid_role r = guardspanel_level_role(level);
    return r == ROLE_ALERT ? 3 : r == ROLE_WARN ? 2 : r == ROLE_OK ? 1 : 0;
}

static const char *worst_level(const struct model *m)
{
    const char *worst = NULL;
    for (int i = 0; i < m->guard_count; i++)
        if (!worst || severity(m->guard[i].level) > severity(worst))
            worst = m->guard[i].level;
    return worst;
}

static void draw_title(const struct model *m, struct grid *g, double now)
{
    int w = grid_width(g);
    int x = panel_title(g, 0, 0, w, "guards", m, now);
    const char *worst = worst_level(m);
    char age[48];
    int room = w - x;
    if (panel_age_text(m, now, age, sizeof age))
        room -= (int)strlen(age) + 1;
    if (!worst || !m->have_snapshot || room < 2)
        return;
    x += grid_put_text(g, x, 0, " ", room, ROLE_TEXT);
    x += grid_put_text(g, x, 0, worst, room - 1, guardspanel_level_role(worst));
    room = w - x - (panel_age_text(m, now, age, sizeof age) ? (int)strlen(age) + 1 : 0);
    if (room > 0)
        grid_put_text(g, x, 0, m->auto_rollback ? "  auto-rollback on" : "  auto-rollback OFF", room,
                      m->auto_rollback ? ROLE_DIM : ROLE_WARN);
}

/* A guard's text at most `max` rows: the first after the level column, the
 * rest from the panel's left edge (indented), so a narrow panel still says
 * it whole. Returns the rows it needs whole (more than max: cut). */
static int guard_rows(const char *text, int w, struct wrap_line *line, int max)
{
    int first_w = w - NAME_W - LEVEL_W, rest_w = w - CONT_X;
    struct wrap_line one = {.start = "", .len = 0};
    /* No room or no text: one empty row, written, since the caller draws it. */
    if (first_w < 1 || rest_w < 1 || wrap_text(text, first_w, &one, 1) == 0) {
        if (max > 0)
            line[0] = (struct wrap_line){.start = "", .len = 0};
        return 1;
    }
    if (max > 0)
        line[0] = one;
    const char *rest = one.start + one.len;
    while (*rest == ' ')
        rest++;
    return 1 + wrap_text(rest, rest_w, max > 1 ? line + 1 : NULL, max > 1 ? max - 1 : 0);
}

/* Draws a guard from row y on at most `rows` rows; returns the rows used. */
static int draw_guard(const struct model_guard *k, struct grid *g, int y, int rows)
{
    struct wrap_line line[GUARD_ROWS_MAX];
    int w = grid_width(g);
    grid_put_text(g, 0, y, k->name, NAME_W - 1, ROLE_TEXT);
    grid_put_text(g, NAME_W, y, k->level, LEVEL_W - 1, guardspanel_level_role(k->level));
    if (rows > GUARD_ROWS_MAX)
        rows = GUARD_ROWS_MAX;
    int need = guard_rows(k->text, w, line, rows);
    int n = need < rows ? need : rows;
    /* The server's text counts the dwell down with every snapshot; a second
     * countdown here only disagreed with it. */
    for (int i = 0; i < n; i++) {
        char buf[GUARDS_TEXT_MAX];
        snprintf(buf, sizeof buf, "%.*s", line[i].len, line[i].start);
        int x = i == 0 ? NAME_W + LEVEL_W : CONT_X;
        grid_put_text(g, x, y + i, buf, w - x, ROLE_TEXT);
    }
    return n < 1 ? 1 : n;
}

/* The guards not drawn, named on one line by level ("watching dwell drain
 * ok ttft conc"), when the deciding ones need the rows. */
static void draw_rest_line(const struct model *m, const bool drawn[], struct grid *g, int y)
{
    int x = 0, w = grid_width(g);
    for (int level = 3; level >= 0; level--) {
        bool first = true;
        for (int i = 0; i < m->guard_count && x < w; i++) {
            const struct model_guard *k = &m->guard[i];
            if (drawn[i] || severity(k->level) != level)
                continue;
            if (first) {
                x += grid_put_text(g, x, y, x ? "  " : "", w - x, ROLE_TEXT);
                x += grid_put_text(g, x, y, level ? k->level : "?", w - x,
                                   guardspanel_level_role(k->level));
                first = false;
            }
            x += grid_put_text(g, x, y, " ", w - x, ROLE_TEXT);
            x += grid_put_text(g, x, y, k->name, w - x, ROLE_DIM);
        }
    }
}

/* Where the texts do not all fit whole, the guards that decide something
 * (tripped, then watching) keep theirs whole and the ok ones give up
 * rows: cut to one row each, or named with the rest on one line. */
static void draw_guards(const struct model *m, struct grid *g, int rows)
{
    int w = grid_width(g), need[MODEL_GUARDS], all = 0, decide = 0, n_ok = 0;
    bool drawn[MODEL_GUARDS] = {false};
    for (int i = 0; i < m->guard_count; i++) {
        need[i] = guard_rows(m->guard[i].text, w, NULL, 0);
        all += need[i];
        if (severity(m->guard[i].level) > 1)
            decide += need[i];
        else
            n_ok++;
    }
    int y = 1;
    if (decide + n_ok <= rows) {   /* in the table's order, ok ones cut if need be */
        for (int i = 0; i < m->guard_count; i++)
            y += draw_guard(&m->guard[i], g, y,
                            severity(m->guard[i].level) > 1 || all <= rows ? need[i] : 1);
        return;
    }
    /* The worst first, whole; one whose text no longer fits whole is named
     * on the last line with the rest rather than cut (the first is cut
     * only when it alone is longer than the panel). */
    int left = rows - 1;
    bool any = false;
    for (int level = 3; level > 1; level--)
        for (int i = 0; i < m->guard_count; i++) {
            if (severity(m->guard[i].level) != level || left < 1 || (any && need[i] > left))
                continue;
            int used = draw_guard(&m->guard[i], g, y, need[i] < left ? need[i] : left);
            drawn[i] = any = true;
            y += used;
            left -= used;
        }
    draw_rest_line(m, drawn, g, y);
}

void guardspanel_draw(const struct model *m, struct grid *g, const struct guardspanel_opts *o)
{
    int h = grid_height(g);
    grid_clear(g);
    draw_title(m, g, o->now);
    if (!m->have_snapshot)
        return;
    if (!m->have_guards || m->guard_count == 0) {
        grid_put_text(g, 0, 1, "no guard data", -1, ROLE_DIM);
        return;
    }
    if (h > 1)
        draw_guards(m, g, h - 1);
}

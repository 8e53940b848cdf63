/* guardspanel: levels, numbers, dwell countdown. */
#include "panels/guardspanel.h"

#include <stdio.h>
#include <string.h>

#include "panels/panel.h"

#define NAME_W 6
#define LEVEL_W 9

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

static void draw_guard(const struct model_guard *k, struct grid *g, int y)
{
    grid_put_text(g, 0, y, k->name, NAME_W - 1, ROLE_TEXT);
    int x = NAME_W;
    x += grid_put_text(g, x, y, k->level, LEVEL_W - 1, guardspanel_level_role(k->level));
    x = NAME_W + LEVEL_W;
    /* The server's text counts the dwell down with every snapshot; a second
     * countdown here only disagreed with it. */
    grid_put_text(g, x, y, k->text, -1, ROLE_TEXT);
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
    for (int i = 0; i < m->guard_count && i + 1 < h; i++)
        draw_guard(&m->guard[i], g, i + 1);
}

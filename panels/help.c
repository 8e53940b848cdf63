/* help: the key table in a box. */
#include "panels/help.h"

#include <stdio.h>
#include <string.h>

#include "panels/panel.h"

#define HELP_TITLE " keys "

/* Columns of text, counting UTF-8 characters as one each. */
static int text_cols(const char *s)
{
    int n = 0;
    while (*s) {
        int l = grid_utf8_len(s);
        s += l > 0 ? l : 1;
        n++;
    }
    return n;
}

static int key_width(const struct help_opts *o)
{
    int kw = 0;
    for (int i = 0; i < o->count; i++) {
        int l = text_cols(o->keys[i].key ? o->keys[i].key : "");
        if (l > kw)
            kw = l;
    }
    return kw;
}

void help_size(const struct help_opts *o, int *width, int *height)
{
    int kw = key_width(o), dw = 0;
    for (int i = 0; i < o->count; i++) {
        int l = text_cols(o->keys[i].desc ? o->keys[i].desc : "");
        if (l > dw)
            dw = l;
    }
    /* Border, one space of padding each side, two between the columns. */
    int w = kw + 2 + dw + 4, tw = (int)strlen(HELP_TITLE) + 16;
    *width = w > tw ? w : tw;
    *height = o->count + 2;
}

static void draw_box(struct grid *g, bool utf8)
{
    int w = grid_width(g), h = grid_height(g);
    grid_fill(g, 1, 0, w - 2, 1, utf8 ? "─" : "-", ROLE_AXIS);
    grid_fill(g, 1, h - 1, w - 2, 1, utf8 ? "─" : "-", ROLE_AXIS);
    grid_fill(g, 0, 1, 1, h - 2, utf8 ? "│" : "|", ROLE_AXIS);
    grid_fill(g, w - 1, 1, 1, h - 2, utf8 ? "│" : "|", ROLE_AXIS);
    grid_put(g, 0, 0, utf8 ? "┌" : "+", ROLE_AXIS);
    grid_put(g, w - 1, 0, utf8 ? "┐" : "+", ROLE_AXIS);
    grid_put(g, 0, h - 1, utf8 ? "└" : "+", ROLE_AXIS);
    grid_put(g, w - 1, h - 1, utf8 ? "┘" : "+", ROLE_AXIS);
}

static void draw_row(struct grid *g, int y, int kw, const struct help_key *k)
{
    int inner = grid_width(g) - 4;
    int x = 2 + grid_put_text(g, 2, y, k->key ? k->key : "", inner, ROLE_TITLE);
    if (2 + kw + 2 > x)
        x = 2 + kw + 2;
    int room = grid_width(g) - 2 - x;
    if (room > 0)
        grid_put_text(g, x, y, k->desc ? k->desc : "", room, ROLE_TEXT);
}

void help_draw(const struct model *m, struct grid *g, const struct help_opts *o)
{
    int w = grid_width(g), h = grid_height(g);
    grid_clear(g);
    if (w < 5 || h < 3) {
        /* No room for a box: say what this was meant to be. */
        panel_title(g, 0, 0, w, "help", m, o->now);
        return;
    }
    draw_box(g, o->utf8);
    panel_title(g, 1, 0, w - 2, HELP_TITLE, m, o->now);
    int rows = h - 2, kw = key_width(o);
    bool cut = o->count > rows;
    int shown = cut ? rows - 1 : o->count;
    for (int i = 0; i < shown; i++)
        draw_row(g, 1 + i, kw, &o->keys[i]);
    if (cut) {
        char more[48];
        snprintf(more, sizeof more, "... %d more: enlarge the window", o->count - shown);
        grid_put_text(g, 2, h - 2, more, w - 4, ROLE_DIM);
    }
}

/* paint: themes to color pairs, grid cells to ncurses cells. */
#define NCURSES_WIDECHAR 1
#include "tui/paint.h"

#include <curses.h>
#include <stdint.h>
#include <wchar.h>

/* A 256-color index on a terminal with fewer colors: the nearest of the
 * eight ANSI ones, so themes written for 256 colors still tell roles apart. */
static short fit_color(int c, bool default_ok, bool is_bg)
{
    if (c < 0)
        return default_ok ? -1 : (short)(is_bg ? COLOR_BLACK : COLOR_WHITE);
    if (c < COLORS)
        return (short)c;
    if (c < 16)
        return (short)(c - 8);
    if (c >= 232)
        return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
    int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
    return (short)((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0));
}

void paint_set_theme(struct paint *p, const struct theme *theme)
{
    p->theme = *theme;
    p->colors = p->theme.color && has_colors();
    if (!p->colors)
        return;
    start_color();
    p->default_colors = use_default_colors() == OK;
    for (int r = 0; r < ROLE_COUNT; r++)
        init_pair((short)(r + 1), fit_color(p->theme.role[r].fg, p->default_colors, false),
                  fit_color(p->theme.role[r].bg, p->default_colors, true));
}

static attr_t role_attrs(const struct theme *t, int role)
{
    unsigned a = t->role[role].attrs;
    return (a & THEME_BOLD ? A_BOLD : 0) | (a & THEME_DIM ? A_DIM : 0) |
           (a & THEME_REVERSE ? A_REVERSE : 0) | (a & THEME_UNDERLINE ? A_UNDERLINE : 0);
}

/* The code point of a cell's glyph, or '?' when the terminal cannot show
 * it in exactly one column. */
static wchar_t cell_char(const struct paint *p, const char *glyph)
{
    if (grid_utf8_len(glyph) <= 0)
        return L'?';
    uint32_t cp = grid_utf8_code(glyph);
    if (cp < 0x20 || cp == 0x7F)
        return L'?';
    if (cp < 0x80)
        return (wchar_t)cp;
    if (!p->utf8 || wcwidth((wchar_t)cp) != 1)
        return L'?';
    return (wchar_t)cp;
}

void paint_grid(const struct paint *p, const struct grid *g, int y, int x)
{
    int gw = grid_width(g), gh = grid_height(g);
    for (int row = 0; row < gh; row++) {
        int sy = y + row;
        if (sy < 0 || sy >= p->rows)
            continue;
        for (int col = 0; col < gw; col++) {
            int sx = x + col;
            if (sx < 0 || sx >= p->cols)
                continue;
            const struct grid_cell *c = grid_cell(g, col, row);
            int role = c->role < ROLE_COUNT ? c->role : ROLE_TEXT;
            wchar_t wch[2] = {cell_char(p, c->glyph), L'\0'};
            cchar_t cc;
            setcchar(&cc, wch, role_attrs(&p->theme, role), (short)(p->colors ? role + 1 : 0), NULL);
            /* The bottom-right cell returns ERR (the cursor cannot advance)
             * but is drawn. */
            mvwadd_wch(stdscr, sy, sx, &cc);
        }
    }
}

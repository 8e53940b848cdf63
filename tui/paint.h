/* paint: how a grid becomes ncurses cells on stdscr. It turns the theme's
 * roles into color pairs and attributes (fitting 256-color themes to
 * 8-color terminals) and each cell's glyph into one column or '?'. It knows
 * the terminal's size and abilities but not its handles: tui/screen owns
 * those and embeds a struct paint. Output waits for the screen's flush. */
#ifndef CUTOVER_TUI_PAINT_H
#define CUTOVER_TUI_PAINT_H

#include <stdbool.h>

#include "view/grid.h"
#include "themes/theme.h"

struct paint {
    struct theme theme;
    bool utf8;                  /* the locale is UTF-8 */
    bool colors;                /* roles get colors: the terminal has them and the theme sets them */
    bool default_colors;        /* the terminal's own fg/bg can stand for "none" */
    int cols, rows;             /* cells outside are clipped */
};

/* Copies the theme and sets up its color pairs on the current terminal;
 * cells drawn before keep their old look until repainted in full (the
 * caller marks the screen so). */
void paint_set_theme(struct paint *p, const struct theme *theme);

/* Draws g with its top-left corner at row y, column x, clipped to
 * cols x rows. */
void paint_grid(const struct paint *p, const struct grid *g, int y, int x);

#endif

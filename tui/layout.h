/* layout: where each of the console's panels goes for a terminal size.
 * Pure geometry: no drawing, no state, so every size can be checked
 * without a terminal. */
#ifndef CUTOVER_TUI_LAYOUT_H
#define CUTOVER_TUI_LAYOUT_H

#include <stdbool.h>

/* Below this the console shows one line asking for room instead. */
#define LAYOUT_MIN_COLS 60
#define LAYOUT_MIN_ROWS 16

/* In drawing order: the help overlay last, over the others. The chart's
 * place also holds the failures view, which replaces it. The banner (what
 * the server did alone) sits under the chart while there is one. */
enum layout_panel {
    LAYOUT_CHART, LAYOUT_WEIGHTS, LAYOUT_GUARDS, LAYOUT_EVENTS, LAYOUT_STATUS, LAYOUT_BANNER,
    LAYOUT_HELP, LAYOUT_PANEL_COUNT
};

/* What the panels ask for beyond their places: the help overlay's size
 * (0 x 0 while closed), the banner's rows (0: none) and the status's rows
 * (1, or more for a message wrapped above the line). The chart gives up
 * the rows, down to LAYOUT_CHART_MIN_ROWS. */
struct layout_want {
    int help_w, help_h;
    int banner_rows;
    int status_rows;
};
#define LAYOUT_CHART_MIN_ROWS 6

/* A panel's grid: its size and its top-left corner on the screen. An empty
 * one (w or h <= 0) is not drawn. */
struct layout_rect {
    int x, y, w, h;
};

/* Places every panel on a cols x rows screen. help_w x help_h is the size
 * the help overlay asks for (0 x 0 while it is closed); it is clipped to
 * the screen above the status line and centred. Returns false, with every
 * rect empty, when the screen is below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS. */
bool layout_place(int cols, int rows, int help_w, int help_h,
                  struct layout_rect out[LAYOUT_PANEL_COUNT]);
/* The same with a banner and a taller status when asked for. */
bool layout_place_with(int cols, int rows, const struct layout_want *want,
                       struct layout_rect out[LAYOUT_PANEL_COUNT]);

#endif

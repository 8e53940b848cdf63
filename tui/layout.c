/* layout: the console's panel geometry. */
#include "tui/layout.h"

#include <string.h>

#define WIDE_COLS 140               /* from here the panels get a column of their own */
#define WEIGHTS_ROWS 9              /* the wide column: weights, then guards, then events */
#define GUARDS_ROWS 6

static struct layout_rect rect(int x, int y, int w, int h)
{
    return (struct layout_rect){.x = x, .y = y, .w = w, .h = h};
}

/* Wide: the chart takes the whole height and the panels a column on the
 * right; else the panels share a band under the chart. A blank column
 * keeps the chart's newest second apart from the panels' text. */
static void place_panels(int cols, int rows, struct layout_rect *out)
{
    bool wide = cols >= WIDE_COLS;
    int bottom = wide ? 0 : rows >= 30 ? 11 : 9;
    int chart_h = rows - 1 - bottom;
    /* Wider terminals give the panels' sentences room before the chart more seconds. */
    int side = !wide ? 0 : cols >= 200 ? 72 : cols >= 160 ? 60 : 48;
    out[LAYOUT_CHART] = rect(0, 0, cols - side, chart_h);
    if (wide) {
        int x = cols - side + 1;
        out[LAYOUT_WEIGHTS] = rect(x, 0, side - 1, WEIGHTS_ROWS);
        out[LAYOUT_GUARDS] = rect(x, WEIGHTS_ROWS, side - 1, GUARDS_ROWS);
        out[LAYOUT_EVENTS] = rect(x, WEIGHTS_ROWS + GUARDS_ROWS, side - 1,
                                  rows - 1 - (WEIGHTS_ROWS + GUARDS_ROWS));
    } else {
        int half = cols / 2;
        out[LAYOUT_WEIGHTS] = rect(0, chart_h, half - 1, bottom);
        out[LAYOUT_GUARDS] = rect(half, chart_h, cols - half, GUARDS_ROWS);
        out[LAYOUT_EVENTS] = rect(half, chart_h + GUARDS_ROWS, cols - half, bottom - GUARDS_ROWS);
    }
    out[LAYOUT_STATUS] = rect(0, rows - 1, cols, 1);
}

bool layout_place(int cols, int rows, int help_w, int help_h,
                  struct layout_rect out[LAYOUT_PANEL_COUNT])
{
    memset(out, 0, sizeof *out * LAYOUT_PANEL_COUNT);
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS)
        return false;
    place_panels(cols, rows, out);
    if (help_w > 0 && help_h > 0) {
        int w = help_w < cols ? help_w : cols;
        int h = help_h < rows - 1 ? help_h : rows - 1;
        out[LAYOUT_HELP] = rect((cols - w) / 2, (rows - 1 - h) / 2, w, h);
    }
    return true;
}

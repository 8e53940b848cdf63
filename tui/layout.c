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
static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The banner's and the message's rows come out of the chart, which keeps
 * LAYOUT_CHART_MIN_ROWS; the banner is served first. */
static void place_panels(int cols, int rows, const struct layout_want *want,
                         struct layout_rect *out)
{
    bool wide = cols >= WIDE_COLS;
    int bottom = wide ? 0 : rows >= 30 ? 11 : 9;
    int spare = rows - 1 - bottom - LAYOUT_CHART_MIN_ROWS;
    int banner = clamp(want->banner_rows, 0, spare > 0 ? spare : 0);
    int extra = clamp(want->status_rows - 1, 0, spare - banner > 0 ? spare - banner : 0);
    int status_y = rows - 1 - extra;
    int chart_h = status_y - bottom - banner;
    /* Wider terminals give the panels' sentences room before the chart more seconds. */
    int side = !wide ? 0 : cols >= 200 ? 72 : cols >= 160 ? 60 : 48;
    out[LAYOUT_CHART] = rect(0, 0, cols - side, chart_h);
    out[LAYOUT_BANNER] = rect(0, chart_h, banner ? cols - side : 0, banner);
    if (wide) {
        int x = cols - side + 1;
        out[LAYOUT_WEIGHTS] = rect(x, 0, side - 1, WEIGHTS_ROWS);
        out[LAYOUT_GUARDS] = rect(x, WEIGHTS_ROWS, side - 1, GUARDS_ROWS);
        out[LAYOUT_EVENTS] = rect(x, WEIGHTS_ROWS + GUARDS_ROWS, side - 1,
                                  status_y - (WEIGHTS_ROWS + GUARDS_ROWS));
    } else {
        int half = cols / 2, y = chart_h + banner;
        out[LAYOUT_WEIGHTS] = rect(0, y, half - 1, bottom);
        out[LAYOUT_GUARDS] = rect(half, y, cols - half, GUARDS_ROWS);
        out[LAYOUT_EVENTS] = rect(half, y + GUARDS_ROWS, cols - half, bottom - GUARDS_ROWS);
    }
    out[LAYOUT_STATUS] = rect(0, status_y, cols, 1 + extra);
}

bool layout_place(int cols, int rows, int help_w, int help_h,
                  struct layout_rect out[LAYOUT_PANEL_COUNT])
{
    struct layout_want want = {.help_w = help_w, .help_h = help_h, .status_rows = 1};
    return layout_place_with(cols, rows, &want, out);
}

bool layout_place_with(int cols, int rows, const struct layout_want *want,
                       struct layout_rect out[LAYOUT_PANEL_COUNT])
{
    int help_w = want->help_w, help_h = want->help_h;
    memset(out, 0, sizeof *out * LAYOUT_PANEL_COUNT);
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS)
        return false;
    place_panels(cols, rows, want, out);
    if (help_w > 0 && help_h > 0) {
        int w = help_w < cols ? help_w : cols;
        int h = help_h < rows - 1 ? help_h : rows - 1;
        out[LAYOUT_HELP] = rect((cols - w) / 2, (rows - 1 - h) / 2, w, h);
    }
    return true;
}

/* chart: the console's main panel. One strip per signal the table draws
 * (core/metric.h: its title, scale and how a bucket of seconds reads), on
 * one shared time axis, blue and green overlaid in each with their own
 * roles and a legend of current values, a vertical marker through all
 * strips at every reload labelled "90/10 9a7d3e2", the y scale of each
 * strip autoscaled to a round maximum shown in the gutter.
 * Reads the model only, draws into the whole grid; never allocates.
 *
 * Layout from the top: a marker-label row (when the grid has >= 10 rows),
 * the strips (each a legend row when it has >= 3 rows, then plot
 * rows), the time axis. Below 20x6 it draws one line asking for room. */
#ifndef CUTOVER_PANELS_CHART_H
#define CUTOVER_PANELS_CHART_H

#include <stdbool.h>
#include "view/grid.h"
#include "view/model.h"

#define CHART_MIN_W 20
#define CHART_MIN_H 6
#define CHART_GUTTER 6      /* y-scale labels and the y axis */

enum chart_span { CHART_SPAN_5M = 300, CHART_SPAN_15M = 900, CHART_SPAN_1H = 3600 };

struct chart_opts {
    int span_s;         /* seconds shown, ending at now; <= 0 means 300 */
    bool utf8;          /* braille dots and box lines; else ASCII only */
    double now;         /* unix seconds: the right edge is the last full second */
};

void chart_draw(const struct model *m, struct grid *g, const struct chart_opts *o);

/* The plot column (0 = the first column right of the gutter) that shows the
 * second `sec`, for a plot `plot_w` columns wide; -1 outside the span. The
 * console's tests and the drawing share it. */
int chart_column_of(int64_t sec, int64_t now_sec, int span_s, int plot_w);

#endif

/* banner: what the server did on its own (view/announce), across the
 * console above the panels: the title in the alert role, then the text,
 * wrapped so the reason and the numbers are read whole. banner_rows says
 * how many rows that takes at a width, so the layout can make room. */
#ifndef CUTOVER_PANELS_BANNER_H
#define CUTOVER_PANELS_BANNER_H

#include "view/announce.h"
#include "view/grid.h"

/* Never more than this: the chart keeps its room. */
#define BANNER_MAX_ROWS 4

/* Rows the banner needs at `width` columns (1..BANNER_MAX_ROWS). */
int banner_rows(const struct announce *a, int width);

void banner_draw(const struct announce *a, struct grid *g);

#endif

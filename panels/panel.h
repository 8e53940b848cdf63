/* panel: what every console panel shares — a title row that says when the
 * numbers are not live ("stale: 7 s", "no data yet"), and local clock
 * times. Reads the model only; draws into the caller's grid; never
 * allocates. */
#ifndef CUTOVER_PANELS_PANEL_H
#define CUTOVER_PANELS_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include "view/grid.h"
#include "view/model.h"

/* "stale: 7 s" when the snapshot is older than MODEL_STALE_S at `now`,
 * "no data yet" before any snapshot (m NULL counts as none); returns false
 * and leaves buf "" when the numbers are live. */
bool panel_age_text(const struct model *m, double now, char *buf, size_t len);

/* The title at (x, y) within w columns and, right-aligned in the same
 * span, the age text in ROLE_ALERT. The age wins when they do not both
 * fit: numbers that are not live must never look live. Returns the
 * columns the title took. */
int panel_title(struct grid *g, int x, int y, int w, const char *title, const struct model *m,
                double now);

/* t (unix seconds) as local "HH:MM:SS"; "--:--:--" when t <= 0. */
void panel_clock(double t, char *buf, size_t len);

/* One frame of a spinner: braille dots when utf8, "|/-\" otherwise. */
const char *panel_spinner(int frame, bool utf8);

#endif

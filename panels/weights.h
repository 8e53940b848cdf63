/* weights: the configured weights as a two-color bar, beside them the
 * share of requests each color really served over the signals window, the
 * phase, which color is stable and which the candidate, the next step (or
 * the running move with a spinner), and the drain state of the connections
 * left on the old color after the last reload. Reads the model only, draws
 * into the whole grid; never allocates.
 *
 * Rows from the top, dropped from the bottom when the grid is short: title,
 * bar, served share, phase/stable/candidate, next step or busy, drain. A
 * one-row grid gets one compact line. */
#ifndef CUTOVER_PANELS_WEIGHTS_H
#define CUTOVER_PANELS_WEIGHTS_H

#include <stdbool.h>
#include "view/grid.h"
#include "view/model.h"

struct weights_opts {
    int step;           /* weight points per step (config rollout.step); <= 0 means 10 */
    int spinner;        /* spinner frame, advanced by the caller while busy */
    bool utf8;          /* block bar and braille spinner; else ASCII */
    double now;         /* unix seconds, for the snapshot's age */
};

void weights_draw(const struct model *m, struct grid *g, const struct weights_opts *o);

/* The weights one step toward the candidate: its weight raised to the next
 * multiple of `step`, capped at 100. Returns 0 and fills next[], or -1 when
 * there is no next step (weights or candidate unknown, candidate at 100). */
int weights_next_step(const struct model *m, int step, int next[COLOR_COUNT]);

#endif

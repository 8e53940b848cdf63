/* help: the overlay listing every key, from a table the caller owns (the
 * same table the console binds keys from, so the list cannot drift), drawn
 * in a box filling the grid. The caller sizes the grid with help_size()
 * and places it; when the grid is smaller, rows are dropped from the end
 * and the last row says how many are missing. Never allocates. */
#ifndef CUTOVER_PANELS_HELP_H
#define CUTOVER_PANELS_HELP_H

#include <stdbool.h>
#include "view/grid.h"
#include "view/model.h"

struct help_key {
    const char *key;        /* "] or +" */
    const char *desc;       /* "one step toward the candidate" */
};

struct help_opts {
    const struct help_key *keys;
    int count;
    bool utf8;              /* box-drawing lines; else + - | */
    double now;             /* unix seconds, for the snapshot's age */
};

/* m may be NULL (no snapshot: the title says so). */
void help_draw(const struct model *m, struct grid *g, const struct help_opts *o);

/* The grid size that shows every key (box included). */
void help_size(const struct help_opts *o, int *width, int *height);

#endif

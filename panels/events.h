/* events: the journal, newest first, one event per row: local time
 * HH:MM:SS, who, the action, the weights before -> after, the candidate's
 * version when known, the outcome (OK or ALERT role) and, when it failed,
 * nginx's error text; every row clipped at the grid's edge. Reads the
 * model only, draws into the whole grid; never allocates. */
#ifndef CUTOVER_PANELS_EVENTS_H
#define CUTOVER_PANELS_EVENTS_H

#include <stddef.h>
#include "view/grid.h"
#include "view/model.h"

struct events_opts {
    double now;         /* unix seconds, for the snapshot's age */
    int skip;           /* newest events scrolled past (0: start at the newest) */
};

void events_draw(const struct model *m, struct grid *g, const struct events_opts *o);

/* The row text of one event, without roles (for tests and the log). */
void events_format(const struct model_event *e, char *buf, size_t len);

#endif

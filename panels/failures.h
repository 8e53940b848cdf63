/* failures: the latest 5xx answers and failed probes, newest first, one per
 * row: local time HH:MM:SS, the color in its role, the status, the path and
 * the request id (a probe shows its outcome instead); the selected row is
 * drawn in ROLE_MARKER. The detail view shows the lines of that color's
 * gateway log carrying the selected request id, verbatim and clipped, so
 * the operator can prove which build served it. Reads the model and the
 * caller's detail only; never allocates. */
#ifndef CUTOVER_PANELS_FAILURES_H
#define CUTOVER_PANELS_FAILURES_H

#include <stdbool.h>
#include <stddef.h>
#include "view/grid.h"
#include "view/model.h"

#define FAILURES_DETAIL_LINES 20

struct failures_opts {
    double now;         /* unix seconds, for the snapshot's age */
    int selected;       /* row index into m->failure, or -1 */
};

/* What a lookup answered: the console fills it from the reply. */
struct failures_detail {
    char title[160];                    /* "green rid abc: 1 line(s)" */
    bool refused;                       /* the server said no: title says why */
    int count;
    char line[FAILURES_DETAIL_LINES][512];
};

void failures_draw(const struct model *m, struct grid *g, const struct failures_opts *o);
void failures_detail_draw(const struct failures_detail *d, struct grid *g);

/* The row text of one failure, without roles (for tests). */
void failures_format(const struct model_failure *f, char *buf, size_t len);

#endif

/* status: the console's bottom line. From the left: the host, the mode
 * (CONTROL / WATCH / REPLAY), in WATCH who holds control and since when,
 * and the message slot (a refused key, say); at the right end the
 * snapshot's age when it is not live ("stale: 7 s", never crowded out),
 * left of it the key list when it fits whole (the first thing dropped).
 * Draws row 0 of the grid only.
 * Reads the model only; never allocates. */
#ifndef CUTOVER_PANELS_STATUS_H
#define CUTOVER_PANELS_STATUS_H

#include "view/grid.h"
#include "view/model.h"

enum status_mode { STATUS_CONTROL, STATUS_WATCH, STATUS_REPLAY };

struct status_opts {
    const char *host;       /* NULL or "": left out */
    enum status_mode mode;
    const char *keys;       /* short key list, e.g. "]/[ step  R rollback  ? help  q quit" */
    const char *message;    /* NULL or "": no message */
    double now;             /* unix seconds, for the snapshot's age */
};

void status_draw(const struct model *m, struct grid *g, const struct status_opts *o);

/* "CONTROL", "WATCH" or "REPLAY". */
const char *status_mode_name(enum status_mode mode);

#endif

/* status: the console's bottom line. From the left: the host, the mode
 * (CONTROL / WATCH / REPLAY), in WATCH who holds control and since when,
 * and the message slot (a refused key, say); at the right end the
 * snapshot's age when it is not live ("stale: 7 s", never crowded out),
 * left of it the key list when it fits whole (the first thing dropped).
 * The line is the grid's last row. A message too long for the line is
 * shown whole instead, wrapped over the rows above it (status_rows says
 * how many the layout should give); with one row it is clipped.
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

/* At most this many rows of message above the line. */
#define STATUS_MESSAGE_ROWS 4

void status_draw(const struct model *m, struct grid *g, const struct status_opts *o);

/* Rows the status needs at `width`: 1, or 1 + the message's wrapped rows
 * (up to STATUS_MESSAGE_ROWS) when it does not fit on the line. */
int status_rows(const struct model *m, const struct status_opts *o, int width);

/* "CONTROL", "WATCH" or "REPLAY". */
const char *status_mode_name(enum status_mode mode);

#endif

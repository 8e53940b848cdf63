/* failures: the latest 5xx answers, failed probes and in-stream failures
 * (the gateway's log says a 200 stream failed), newest first, one per row:
 * local time HH:MM:SS, the color in its role, the status, then the path and
 * the request id (a 5xx), the run id and outcome (a probe), or the rule of
 * the gateway's log that matched (never the line); the selected row is
 * drawn in ROLE_MARKER. The detail view shows the lines the server picked
 * from that color's gateway log (those holding the failure's id, then those
 * around its time, errors first), verbatim and wrapped, so the operator can
 * prove which build served it; or why there are none to show (refused,
 * withheld while recording). Reads the model and the caller's detail only;
 * never allocates. */
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
    char title[240];                    /* the server's words: what it searched */
    bool asking;                        /* sent, no answer yet: nothing to say of lines */
    bool refused;                       /* the server said no: title says why */
    bool withheld;                      /* recording: the lines were dropped unseen */
    int count;
    char line[FAILURES_DETAIL_LINES][2048];   /* the server cuts a line at 2000 bytes */
};

void failures_draw(const struct model *m, struct grid *g, const struct failures_opts *o);
void failures_detail_draw(const struct failures_detail *d, struct grid *g);

/* The row text of one failure, without roles (for tests). */
void failures_format(const struct model_failure *f, char *buf, size_t len);

#endif

/* messages: the sentences that decide a cutover, each whole, in the
 * chart's place while `m` is on: what the server did alone, the last
 * answer to this console, every guard's verdict, and from the journal the
 * latest refusal, preflight failure and drill text. Each is wrapped under
 * its label, never cut while rows remain; the rows run out before the
 * text does only on a tiny screen. Reads the model and the opts only. */
#ifndef CUTOVER_PANELS_MESSAGES_H
#define CUTOVER_PANELS_MESSAGES_H

#include "view/announce.h"
#include "view/grid.h"
#include "view/model.h"

struct messages_opts {
    const char *last;               /* the last reply or note shown; NULL or "" none */
    const struct announce *server;  /* NULL or have = false: none */
    double now;                     /* unix seconds, for the snapshot's age */
};

void messages_draw(const struct model *m, struct grid *g, const struct messages_opts *o);

#endif

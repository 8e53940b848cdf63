/* guardspanel: the guards panel. One row per guard the server reports (the
 * rows of core/guards.h's table, in its order): its name, its level (ok /
 * watching / tripped in the OK / WARN / ALERT roles) and the server's text
 * with its numbers, which counts the dwell down. The title names
 * the worst level and whether auto-rollback is on. Reads the model only,
 * draws into the whole grid; never allocates. Rows that do not fit are
 * dropped from the bottom. */
#ifndef CUTOVER_PANELS_GUARDSPANEL_H
#define CUTOVER_PANELS_GUARDSPANEL_H

#include "view/grid.h"
#include "view/model.h"

struct guardspanel_opts {
    double now;         /* unix seconds: the snapshot's age and the countdown */
};

void guardspanel_draw(const struct model *m, struct grid *g, const struct guardspanel_opts *o);

/* ok -> ROLE_OK, watching -> ROLE_WARN, tripped -> ROLE_ALERT, else DIM. */
enum grid_role guardspanel_level_role(const char *level);


#endif

/* announce: what the server did on its own, said to every console. An
 * auto-rollback, an alarm or a candidate the server stopped is found in
 * the model's journal events (so a watcher, a late joiner and a replay see
 * the same as the controller) and told as one headline with the reason,
 * the numbers and what followed: "AUTO-ROLLBACK 06:28:22  green 5xx
 * 12.20% vs blue 0.00% for 180 s (+12.20 points, limit 0.5); blue 50 /
 * green 50 -> blue 100 / green 0; green stopped". Which journal actions
 * count is the table in announce.c. A move that waits for `cutover
 * reconcile` (the snapshot says so while it lasts) comes before them all:
 * nothing moves until it is resolved. Pure; the caller owns the struct. */
#ifndef CUTOVER_VIEW_ANNOUNCE_H
#define CUTOVER_VIEW_ANNOUNCE_H

#include <stdbool.h>
#include "view/model.h"

/* An announcement this old is history, not news: no banner for it. */
#define ANNOUNCE_KEEP_S 900.0

struct announce {
    bool have;
    double time;                /* the headline event's: what identifies it */
    bool standing;              /* a state that holds until resolved (a move to
                                   reconcile): never aged out */
    char title[32];             /* "AUTO-ROLLBACK", "ALARM", "CANDIDATE STOPPED",
                                   "RECONCILE NEEDED" */
    char text[640];             /* the reason, the numbers and what followed, whole */
    char line[200];             /* one line for the status line */
};

/* The newest announcement among the model's events, or have = false. */
void announce_latest(const struct model *m, struct announce *out);

#endif

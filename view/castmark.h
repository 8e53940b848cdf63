/* castmark: a journal event as the label of a recording's marker, read
 * cleanly: "shift 90/10 -> 80/20", "shift refused at 80/20: the weights
 * have held 4 s of the 10 s dwell (6 s left)", "auto-rollback 50/50 ->
 * 100/0: green 5xx 12.20% vs blue 0.00% for 180 s", "restore 70/30 ->
 * 80/20", "reconcile needed at 70/30: ...". A move's intent gets none: its
 * outcome follows and is the marker. Pure; the caller owns the buffer. */
#ifndef CUTOVER_VIEW_CASTMARK_H
#define CUTOVER_VIEW_CASTMARK_H

#include <stdbool.h>
#include <stddef.h>
#include "view/model.h"

/* Writes the label; false when the event gets no marker. */
bool castmark_label(const struct model_event *ev, char *buf, size_t len);

#endif

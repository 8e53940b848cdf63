/* guards_priv: what guards.c and guards_failures.c share; private to the
 * guards module. Pure. */
#ifndef CUTOVER_CORE_GUARDS_PRIV_H
#define CUTOVER_CORE_GUARDS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include "core/guards.h"

/* A part of a text (one rule's numbers): three parts and the glue fit in
 * GUARDS_TEXT, so a composed line is never cut. */
#define PART 180
/* Two colors' ratios with their counts, inside a part. */
#define RATIOS 120

/* A color's failure ratio over the window, with its parts. */
struct guards_ratio guards_failure_ratio(const struct window_stats *s);
/* "green 5xx 11.60% (29/250) vs blue 0.00% (0/480)"; when the gateway's
 * log counted in-stream failures, "green failures 11.60% (5xx 0.40% +
 * in-stream 11.20%, 29/250) vs blue 0.00% (0/480)". */
void guards_ratios_text(const char *cand, const struct guards_ratio *c, const char *stab,
                        const struct guards_ratio *s, char *buf, size_t n);

#endif

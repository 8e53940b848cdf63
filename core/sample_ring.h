/* sample_ring: the latest values of one measure with their times, so a
 * decision can read every sample of a window, not only its histogram (a
 * rank test needs the values). Fixed size: the oldest value makes room.
 * Pure; the caller owns the struct (a plain value, zeroed to start). */
#ifndef CUTOVER_CORE_SAMPLE_RING_H
#define CUTOVER_CORE_SAMPLE_RING_H

#include <stddef.h>

/* A burst of probes for one decision stays well inside it (the verdict
 * reads at most MEDIAN_SHIFT_MAX_SAMPLES per color). */
#define SAMPLE_RING_CAP 512

struct sample_ring {
    double at[SAMPLE_RING_CAP];
    double value[SAMPLE_RING_CAP];
    size_t next, n;
};

void sample_ring_push(struct sample_ring *r, double at, double value);
/* Copies the values stamped at or after `since`, oldest first, at most cap;
 * returns how many. */
size_t sample_ring_since(const struct sample_ring *r, double since, double *out, size_t cap);

#endif

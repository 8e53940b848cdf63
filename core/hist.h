/* hist: a latency histogram with log-linear buckets: 64 linear sub-buckets per
 * power of two, so a quantile read at the bucket's midpoint is within 1% of
 * the true value. Fixed size (no allocation), so callers embed it in arrays;
 * values are microseconds. Pure. */
#ifndef CUTOVER_CORE_HIST_H
#define CUTOVER_CORE_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 6                          /* 64 sub-buckets per power of two */
#define HIST_MAX_POW 33                          /* up to 2^33 us (about 2.4 h) */
#define HIST_BUCKETS (((HIST_MAX_POW - HIST_SUB_BITS) + 1) << HIST_SUB_BITS)

struct hist {
    uint64_t count;
    uint32_t bucket[HIST_BUCKETS];
};

void hist_clear(struct hist *h);
/* Values above the range land in the last bucket. */
void hist_add(struct hist *h, uint64_t value_us);
void hist_add_n(struct hist *h, uint64_t value_us, uint32_t n);
void hist_merge(struct hist *dst, const struct hist *src);
/* Removes src's samples from dst (src must have been merged in before):
 * lets a sliding window drop its oldest slot in O(buckets). */
void hist_subtract(struct hist *dst, const struct hist *src);
/* q in [0,1]; 0 when empty. The value is the bucket's midpoint (exact below 64 us). */
uint64_t hist_quantile(const struct hist *h, double q);

#endif

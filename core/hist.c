/* hist: log-linear latency histogram.
 *
 * Bucket layout: values 0..63 have a bucket each (exact). A value v >= 64 with
 * highest set bit p (6 <= p <= 32) falls in octave p-6, whose 64 sub-buckets
 * are each 2^(p-6) wide: index = 64 * (p - 5) + (v >> (p - 6)) - 64.
 * Half a bucket's width over its lower bound is at most 2^(p-7) / 2^p = 1/128,
 * so a midpoint is within 0.8% of any value in its bucket. */
#include <string.h>
#include "core/hist.h"

#define SUB_COUNT (1u << HIST_SUB_BITS)

static unsigned top_bit(uint64_t v)
{
    unsigned p = 0;
    while (v >>= 1)
        p++;
    return p;
}

static size_t bucket_of(uint64_t v)
{
    if (v < SUB_COUNT)
        return (size_t)v;
    unsigned p = top_bit(v);
    if (p >= HIST_MAX_POW)
        return HIST_BUCKETS - 1;     /* beyond the range: clamp */
    unsigned shift = p - HIST_SUB_BITS;
    return (size_t)SUB_COUNT * (shift + 1) + (size_t)(v >> shift) - SUB_COUNT;
}

/* The middle of the integer values a bucket holds. */
static uint64_t bucket_mid(size_t i)
{
    if (i < SUB_COUNT)
        return i;
    unsigned shift = (unsigned)(i / SUB_COUNT) - 1;
    uint64_t sub = SUB_COUNT + i % SUB_COUNT;
    uint64_t lower = sub << shift;
    uint64_t width = (uint64_t)1 << shift;
    return lower + (width - 1) / 2;
}

void hist_clear(struct hist *h)
{
    memset(h, 0, sizeof *h);
}

void hist_add(struct hist *h, uint64_t value_us)
{
    hist_add_n(h, value_us, 1);
}

void hist_add_n(struct hist *h, uint64_t value_us, uint32_t n)
{
    h->bucket[bucket_of(value_us)] += n;
    h->count += n;
}

/* Counters wrap modulo 2^32 rather than saturate, so a subtract is always
 * the exact inverse of the merge it undoes. */
void hist_merge(struct hist *dst, const struct hist *src)
{
    if (src->count == 0)
        return;
    for (size_t i = 0; i < HIST_BUCKETS; i++)
        dst->bucket[i] += src->bucket[i];
    dst->count += src->count;
}

void hist_subtract(struct hist *dst, const struct hist *src)
{
    if (src->count == 0)
        return;
    for (size_t i = 0; i < HIST_BUCKETS; i++)
        dst->bucket[i] -= src->bucket[i];
    dst->count -= src->count;
}

/* Nearest rank: the smallest value with at least ceil(q * count) samples at
 * or below it, which is sorted[rank - 1] for a sorted array of the samples. */
uint64_t hist_quantile(const struct hist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (!(q > 0))
        q = 0;
    if (q > 1)
        q = 1;
    double exact = q * (double)h->count;
    uint64_t rank = (uint64_t)exact;
    if ((double)rank < exact)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank)
            return bucket_mid(i);
    }
    return bucket_mid(HIST_BUCKETS - 1);
}

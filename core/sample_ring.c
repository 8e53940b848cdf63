/* sample_ring: see sample_ring.h. */
#include "core/sample_ring.h"

void sample_ring_push(struct sample_ring *r, double at, double value)
{
    r->at[r->next] = at;
    r->value[r->next] = value;
    r->next = (r->next + 1) % SAMPLE_RING_CAP;
    if (r->n < SAMPLE_RING_CAP)
        r->n++;
}

size_t sample_ring_since(const struct sample_ring *r, double since, double *out, size_t cap)
{
    size_t got = 0;
    size_t oldest = (r->next + SAMPLE_RING_CAP - r->n) % SAMPLE_RING_CAP;
    /* Pushes come in the order probes finish, not quite in time order:
     * every value is tested, none is assumed from its neighbours. */
    for (size_t i = 0; i < r->n && got < cap; i++) {
        size_t k = (oldest + i) % SAMPLE_RING_CAP;
        if (r->at[k] >= since)
            out[got++] = r->value[k];
    }
    return got;
}

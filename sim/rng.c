/* xorshift64*: plenty for picking which requests fail, and trivially reproducible. */
#include "sim/rng.h"

#include <math.h>

void rng_seed(struct sim_rng *r, uint64_t seed)
{
    /* splitmix64 step: spreads small seeds (1, 2, 3) and never yields the stuck state 0. */
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    r->s = z ? z : 1;
}

double rng_next(struct sim_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (double)((r->s * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

double rng_normal(struct sim_rng *r)
{
    double u1 = 1.0 - rng_next(r);      /* (0, 1]: log(u1) is finite */
    double u2 = rng_next(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

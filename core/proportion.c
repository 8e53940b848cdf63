/* proportion: Wilson and Newcombe intervals (see proportion.h). */
#include "core/proportion.h"

#include <math.h>

struct proportion_interval proportion_wilson(uint64_t x, uint64_t n, double z)
{
    struct proportion_interval r = {0.0, 0.0, 1.0};
    if (n == 0)
        return r;                    /* nothing seen: anything is possible */
    if (x > n)
        x = n;
    double nn = (double)n, p = (double)x / nn, z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double center = (p + z2 / (2.0 * nn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    r.estimate = p;
    r.low = center - half < 0.0 ? 0.0 : center - half;
    r.high = center + half > 1.0 ? 1.0 : center + half;
    /* At x = 0 (or n) the bound is exactly 0 (or 1); rounding must not move it. */
    if (x == 0)
        r.low = 0.0;
    if (x == n)
        r.high = 1.0;
    return r;
}

struct proportion_interval proportion_difference(uint64_t x1, uint64_t n1, uint64_t x2,
                                                 uint64_t n2, double z)
{
    struct proportion_interval a = proportion_wilson(x1, n1, z);
    struct proportion_interval b = proportion_wilson(x2, n2, z);
    struct proportion_interval r;
    double d = a.estimate - b.estimate;
    r.estimate = d;
    r.low = d - sqrt((a.estimate - a.low) * (a.estimate - a.low) +
                     (b.high - b.estimate) * (b.high - b.estimate));
    r.high = d + sqrt((a.high - a.estimate) * (a.high - a.estimate) +
                      (b.estimate - b.low) * (b.estimate - b.low));
    return r;
}

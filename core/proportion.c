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

/* log of n choose k */
static double log_choose(double n, double k)
{
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

double proportion_excess_chance(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2)
{
    if (x1 > n1)
        x1 = n1;
    if (x2 > n2)
        x2 = n2;
    if (x1 == 0)
        return 1.0;
    double total = (double)n1 + (double)n2, failed = (double)x1 + (double)x2;
    double log_all = log_choose(total, (double)n1), sum = 0.0;
    uint64_t most = x1 + x2 < n1 ? x1 + x2 : n1;
    /* P(X = k) = C(failed, k) C(total - failed, n1 - k) / C(total, n1),
     * summed from k = x1 to the most the candidate's requests can hold. */
    for (uint64_t k = x1; k <= most; k++) {
        double kk = (double)k;
        if ((double)n1 - kk > total - failed)
            continue;                /* not enough successes to fill n1 */
        double term = exp(log_choose(failed, kk) + log_choose(total - failed, (double)n1 - kk) -
                          log_all);
        sum += term;
        if (term < sum * 1e-17)
            break;                   /* past the mode, the tail no longer adds */
    }
    return sum > 1.0 ? 1.0 : sum;
}

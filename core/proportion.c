/* proportion: Wilson and Newcombe intervals (see proportion.h). */
#include "core/proportion.h"

#include <math.h>

/* P(X >= x) for X Poisson with mean lambda. */
static double poisson_at_least(uint64_t x, double lambda)
{
    double term = exp(-lambda), below = 0.0;
    for (uint64_t k = 0; k < x; k++) {
        below += term;
        term *= lambda / (double)(k + 1);
    }
    return 1.0 - below;
}

/* The mean whose Poisson tail from x is alpha: the count's one-sided lower
 * bound, found by bisection (the tail grows with the mean). */
static double poisson_low(uint64_t x, double alpha)
{
    double lo = 0.0, hi = (double)x + 10.0 * sqrt((double)x) + 10.0;
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2.0;
        if (poisson_at_least(x, mid) < alpha)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2.0;
}

/* Brown, Cai and DasGupta (2001), "Interval estimation for a binomial
 * proportion", 4.1.1: Wilson's bound sits too far from 0 at one or two
 * events (1 of 20 at 99% reads as at least 0.88%, where it could be
 * 0.05%), so for x up to 2 (n <= 50) or 3 (larger n) the lower bound is
 * the Poisson one, and the upper bound likewise near n. */
static void wilson_modify_edges(uint64_t x, uint64_t n, double z, struct proportion_interval *r)
{
    uint64_t few = n <= 50 ? 2 : 3;
    double alpha = 0.5 * erfc(z / sqrt(2.0)), nn = (double)n;
    if (x >= 1 && x <= few)
        r->low = poisson_low(x, alpha) / nn;
    if (n - x >= 1 && n - x <= few)
        r->high = 1.0 - poisson_low(n - x, alpha) / nn;
}

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
    wilson_modify_edges(x, n, z, &r);
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

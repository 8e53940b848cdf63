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
 * proportion", their modified Wilson interval: Wilson's bound sits too far
 * from 0 at one or two events (1 of 20 at 99% reads as at least 0.69%,
 * where it could be 0.05%), so for x up to 2 (n <= 50) or 3 (larger n;
 * they stop at 100, and the Poisson bound only gets better with n) the
 * lower bound is the Poisson one, and the upper bound likewise near n. */
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

/* The candidate's failures among all `failed`, under "no worse": drawn
 * without replacement, n1 of `total` requests. */
struct hypergeometric {
    double total, failed, n1;
    double lo, hi;                 /* the counts the candidate can hold */
};

static double hyper_log_p(const struct hypergeometric *h, double k)
{
    return log_choose(h->failed, k) + log_choose(h->total - h->failed, h->n1 - k) -
           log_choose(h->total, h->n1);
}

/* P(X = k + 1) / P(X = k) */
static double hyper_up(const struct hypergeometric *h, double k)
{
    return (h->failed - k) * (h->n1 - k) / ((k + 1.0) * (h->total - h->failed - h->n1 + k + 1.0));
}

/* The tail from k away from the mean (step +1: up, -1: down), from a point
 * on the far side of the mean, where the terms only fall: each from the
 * last by the ratio, until they stop adding. */
static double hyper_tail(const struct hypergeometric *h, double k, int step)
{
    if (k < h->lo || k > h->hi)
        return 0.0;                  /* nothing the candidate can hold */
    double lp = hyper_log_p(h, k);
    if (lp < -700.0)
        return 0.0;                  /* under 1e-304, and falling from here */
    double term = exp(lp), sum = 0.0;
    while (k >= h->lo && k <= h->hi && term > 0.0) {
        sum += term;
        if (term < sum * 1e-17)
            break;
        term *= step > 0 ? hyper_up(h, k) : 1.0 / hyper_up(h, k - 1.0);
        k += step;
    }
    return sum;
}

double proportion_excess_chance(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2)
{
    if (x1 > n1)
        x1 = n1;
    if (x2 > n2)
        x2 = n2;
    if (x1 == 0)
        return 1.0;
    struct hypergeometric h = {.total = (double)n1 + (double)n2,
                               .failed = (double)x1 + (double)x2, .n1 = (double)n1};
    double ok = h.total - h.failed;
    h.lo = h.n1 - ok > 0.0 ? h.n1 - ok : 0.0;
    h.hi = h.failed < h.n1 ? h.failed : h.n1;
    double k = (double)x1, mean = h.failed * h.n1 / h.total, p;
    /* P(X >= x1): summed up from x1 when x1 is past the mean (the terms
     * fall from there), else one minus the lower tail summed down from
     * x1 - 1 (which is where those fall). */
    if (k > mean)
        p = hyper_tail(&h, k, +1);
    else
        p = 1.0 - hyper_tail(&h, k - 1.0, -1);
    return p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
}

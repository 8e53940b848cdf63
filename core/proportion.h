/* proportion: how sure a ratio of counts is. Wilson's score interval for
 * one proportion (x of n) and Newcombe's hybrid score interval for the
 * difference of two (Newcombe 1998, method 10), which stay honest at small
 * counts and at 0 or n, where the normal approximation claims a certainty
 * that a handful of requests cannot give; and Fisher's exact test for
 * whether one ratio is over the other at all. Pure. */
#ifndef CUTOVER_CORE_PROPORTION_H
#define CUTOVER_CORE_PROPORTION_H

#include <stdint.h>

/* z for a one-sided 99% bound, the default for the failure guards' refusals:
 * a step is refused when the excess is that sure. */
#define PROPORTION_Z_99 2.3263478740408408

struct proportion_interval {
    double estimate;          /* x / n (or p1 - p2); 0 when n is 0 */
    double low, high;         /* the interval; [0, 1] (or [-1, 1]) when n is 0 */
};

/* x of n at z (e.g. 1.96 for a two-sided 95% interval). x > n is read as n.
 * Within a few events of 0 or n a bound is the Poisson one (Brown, Cai and
 * DasGupta's modified Wilson), which the plain score bound overstates. */
struct proportion_interval proportion_wilson(uint64_t x, uint64_t n, double z);

/* x1/n1 - x2/n2 at z. */
struct proportion_interval proportion_difference(uint64_t x1, uint64_t n1, uint64_t x2,
                                                 uint64_t n2, double z);

/* How likely a candidate that fails no more often than the stable is to
 * show at least x1 of the x1 + x2 failures among its n1 of the n1 + n2
 * requests: the one-sided p-value of Fisher's exact test (hypergeometric
 * tail). Exact at the small counts a canary sees, where the normal and
 * score intervals claim too much: 1 of 30 against 0 of 600 is 30/630 =
 * 4.8% likely by chance. 1 when x1 is 0. */
double proportion_excess_chance(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);

#endif

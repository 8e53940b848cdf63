/* median_shift: Hodges-Lehmann shift of log values with a Mann-Whitney
 * interval, and the probing policy that feeds it (see median_shift.h). */
#include "core/median_shift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *median_shift_outcome_name(enum median_shift_outcome o)
{
    switch (o) {
    case MEDIAN_SHIFT_PASS: return "pass";
    case MEDIAN_SHIFT_HALT: return "halt";
    case MEDIAN_SHIFT_INCONCLUSIVE: break;
    }
    return "inconclusive";
}

int median_shift_settings_check(const struct median_shift_settings *s, char *err, size_t errlen)
{
    if (!(s->confidence >= 0.5 && s->confidence < 1.0)) {
        snprintf(err, errlen, "confidence %g is not in [0.5, 1)", s->confidence);
        return -1;
    }
    if (!(s->catch_factor > 1.0 && isfinite(s->catch_factor))) {
        snprintf(err, errlen, "catch factor %g is not over 1 (the threshold itself)",
                 s->catch_factor);
        return -1;
    }
    if (s->min_samples < 2) {
        snprintf(err, errlen, "min samples %zu is under 2: one value has no spread",
                 s->min_samples);
        return -1;
    }
    return 0;
}

/* ---- order statistics of the pairwise differences ----------------------- */

/* Two sorted log samples; d(i, j) = b[j] - a[i]. The n*m differences are
 * never stored (n = m = 1024 would be 8 MiB): with both sides sorted, d grows
 * with j and shrinks with i, so counting how many lie at or below t is one
 * merge-like pass, and the k-th smallest is found by searching on t. */
struct pairs {
    const double *a, *b;
    size_t n, m;
};

/* One pass at t: how many d <= t, the largest d <= t and the smallest d > t.
 * The difference is computed the same way everywhere, so the values found
 * are the d themselves, rounding included. */
struct cut {
    size_t count;
    double below, above;
};

static struct cut pairs_cut(const struct pairs *p, double t)
{
    struct cut c = { 0, -INFINITY, INFINITY };
    size_t j = 0;
    for (size_t i = 0; i < p->n; i++) {   /* a ascending: the cut in b moves right */
        while (j < p->m && p->b[j] - p->a[i] <= t)
            j++;
        c.count += j;
        if (j > 0 && p->b[j - 1] - p->a[i] > c.below)
            c.below = p->b[j - 1] - p->a[i];
        if (j < p->m && p->b[j] - p->a[i] < c.above)
            c.above = p->b[j] - p->a[i];
    }
    return c;
}

/* The next t to try, strictly inside (lo, hi): on even rounds where the
 * counts say the k-th lies (the differences are dense and smooth, so this
 * lands within a few ranks), on odd rounds the middle, so each two rounds
 * at least halve the gap whatever the data. NAN when lo and hi are adjacent. */
static double pairs_guess(double lo, double hi, size_t c_lo, size_t c_hi, size_t k, int round)
{
    double t = lo + (hi - lo) / 2;
    if (round % 2 == 0 && c_hi > c_lo) {
        double f = ((double)(k - c_lo) - 0.5) / (double)(c_hi - c_lo);
        double g = lo + (hi - lo) * f;
        if (g > lo && g < hi)
            t = g;
    }
    return t > lo && t < hi ? t : NAN;
}

/* The k-th smallest difference, 1 <= k <= n*m. Invariant: it lies in
 * (lo, hi], hi is a difference, next is the smallest difference over lo, and
 * c_lo < k <= c_hi count the differences at or below each. A cut that has
 * exactly k (or k - 1) at or below it names the answer at once. */
static double pairs_kth(const struct pairs *p, size_t k)
{
    double next = p->b[0] - p->a[p->n - 1];
    double hi = p->b[p->m - 1] - p->a[0];
    double lo = next - (1.0 + fabs(next));   /* strictly below the smallest */
    size_t c_lo = 0, c_hi = p->n * p->m;
    for (int round = 0; next < hi; round++) {
        double t = pairs_guess(lo, hi, c_lo, c_hi, k, round);
        if (isnan(t))
            break;
        struct cut c = pairs_cut(p, t);
        if (c.count == k || c.count + 1 == k)
            return c.count == k ? c.below : c.above;
        if (c.count > k) {
            hi = c.below;
            c_hi = c.count;
        } else {
            lo = t;
            c_lo = c.count;
            next = c.above;
        }
    }
    return hi;
}

/* The Hodges-Lehmann estimate: the median of the differences. */
static double pairs_median(const struct pairs *p)
{
    size_t nm = p->n * p->m;
    if (nm % 2 == 1)
        return pairs_kth(p, nm / 2 + 1);
    return (pairs_kth(p, nm / 2) + pairs_kth(p, nm / 2 + 1)) / 2;
}

/* ---- the interval --------------------------------------------------------- */

/* z with P(Z <= z) = q, by bisection on erfc: no table, and 1e-12 is far
 * below what choosing an order statistic can resolve. */
static double normal_quantile(double q)
{
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2.0)) < q)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* The rank k of the interval's lower end among the n*m sorted differences
 * (the upper end is n*m + 1 - k): the Mann-Whitney U has mean nm/2 and
 * variance nm(n+m+1)/12 under no shift; k - 1 is its lower critical value,
 * with a continuity correction of 1/2. 0 when no k >= 1 reaches the
 * confidence: the samples are too small for an interval. Ties would narrow
 * U's variance; ignoring them keeps the interval on the safe (wide) side. */
static size_t interval_rank(size_t n, size_t m, double confidence)
{
    double nm = (double)n * (double)m;
    double sd = sqrt(nm * (double)(n + m + 1) / 12.0);
    double k = floor(nm / 2 + 0.5 - normal_quantile((1 + confidence) / 2) * sd);
    return k >= 1 ? (size_t)k : 0;
}

static double to_pct(double log_ratio)
{
    return 100.0 * expm1(log_ratio);
}

/* ---- samples ----------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Copies, checks and sorts one sample into out[], then takes its median. */
static int sample_load(const char *which, const double *in, size_t n, double *out,
                       double *median, char *err, size_t errlen)
{
    if (n > MEDIAN_SHIFT_MAX_SAMPLES) {
        snprintf(err, errlen, "%s sample has %zu values, more than %d", which, n,
                 MEDIAN_SHIFT_MAX_SAMPLES);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(isfinite(in[i]) && in[i] > 0)) {
            snprintf(err, errlen, "%s value %zu is %g: values must be positive", which,
                     i + 1, in[i]);
            return -1;
        }
        out[i] = in[i];
    }
    qsort(out, n, sizeof *out, cmp_double);
    *median = n == 0 ? NAN : n % 2 ? out[n / 2] : (out[n / 2 - 1] + out[n / 2]) / 2;
    for (size_t i = 0; i < n; i++)
        out[i] = log(out[i]);
    return 0;
}

/* ---- the verdict ---------------------------------------------------------- */

/* Interval, catchable size and outcome, once both samples are in. */
static void judge(const struct pairs *p, double est, const struct median_shift_settings *s,
                  struct median_shift_result *out)
{
    size_t k = interval_rank(p->n, p->m, s->confidence);
    if (k == 0)
        return;
    double lower = pairs_kth(p, k);
    double upper = pairs_kth(p, p->n * p->m + 1 - k);
    double thr = log1p(out->threshold_pct / 100);
    /* A true shift of x shows est near x and its lower end near x - (est -
     * lower): it halts when that clears thr. */
    double catchable = thr + (est - lower);
    out->has_interval = true;
    out->lower_pct = to_pct(lower);
    out->upper_pct = to_pct(upper);
    out->catchable_pct = to_pct(catchable);
    if (p->n < s->min_samples || p->m < s->min_samples)
        return;
    double catch_size = log1p(s->catch_factor * out->threshold_pct / 100);
    /* PASS also needs the upper end under the catch size: an interval
     * narrow enough, around a shift of 15% against a limit of 8%, is not
     * leave to go on (it would halt with a few more probes). */
    if (lower > thr)
        out->outcome = MEDIAN_SHIFT_HALT;
    else if (catchable <= catch_size && upper <= catch_size)
        out->outcome = MEDIAN_SHIFT_PASS;
}

static void result_init(struct median_shift_result *out, size_t n, size_t m, double thr_pct)
{
    memset(out, 0, sizeof *out);
    out->outcome = MEDIAN_SHIFT_INCONCLUSIVE;
    out->stable_n = n;
    out->candidate_n = m;
    out->threshold_pct = thr_pct;
    out->shift_pct = out->lower_pct = out->upper_pct = out->catchable_pct = NAN;
}

int median_shift_compare(const double *stable, size_t n, const double *candidate, size_t m,
                         double threshold_pct, const struct median_shift_settings *s,
                         struct median_shift_result *out, char *err, size_t errlen)
{
    double a[MEDIAN_SHIFT_MAX_SAMPLES], b[MEDIAN_SHIFT_MAX_SAMPLES];
    if (median_shift_settings_check(s, err, errlen) < 0)
        return -1;
    if (!(threshold_pct > 0 && isfinite(threshold_pct))) {
        snprintf(err, errlen, "threshold %g%% is not positive", threshold_pct);
        return -1;
    }
    result_init(out, n, m, threshold_pct);
    if (sample_load("stable", stable, n, a, &out->stable_median, err, errlen) < 0
        || sample_load("candidate", candidate, m, b, &out->candidate_median, err, errlen) < 0)
        return -1;
    if (n == 0 || m == 0)
        return 0;
    struct pairs p = { .a = a, .b = b, .n = n, .m = m };
    double est = pairs_median(&p);
    out->shift_pct = to_pct(est);
    judge(&p, est, s, out);
    return 0;
}

/* ---- text ------------------------------------------------------------------ */

/* "pass", "inconclusive", or "halt: over 8%" naming the line it crossed. */
static void verdict_text(const struct median_shift_result *r, char *buf, size_t len)
{
    if (r->outcome == MEDIAN_SHIFT_HALT)
        snprintf(buf, len, "halt: over %g%%", r->threshold_pct);
    else
        snprintf(buf, len, "%s", median_shift_outcome_name(r->outcome));
}

int median_shift_format(const struct median_shift_result *r, const struct median_shift_labels *l,
                        char *buf, size_t len)
{
    char shift[32] = "", interval[64] = "", medians[96] = "", verdict[48];
    if (!isnan(r->shift_pct))
        snprintf(shift, sizeof shift, " %+.1f%%", r->shift_pct);
    if (r->has_interval)
        snprintf(interval, sizeof interval, " [%+.1f%%, %+.1f%%]", r->lower_pct, r->upper_pct);
    if (r->stable_n > 0 && r->candidate_n > 0)
        snprintf(medians, sizeof medians, ", medians %.0f and %.0f %s", r->candidate_median,
                 r->stable_median, l->unit);
    verdict_text(r, verdict, sizeof verdict);
    return snprintf(buf, len, "%s%s%s over %s%s (%zu and %zu %s): %s", l->candidate, shift,
                    interval, l->stable, medians, r->candidate_n, r->stable_n, l->samples,
                    verdict);
}

/* ---- probing policy ---------------------------------------------------------- */

int median_shift_policy_check(const struct median_shift_policy *p, char *err, size_t errlen)
{
    if (!(p->steady_interval_s > 0 && isfinite(p->steady_interval_s))) {
        snprintf(err, errlen, "steady probe interval %g s is not positive", p->steady_interval_s);
        return -1;
    }
    if (!(p->burst_rate > 0 && p->burst_rate <= 100)) {
        snprintf(err, errlen, "burst rate %g probes/s is not in (0, 100]", p->burst_rate);
        return -1;
    }
    if (p->burst_max == 0 || p->burst_max > MEDIAN_SHIFT_MAX_SAMPLES / 2) {
        snprintf(err, errlen, "burst max %u is not in [1, %d]", p->burst_max,
                 MEDIAN_SHIFT_MAX_SAMPLES / 2);
        return -1;
    }
    return 0;
}

double median_shift_burst_interval_s(const struct median_shift_policy *p)
{
    return 1.0 / p->burst_rate;
}

double median_shift_burst_budget_s(const struct median_shift_policy *p)
{
    return (double)p->burst_max / p->burst_rate;
}

bool median_shift_keep_bursting(const struct median_shift_policy *p,
                                enum median_shift_outcome verdict, unsigned sent)
{
    return verdict == MEDIAN_SHIFT_INCONCLUSIVE && sent < p->burst_max;
}

/* median_shift: is a candidate sample's median confidently more than a
 * threshold over a stable sample's? A generic two-sample comparison of
 * positive values (latencies, say): it knows nothing of colors, probes or
 * the signal; the caller names the samples when it asks for the text.
 *
 * Method: the shift is estimated on log values, so it is a ratio (a percent)
 * whatever the scale: the Hodges-Lehmann estimate is the median of all n*m
 * pairwise differences log(candidate) - log(stable), and its confidence
 * interval is a pair of order statistics of those differences, picked by the
 * Mann-Whitney (Wilcoxon rank-sum) distribution in its normal approximation.
 * Distribution-free (no normality assumed, an outlier moves it by one rank),
 * exact for a pure shift, and the same as Kayenta's canary judge.
 *
 * Outcomes (thr = the threshold in percent, c = catch_factor):
 *   HALT          the interval's lower bound is over thr;
 *   PASS          not HALT, and the interval is narrow enough that a
 *                 regression of c*thr would have been halted: its estimate
 *                 minus the lower half-width of this interval would clear
 *                 thr (log(1+c*thr) - (est - lower) >= log(1+thr));
 *   INCONCLUSIVE  neither yet, or fewer than min_samples on a side.
 * So PASS needs evidence (a narrow enough interval), never just the absence
 * of a HALT, and a step is let through only on PASS.
 *
 * Ownership: nothing is allocated. The samples are read, never kept (they are
 * copied into a bounded stack buffer to sort); results are plain values.
 * Pure and deterministic: the same samples in any order give the same result. */
#ifndef CUTOVER_CORE_MEDIAN_SHIFT_H
#define CUTOVER_CORE_MEDIAN_SHIFT_H

#include <stdbool.h>
#include <stddef.h>

/* Per sample; more is an error (the sort copies live on the stack: 2 x 8 KiB). */
#define MEDIAN_SHIFT_MAX_SAMPLES 1024
#define MEDIAN_SHIFT_TEXT 200

enum median_shift_outcome {
    MEDIAN_SHIFT_INCONCLUSIVE,
    MEDIAN_SHIFT_PASS,
    MEDIAN_SHIFT_HALT,
};
/* "inconclusive", "pass", "halt" */
const char *median_shift_outcome_name(enum median_shift_outcome o);

struct median_shift_settings {
    double confidence;      /* two-sided, of the interval shown and halted on: 0.98 */
    double catch_factor;    /* PASS once a regression of this many thresholds would halt: 2.5 */
    size_t min_samples;     /* per sample, below it: INCONCLUSIVE: 40 (the first looks,
                               on few values, are where repeated looks halt wrongly) */
};
#define MEDIAN_SHIFT_SETTINGS_DEFAULT { .confidence = 0.98, .catch_factor = 2.5, .min_samples = 40 }

/* 0, or -1 with a message naming the bad setting. */
int median_shift_settings_check(const struct median_shift_settings *s, char *err, size_t errlen);

struct median_shift_result {
    enum median_shift_outcome outcome;
    size_t stable_n, candidate_n;
    double stable_median, candidate_median;   /* NAN for an empty sample */
    double threshold_pct;                     /* as passed */
    double shift_pct;        /* candidate's median relative to stable's: +10 = 10% slower; NAN if a side is empty */
    bool has_interval;       /* false when too few samples for one at this confidence */
    double lower_pct, upper_pct;              /* the interval; NAN without one */
    double catchable_pct;    /* the smallest regression this interval would halt at its
                                estimate; PASS needs it <= catch_factor * threshold; NAN without an interval */
};

/* Compares candidate[0..m) with stable[0..n) against threshold_pct (> 0).
 * Returns 0 and fills *out, or -1 with a message when an input is bad (a
 * value not finite and > 0, more than MEDIAN_SHIFT_MAX_SAMPLES, bad
 * settings); empty samples are fine (INCONCLUSIVE). */
int median_shift_compare(const double *stable, size_t n, const double *candidate, size_t m,
                         double threshold_pct, const struct median_shift_settings *s,
                         struct median_shift_result *out, char *err, size_t errlen);

/* Names for the text: the samples' labels ("blue", "green"), the values'
 * unit ("ms") and what one sample is ("probes"). */
struct median_shift_labels {
    const char *stable, *candidate, *unit, *samples;
};

/* One line, e.g. "green +3.1% [-4.2%, +11.0%] over blue, medians 826 and
 * 801 ms (17 and 18 probes): inconclusive". Returns the length snprintf would
 * have written (the text is cut to fit len). */
int median_shift_format(const struct median_shift_result *r, const struct median_shift_labels *l,
                        char *buf, size_t len);

/* ---- probing policy: shared by the engine and bench/bench_decisions ----- */

/* At steady state each sample (color) is probed once per steady_interval_s.
 * When a decision is asked for and the verdict is INCONCLUSIVE, both are
 * probed alternately, burst_rate probes per second each, until the verdict
 * is decided or burst_max burst probes have been sent to each. */
struct median_shift_policy {
    double steady_interval_s;   /* 10 */
    double burst_rate;          /* probe.burst_rate: 6 per second per color */
    unsigned burst_max;         /* probe.burst_max: 360 per color (60 s at 6/s) */
};
#define MEDIAN_SHIFT_POLICY_DEFAULT { .steady_interval_s = 10.0, .burst_rate = 6.0, .burst_max = 360 }

/* 0, or -1 with a message naming the bad setting. */
int median_shift_policy_check(const struct median_shift_policy *p, char *err, size_t errlen);
/* Seconds between two burst probes to one color. */
double median_shift_burst_interval_s(const struct median_shift_policy *p);
/* The longest a decision can burst: burst_max / burst_rate. */
double median_shift_burst_budget_s(const struct median_shift_policy *p);
/* Send another burst probe to a color that has had `sent` of them for this
 * decision? Only while undecided and within the budget. */
bool median_shift_keep_bursting(const struct median_shift_policy *p,
                                enum median_shift_outcome verdict, unsigned sent);

#endif

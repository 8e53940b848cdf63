/* bench_decisions: how often the TTFT verdict (core/median_shift) is right,
 * and how long and how many probes it takes, on simulated probe streams.
 * Each trial is one step asked for at t = 0: the window already holds the
 * steady probes (one per steady interval per color), then both colors are
 * burst-probed alternately at the policy's rate, each result arriving its
 * TTFT after it was sent, the verdict re-evaluated as results arrive (every
 * arrival, or every --eval-every seconds like an engine tick), until it is
 * decided or the budget is spent and the last result is in. TTFT is
 * lognormal, median 800 ms for the stable color. Not part of `make check`.
 *
 * Usage: bench_decisions [--trials N] [--seed S] [--rate R] [--max M]
 *          [--confidence C] [--catch F] [--min N] [--window S]
 *          [--eval-every S] [--sigma X] [--slower P] */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/median_shift.h"

#define MEDIAN_MS 800.0
#define MAX_PENDING 1024

struct bench_opts {
    int trials;
    uint64_t seed;
    double window_s, eval_every_s, sigma_only, slower_only;
    struct median_shift_policy policy;
    struct median_shift_settings settings;
};

/* ---- a seeded generator: the same seed gives the same table ---------------- */

static uint64_t rng_next(uint64_t *s)     /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *s)    /* in (0, 1) */
{
    return ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_lognormal(uint64_t *s, double median, double sigma)
{
    double u = rng_uniform(s), v = rng_uniform(s);
    double z = sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);   /* Box-Muller */
    return median * exp(sigma * z);
}

/* ---- one trial ---------------------------------------------------------------- */

struct color_stream {
    double median;
    double samples[MEDIAN_SHIFT_MAX_SAMPLES];
    size_t n;
    unsigned sent;          /* burst probes sent */
    double next_send;
};

struct trial {
    struct color_stream c[2];            /* 0 stable, 1 candidate */
    double pending_at[MAX_PENDING];      /* arrival time of an in-flight probe */
    double pending_ms[MAX_PENDING];
    int pending_color[MAX_PENDING];
    size_t pending;
    enum median_shift_outcome verdict;
    double t;
};

struct trial_end {
    enum median_shift_outcome verdict;
    double time_s;
    unsigned probes;        /* burst probes sent, both colors */
};

static void evaluate(const struct bench_opts *o, struct trial *tr)
{
    struct median_shift_result r;
    char err[160];
    if (median_shift_compare(tr->c[0].samples, tr->c[0].n, tr->c[1].samples, tr->c[1].n, 8.0,
                             &o->settings, &r, err, sizeof err) < 0) {
        fprintf(stderr, "bench_decisions: %s\n", err);
        exit(1);
    }
    tr->verdict = r.outcome;
}

static void trial_start(const struct bench_opts *o, struct trial *tr, double sigma,
                        double slower, uint64_t *rng)
{
    size_t steady = (size_t)(o->window_s / o->policy.steady_interval_s);
    double gap = median_shift_burst_interval_s(&o->policy);
    memset(tr, 0, sizeof *tr);
    for (int k = 0; k < 2; k++) {
        struct color_stream *c = &tr->c[k];
        c->median = MEDIAN_MS * (k == 1 ? 1.0 + slower / 100.0 : 1.0);
        for (; c->n < steady; c->n++)
            c->samples[c->n] = rng_lognormal(rng, c->median, sigma);
        c->next_send = k * gap / 2;      /* alternate: the candidate half a gap later */
    }
    evaluate(o, tr);
}

static void send_probe(const struct bench_opts *o, struct trial *tr, int k, double sigma,
                       uint64_t *rng)
{
    struct color_stream *c = &tr->c[k];
    double ms = rng_lognormal(rng, c->median, sigma);
    tr->pending_at[tr->pending] = c->next_send + ms / 1000.0;
    tr->pending_ms[tr->pending] = ms;
    tr->pending_color[tr->pending++] = k;
    c->sent++;
    c->next_send += median_shift_burst_interval_s(&o->policy);
}

static size_t earliest_pending(const struct trial *tr)
{
    size_t best = 0;
    for (size_t i = 1; i < tr->pending; i++)
        if (tr->pending_at[i] < tr->pending_at[best])
            best = i;
    return best;
}

static void arrive(struct trial *tr, size_t i)
{
    struct color_stream *c = &tr->c[tr->pending_color[i]];
    c->samples[c->n++] = tr->pending_ms[i];
    tr->t = tr->pending_at[i];
    tr->pending--;
    tr->pending_at[i] = tr->pending_at[tr->pending];
    tr->pending_ms[i] = tr->pending_ms[tr->pending];
    tr->pending_color[i] = tr->pending_color[tr->pending];
}

/* The color whose burst probe is due first, -1 when neither is bursting. */
static int next_color(const struct bench_opts *o, const struct trial *tr)
{
    int best = -1;
    for (int k = 0; k < 2; k++)
        if (median_shift_keep_bursting(&o->policy, tr->verdict, tr->c[k].sent)
            && (best < 0 || tr->c[k].next_send < tr->c[best].next_send))
            best = k;
    return best;
}

/* The next event: a send (while the policy keeps bursting), an arrival, or
 * an engine tick (with --eval-every) that evaluates what has arrived. */
static struct trial_end trial_run(const struct bench_opts *o, double sigma, double slower,
                                  uint64_t *rng, struct trial *tr)
{
    trial_start(o, tr, sigma, slower, rng);
    double next_tick = o->eval_every_s;
    bool dirty = false;
    for (;;) {
        if (tr->verdict != MEDIAN_SHIFT_INCONCLUSIVE)
            break;
        int k = next_color(o, tr);
        double send_at = k >= 0 ? tr->c[k].next_send : INFINITY;
        size_t p = earliest_pending(tr);
        double arrive_at = tr->pending > 0 ? tr->pending_at[p] : INFINITY;
        double tick_at = dirty && o->eval_every_s > 0 ? next_tick : INFINITY;
        if (isinf(send_at) && isinf(arrive_at) && isinf(tick_at))
            break;                                   /* budget spent, all in */
        if (send_at <= arrive_at && send_at <= tick_at) {
            send_probe(o, tr, k, sigma, rng);
        } else if (arrive_at <= tick_at) {
            arrive(tr, p);
            if (o->eval_every_s > 0) {
                dirty = true;
                while (next_tick < tr->t)
                    next_tick += o->eval_every_s;
            } else {
                evaluate(o, tr);
            }
        } else {
            tr->t = next_tick;
            evaluate(o, tr);
            dirty = false;
        }
    }
    if (dirty)
        evaluate(o, tr);                             /* the last results, at the end */
    return (struct trial_end){ tr->verdict, tr->t, tr->c[0].sent + tr->c[1].sent };
}

/* ---- a case: many trials --------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i];
}

static void run_case(const struct bench_opts *o, double sigma, double slower)
{
    static struct trial tr;
    double *times = calloc((size_t)o->trials, sizeof *times);
    double *probes = calloc((size_t)o->trials, sizeof *probes);
    if (times == NULL || probes == NULL) {
        fprintf(stderr, "bench_decisions: out of memory\n");
        exit(1);
    }
    uint64_t rng = o->seed ^ (uint64_t)(sigma * 1000) << 20 ^ (uint64_t)(slower * 10);
    int count[3] = { 0, 0, 0 };
    for (int i = 0; i < o->trials; i++) {
        struct trial_end e = trial_run(o, sigma, slower, &rng, &tr);
        count[e.verdict]++;
        times[i] = e.time_s;
        probes[i] = e.probes;
    }
    double n = o->trials;
    printf("| %.2f | %+3.0f%% | %5.1f%% | %5.1f%% | %5.1f%% | **%5.1f%%** | %4.0f s | %4.0f s | %3.0f |\n",
           sigma, slower, 100.0 * count[MEDIAN_SHIFT_PASS] / n,
           100.0 * count[MEDIAN_SHIFT_HALT] / n, 100.0 * count[MEDIAN_SHIFT_INCONCLUSIVE] / n,
           100.0 * (count[MEDIAN_SHIFT_HALT] + count[MEDIAN_SHIFT_INCONCLUSIVE]) / n,
           quantile(times, (size_t)o->trials, 0.5), quantile(times, (size_t)o->trials, 0.95),
           quantile(probes, (size_t)o->trials, 0.5));
    fflush(stdout);
    free(times);
    free(probes);
}

/* ---- options ------------------------------------------------------------------------ */

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i];
        double v = strtod(argv[i + 1], NULL);
        if (strcmp(k, "--trials") == 0) o->trials = (int)v;
        else if (strcmp(k, "--seed") == 0) o->seed = (uint64_t)v;
        else if (strcmp(k, "--rate") == 0) o->policy.burst_rate = v;
        else if (strcmp(k, "--max") == 0) o->policy.burst_max = (unsigned)v;
        else if (strcmp(k, "--confidence") == 0) o->settings.confidence = v;
        else if (strcmp(k, "--catch") == 0) o->settings.catch_factor = v;
        else if (strcmp(k, "--min") == 0) o->settings.min_samples = (size_t)v;
        else if (strcmp(k, "--window") == 0) o->window_s = v;
        else if (strcmp(k, "--eval-every") == 0) o->eval_every_s = v;
        else if (strcmp(k, "--sigma") == 0) o->sigma_only = v;
        else if (strcmp(k, "--slower") == 0) o->slower_only = v;
        else {
            fprintf(stderr, "bench_decisions: unknown option %s\n", k);
            return -1;
        }
    }
    if (argc % 2 == 0) {
        fprintf(stderr, "bench_decisions: %s wants a value\n", argv[argc - 1]);
        return -1;
    }
    char err[160];
    if (o->trials < 1 || median_shift_policy_check(&o->policy, err, sizeof err) < 0
        || median_shift_settings_check(&o->settings, err, sizeof err) < 0) {
        fprintf(stderr, "bench_decisions: %s\n", o->trials < 1 ? "--trials must be >= 1" : err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts o = {
        .trials = 2000, .seed = 1, .window_s = 60, .eval_every_s = 0,
        .sigma_only = -1, .slower_only = -1,
        .policy = MEDIAN_SHIFT_POLICY_DEFAULT, .settings = MEDIAN_SHIFT_SETTINGS_DEFAULT,
    };
    if (parse_opts(argc, argv, &o) < 0)
        return 2;
    static const double sigmas[] = { 0.2, 0.35, 0.5 }, slower[] = { 0, 5, 10, 20, 30 };
    printf("threshold 8%%, confidence %.3g, catch %.3gx, min %zu; steady 1 per %.0f s "
           "(%.0f s window), burst %.3g/s per color, max %u (%.0f s); %s; %d trials, seed %llu\n\n",
           o.settings.confidence, o.settings.catch_factor, o.settings.min_samples,
           o.policy.steady_interval_s, o.window_s, o.policy.burst_rate, o.policy.burst_max,
           median_shift_burst_budget_s(&o.policy),
           o.eval_every_s > 0 ? "evaluated each tick" : "evaluated on every arrival", o.trials,
           (unsigned long long)o.seed);
    printf("| sigma | slower | pass | halt | inconclusive at end | refused | median time | p95 time | median probes |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof sigmas / sizeof *sigmas; i++)
        for (size_t j = 0; j < sizeof slower / sizeof *slower; j++)
            if ((o.sigma_only < 0 || fabs(o.sigma_only - sigmas[i]) < 1e-9)
                && (o.slower_only < 0 || fabs(o.slower_only - slower[j]) < 1e-9))
                run_case(&o, sigmas[i], slower[j]);
    return 0;
}

/* metric: the signals cutover watches, one row each in metric_table[]:
 * its keys in every wire format (the status/snapshot object, the series
 * row of snapshots and timelines, the export file, Prometheus), its unit,
 * how a second and the window aggregate it, how the chart draws it and
 * which guard reads it. Every consumer iterates the table; none names a
 * signal. Adding a signal is adding a row here (see docs/architecture.md,
 * "The signal table").
 *
 * Why "metric" and not "signal": <signal.h> owns signal(), sig_atomic_t
 * and sigset_t, and C reserves every macro that starts with SIG and a
 * capital letter, so SIGNAL_* constants would sit in its namespace.
 *
 * Ownership: the table is static const data. Pure. The JSON every wire
 * format shares is written from it by core/metric_json.h. */
#ifndef CUTOVER_CORE_METRIC_H
#define CUTOVER_CORE_METRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct window_second;
struct window_stats;

/* In table order, which is the order of the status object, the export
 * file's columns, Prometheus and the chart's strips. */
enum metric_id {
    METRIC_CONNECTIONS,
    METRIC_REQUESTS,
    METRIC_STATUS_5XX,
    METRIC_HEADER,
    METRIC_TTFT,
    METRIC_PROBES,
    METRIC_PROBE_ERRORS,
    METRIC_GW_FAILURES,     /* in-stream failures the gateway's own log records */
    METRIC_FAILURES,        /* 5xx + in-stream failures: what the failure guards read */
    METRIC_COUNT
};

/* How a second and the window aggregate a signal. */
enum metric_kind {
    METRIC_SUM,         /* a count: a second sums its events, the window its seconds */
    METRIC_GAUGE,       /* a level: the newest reading wins; unknown until one came */
    METRIC_LATENCY      /* a histogram: p50/p95/p99 of the second and of the window */
};

enum metric_unit {
    METRIC_UNIT_COUNT,
    METRIC_UNIT_MS      /* kept in microseconds, shown and written in ms */
};

/* How the chart draws a signal: one strip per drawn signal. */
enum metric_draw {
    METRIC_DRAW_NONE,
    METRIC_DRAW_PEAK,   /* a bucket of seconds shows its worst one, so a spike
                           survives a 1 h span */
    METRIC_DRAW_RATIO   /* a bucket pools its counts: 100 * sum / sum(ratio_of) */
};

struct metric {
    enum metric_kind kind;
    enum metric_unit unit;
    /* JSON keys. status_key: the per-color status/snapshot object (a
     * number, or {"p50","p95","p99"} for a latency; null while unknown).
     * row_key: the column of the per-second series rows (a latency's
     * window p95 at the second's close); row_col its position after
     * "sec" (the rows' order predates the table, so it is said here). */
    const char *status_key;
    const char *row_key;
    int row_col;
    /* A SUM that is also read as a fraction of another SUM: the ratio's
     * status key ("ratio_5xx"; "<ratio_key>_window" in the export file). */
    const char *ratio_key;
    enum metric_id ratio_of;
    /* Its name in a sentence ("green failures 12.2% (5xx 0.4% + ...)"). */
    const char *label;
    /* A SUM that also counts the events of other SUMs (the failures: 5xx
     * and in-stream): window_add() adds a sample's parts to it, so every
     * reader sees one count. n_parts 0: fed by its sources alone. */
    enum metric_id parts[2];
    int n_parts;
    /* The export file's column (NULL: not exported); a SUM is written as
     * its total since the server started. */
    const char *export_key;
    /* Prometheus: a GAUGE a gauge, a SUM a counter, a LATENCY a histogram
     * in seconds (each second's samples counted at that second's p95).
     * NULL: not exported. */
    const char *prom_name;
    const char *prom_help;
    /* The chart strip: its title over the legend, a 4-letter tag when the
     * strip has no legend row, the smallest top of its scale. */
    enum metric_draw draw;
    int chart_strip;            /* its place, top first from 1 (the table's order is
                                   the wire formats'; the chart's is said here) */
    const char *chart_title;
    const char *chart_tag;
    double chart_min_max;
    /* A LATENCY's column in the text of `cutover status` (its window p95);
     * NULL: not shown there. */
    const char *status_title;
    /* `cutover report`: report_key in its JSON (a GAUGE as {"avg","max"},
     * a SUM as its total (and its ratio), a LATENCY's window p95 as
     * {"last","max"}); report_title its Markdown column and report_help
     * how the column reads. NULL: not in the report (or no column). */
    const char *report_key;
    const char *report_title;
    const char *report_help;
    /* The guards that read it (core/guards.h rule names, space-separated),
     * NULL: none. */
    const char *guard;
    /* A SUM's per-second count in the window's packed history saturates
     * at 2^history_bits - 1 (24: 16.7 M a second; 8 for probe counts). */
    int history_bits;
    /* A LATENCY exported to Prometheus: its samples in one second are the
     * SUM samples_of less the SUM failures_of (each second's samples are
     * counted at that second's own p95). */
    enum metric_id samples_of, failures_of;
};

/* What one event (a log line's attempt, a probe, a socket count) brings;
 * its source fills it and window_add() takes it. */
struct metric_sample {
    bool has[METRIC_COUNT];
    int64_t value[METRIC_COUNT];    /* SUM: to add; LATENCY: one sample, us;
                                       GAUGE: the reading */
};

/* Sets signal id of s to v (has[id] true). */
void metric_sample_set(struct metric_sample *s, enum metric_id id, int64_t v);
/* Adds the parts s has into each row that counts them (.parts), so a
 * source sets only what it saw. */
void metric_sample_add_parts(struct metric_sample *s);

extern const struct metric metric_table[METRIC_COUNT];

/* The latency a guard judges from its samples (the one METRIC_LATENCY row
 * with a .guard), METRIC_COUNT when none: a source keeps its raw values for
 * that guard's rank test. */
enum metric_id metric_guarded_latency(void);

/* ---- the series row ("fields":["sec",...], see core/metric_json.h) -------- */

/* Columns in a row: "sec" and one per signal. */
#define METRIC_ROW_COLS (METRIC_COUNT + 1)

/* A series row's cell of signal id: counts as they are, the gauge -1 when
 * unknown, latencies in ms (0: no samples). */
double metric_row_value(enum metric_id id, const struct window_second *s);

/* A LATENCY's own numbers in a closed second (not the window's): returns
 * how many samples the second had and sets *p95_us to their p95 (0 for a
 * latency the window does not count per second). */
uint32_t metric_second_own(enum metric_id id, const struct window_second *s, uint32_t *p95_us);

/* ---- the window's numbers ------------------------------------------------- */

/* The window's value: a SUM's count, a GAUGE's level, a LATENCY's p95 in
 * ms. False when it is unknown (a gauge never set, a latency without
 * samples). */
bool metric_stats_value(enum metric_id id, const struct window_stats *w, double *out);
/* A SUM with a ratio: its fraction over the window; false without any of
 * the ratio_of count. */
bool metric_stats_ratio(enum metric_id id, const struct window_stats *w, double *out);
/* num / den, at most 1 (den > 0): a ratio's two counts may come from two
 * logs read a second apart (a failure is in nginx's and in the gateway's),
 * so the failures can outnumber the requests, and all of them failed is the
 * most there is. */
double metric_capped_ratio(double num, double den);

#endif

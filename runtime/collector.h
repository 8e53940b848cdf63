/* collector: the three signals per color, gathered on one libuv loop. It
 * tails the access log (each upstream attempt counted for the color that
 * served it) and each color's gateway log (its in-stream failures,
 * core/gwlog.h), counts established connections to each color's port
 * every second, and probes each color with streaming chats; everything lands in
 * one core/window. The server runs one for its whole life; a one-shot
 * `cutover status --sample S` runs one for S seconds.
 *
 * Ownership: collector_start keeps a pointer to cfg (it must outlive the
 * collector); collector_stop closes every handle and frees the collector
 * once the loop has run the close callbacks. */
#ifndef CUTOVER_RUNTIME_COLLECTOR_H
#define CUTOVER_RUNTIME_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "core/config.h"
#include "core/guards.h"
#include "core/sample_ring.h"
#include "core/window.h"

struct collector_options {
    bool tail;                 /* follow nginx.access_log */
    bool probes;               /* probe both colors every probe.interval_s */
    bool sockets;              /* count connections every second */
    uint64_t backfill_bytes;   /* read this much of the log's end at start */
};

/* Per color, over the window, plus what the window does not keep. */
struct collector_color {
    struct window_stats win;
    uint64_t probe_errors_by_kind[8];   /* indexed by enum probe_outcome */
    /* The guarded latency (metric_guarded_latency()) of every successful
     * probe sent in the window, in ms, oldest first: the verdict's input. */
    double probe_ms[SAMPLE_RING_CAP];
    size_t probe_n;
    unsigned probe_fail_streak;         /* this color's latest probes that failed in a row */
    char last_probe_error[200];         /* "" when none yet; never a header value */
    /* Its gateway log (colors.<c>.log_file): "following", "waiting",
     * "failing", "off"; lines read, failures found (of them, cutover's own
     * probes', which the failure ratio leaves out: probes never pass nginx),
     * lines not understood. */
    char gw_log_state[32];
    uint64_t gw_lines, gw_failures, gw_probe_failures, gw_malformed;
};

/* One recent failure: an upstream attempt answered >= 500, a failed probe,
 * or a user request the gateway's log says failed inside its 200 stream.
 * Kept so an operator can chase it in the color's log: by its request id
 * or run id when it has one, else by its time. Rows reach watchers,
 * snapshots and recordings: nothing in one is a gateway log line's text. */
#define COLLECTOR_FAILURES 20
enum collector_failure_kind { FAILURE_5XX, FAILURE_PROBE, FAILURE_STREAM };

struct collector_failure {
    double time;                        /* unix seconds: when it ended (a probe), was
                                           logged (5xx) or read (stream) */
    int color;                          /* enum color */
    enum collector_failure_kind kind;
    int status;                         /* HTTP status; 0 when none came */
    char path[128];                     /* 5xx: the request's path */
    char rid[72];                       /* 5xx: the request id, "" when none */
    char run[72];                       /* probe: the stream's chatcmpl_ id, "" when none */
    char detail[200];                   /* probe: "outcome: message"; stream: the
                                           rule that matched, never the line */
};

struct collector_snapshot {
    double at;                          /* when it was taken (unix seconds) */
    struct collector_color color[COLOR_COUNT];
    uint64_t log_lines, malformed_total, other_attempts;
    char log_state[32];                 /* "following", "waiting", "failing", "off" */
    char log_error[256];
    char sockets_impl[16];              /* "procnet", "lsof", "off" */
    char sockets_error[256];
    int n_failures;                     /* failure[0] is the newest */
    struct collector_failure failure[COLLECTOR_FAILURES];
};

struct collector;

/* Returns 0, or -1 with msg (a backend could not start). A backend that
 * fails later (log missing, lsof gone) is reported in the snapshot instead. */
int collector_start(uv_loop_t *loop, const struct config *cfg,
                    const struct collector_options *opt, struct collector **out,
                    char *msg, size_t msglen);
void collector_snapshot(struct collector *c, struct collector_snapshot *out);
/* The snapshot's probes as the step guards read them (pointing into it). */
void collector_guards_probes(const struct collector_snapshot *s,
                             struct guards_probes out[COLOR_COUNT]);
const struct window *collector_window(const struct collector *c);
void collector_stop(struct collector *c);

/* Extra probe rounds (both colors each time) at `rate` a second, at most
 * `max` of them, while a step's verdict is undecided. A new burst restarts
 * the count. Returns 0, or -1 with msg (no probes running, bad rate). */
int collector_burst_start(struct collector *c, double rate, unsigned max, char *msg,
                          size_t msglen);
void collector_burst_stop(struct collector *c);
/* Whether a burst is running; rounds sent of the budget, when asked. */
bool collector_bursting(const struct collector *c, unsigned *sent, unsigned *max);

/* Wall clock in unix seconds: the time every sample is stamped with. */
double collector_now(void);

#endif

/* model: what the console knows, built from the server's messages
 * ({"hello"}, {"snapshot"}, {"event"}; see core/protocol.h). Panels only read
 * it. model_new() allocates the whole model once (the per-color series ring
 * of MODEL_SERIES_S seconds is ~0.5 MB); applying a message never allocates
 * beyond cJSON's own parse, so a long session cannot grow. The caller owns
 * the model and frees it with model_free(). Time is passed in. */
#ifndef CUTOVER_VIEW_MODEL_H
#define CUTOVER_VIEW_MODEL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/color.h"
#include "core/metric.h"

#define MODEL_SERIES_S 3600  /* the longest chart span: 1 h */
#define MODEL_MARKERS 64
#define MODEL_EVENTS 40      /* >= the server's ENGINE_EVENTS_KEPT, so dedup holds */
#define MODEL_GUARDS 8
#define MODEL_FAILURES 20    /* the server's COLLECTOR_FAILURES */
#define MODEL_STALE_S 3.0    /* older snapshots are shown with their age */

/* One second of one color, as the server's series rows carry it: v[id] is
 * signal id's cell (core/metric.h). Values the server did not know are
 * negative (a gauge -1), and a windowed p95 of 0 means "no samples"; a row
 * without a column reads 0 (a gauge -1). */
struct model_point {
    int64_t sec;        /* the slot holds data only when sec matches */
    double v[METRIC_COUNT];
};

/* One signal of one color in the snapshot's status object. */
struct model_value {
    bool has;           /* false: the server sent null or nothing */
    double v;           /* the count or level; a latency's p95 */
    double p50, p95, p99;   /* a latency, ms */
    double ratio;       /* a SUM with a ratio_key: a fraction, 0..1, over the window */
};

struct model_signal {
    struct model_value value[METRIC_COUNT];
    char last_probe_error[160];
};

struct model_marker {
    double time;
    int after[COLOR_COUNT];         /* weights after the reload, -1 unknown */
    char version[48];               /* candidate_version, "" unknown */
    char action[24];                /* "shift", "rollback", ... */
    char what[112];                 /* what happened, when the server moved alone
                                       ("auto-rollback: green 5xx 2.80% vs ..."); "" else */
};

struct model_event {
    double time;
    char user[32];
    char action[24];
    int before[COLOR_COUNT];
    int after[COLOR_COUNT];
    char candidate[8];
    char version[48];
    char outcome[24];
    char error[1200];               /* the reason or nginx's text, whole (a preflight
                                       failure runs long) */
};

struct model_guard {
    char name[16];
    char level[12];                 /* "ok", "watching", "tripped" */
    char text[512];                 /* whole: core/guards.h's GUARDS_TEXT */
};

struct model_control {
    char state[8];                  /* "free", "held", "grace" */
    char text[200];                 /* the server's one-line description */
    char holder_user[32];
    double holder_since;            /* 0 when free */
    long holder_client_id;          /* -1 when free: compare with hello.client_id */
    double grace_until;             /* 0 unless state is "grace" */
};

struct model_hello {
    bool have;
    long server_pid;
    char state_dir[256];
    long client_id;                 /* who the server says we are */
    bool may_control;
    char control[200];
};

/* A recent 5xx from the access log, a failed probe, or an in-stream
 * failure the gateway's log names, newest first. */
struct model_failure {
    double time;
    int color;                      /* a color or COLOR_NONE */
    char kind[8];                   /* "5xx", "probe" or "stream" */
    int status;
    char path[128];
    char rid[72];                   /* "" when none */
    char run[72];                   /* a probe's chatcmpl_ run id, "" when none */
    char detail[200];
};

/* An interrupted move the server found (the snapshot's "reconcile"):
 * moves wait until `cutover reconcile --apply` or `--restore`. */
struct model_reconcile {
    bool have;
    bool interrupted;               /* it comes from a move that did not finish */
    bool may_apply;                 /* reloading the file stays within one step */
    double since;                   /* the first snapshot that carried it */
    int confirmed[COLOR_COUNT];     /* what nginx was last confirmed to run */
    int file[COLOR_COUNT];          /* what the upstream file holds */
    char text[700];                 /* what happened and what resolves it, whole */
};

struct model {
    struct model_hello hello;
    bool have_snapshot;
    double seq;
    double at;                      /* the snapshot's time (server clock) */
    bool weights_known;
    int weight[COLOR_COUNT];
    char weights_error[200];
    int stable;                     /* a color or COLOR_NONE */
    int candidate;
    char phase[16];
    char stable_unknown[200];
    bool busy;
    char busy_text[200];            /* "deciding the step: 18/360 probe rounds, ..." */
    struct model_control control;
    int clients;
    double window_s;
    struct model_signal signal[COLOR_COUNT];
    bool have_guards;
    int guard_count;
    struct model_guard guard[MODEL_GUARDS];
    double dwell_remaining_s;
    char drain[16];
    int old_workers_draining;       /* nginx workers from before the last reload
                                       still finishing streams; -1 unknown */
    bool auto_rollback;
    struct model_reconcile reconcile;
    int failure_count;              /* failure[0] is the newest */
    struct model_failure failure[MODEL_FAILURES];

    /* Private to model.c: read through the functions below. */
    struct model_point series[COLOR_COUNT][MODEL_SERIES_S];
    int64_t newest_sec;             /* newest second merged, 0 before any */
    int marker_count;               /* sorted oldest first */
    struct model_marker markers[MODEL_MARKERS];
    int event_count;                /* sorted newest first */
    struct model_event events[MODEL_EVENTS];
};

enum model_msg {
    MODEL_MSG_ERROR = -1,           /* not JSON, or not an object */
    MODEL_MSG_OTHER = 0,            /* reply, error, unknown: ignored here */
    MODEL_MSG_HELLO,
    MODEL_MSG_SNAPSHOT,
    MODEL_MSG_EVENT
};

struct model *model_new(void);
void model_free(struct model *m);
/* Forgets everything (a new server, say). */
void model_reset(struct model *m);

/* Applies one decoded message; returns which kind it was. A snapshot's
 * missing or mistyped fields leave defaults, never fail. */
enum model_msg model_apply(struct model *m, const cJSON *msg);
/* Same, from one line of text (no newline needed). On MODEL_MSG_ERROR err
 * says why. */
enum model_msg model_apply_line(struct model *m, const char *line, size_t len, char *err,
                                size_t errlen);

/* Seconds since the snapshot was taken (a large number before any). */
double model_age(const struct model *m, double now);
/* True when the numbers must not be shown as live (> MODEL_STALE_S). */
bool model_stale(const struct model *m, double now);

/* The second `sec` of color c, or NULL when no row for it was received
 * (never sent, a gap, or older than MODEL_SERIES_S before the newest). */
const struct model_point *model_point_at(const struct model *m, enum color c, int64_t sec);
/* The newest second merged into the series (0 before any). */
int64_t model_newest_sec(const struct model *m);

/* True for what the server journaled on its own (an auto-rollback, an
 * alarm, the stop that follows): its actors are named "cutover (...)". */
bool model_event_by_server(const struct model_event *ev);

/* One journal event object ({"time","user","action",...}) decoded; missing
 * fields are empty, unknown weights -1. */
void model_decode_event(const cJSON *j, struct model_event *ev);

/* The first sentence of an auto-rollback's or alarm's reason: the server
 * writes "green 5xx 2.80% vs blue 0.00% for 180 s (+2.80 points, limit
 * 0.5)", and a chart label takes the part before " (". */
void model_reason_short(const char *reason, char *buf, size_t len);

/* Reload markers, i = 0 the oldest. */
int model_marker_count(const struct model *m);
const struct model_marker *model_marker_get(const struct model *m, int i);

/* The row of the failures list that is f (the same time, color, kind, rid
 * and run id), or -1 once it has left the list. Rows come newest first, so
 * a new failure moves every row down: the console follows the operator's
 * row by what it is, not by its place. */
int model_failure_find(const struct model *m, const struct model_failure *f);

/* Journal events, i = 0 the newest. */
int model_event_count(const struct model *m);
const struct model_event *model_event_get(const struct model *m, int i);

#endif

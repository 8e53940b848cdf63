/* balancer: the seam between cutover and the load balancer that splits the
 * traffic between the colors. Everything above backends/ (the mover, the
 * engine, the collector, the CLI) reads the weights, applies new ones and
 * follows the old workers through one const table of functions, and reads
 * neutral outcomes; only an implementation knows its balancer's files and
 * commands. nginx (balancer_nginx*.c) is the first and only one; what a
 * second one implements is written in docs/architecture.md ("The balancer
 * seam").
 *
 * Every function takes the config it works from; the config must outlive
 * an apply. An apply owns copies of everything else it is given and frees
 * itself after the done callback returns. */
#ifndef CUTOVER_BACKENDS_BALANCER_H
#define CUTOVER_BACKENDS_BALANCER_H

#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

#include "core/color.h"
#include "core/config.h"

/* How an apply or a reload ended. The journal names them (balancer_outcome_name),
 * and those names are a contract: replays and reports read them. */
enum balancer_outcome {
    BALANCER_OK = 0,
    BALANCER_WRITE_FAILED,      /* could not write the new config: nothing changed */
    BALANCER_REJECTED,          /* the balancer's validation refused it: old config restored */
    BALANCER_RESTORE_FAILED,    /* refused AND the old bytes could not be put back */
    BALANCER_RELOAD_FAILED,     /* the reload command failed; the new config stays */
    BALANCER_NOT_CONFIRMED      /* reload sent but no new workers appeared */
};

#define BALANCER_MAX_WORKERS 256

/* Some workers of one balancer process: after a reload, the old ones still
 * finishing their streams (they exit when the last one ends). */
struct balancer_workers {
    pid_t master;               /* 0: none tracked */
    int n;
    pid_t pid[BALANCER_MAX_WORKERS];
};

struct balancer_report {
    enum balancer_outcome outcome;
    char message[4096];         /* the balancer's own text on failure; a summary on success */
    pid_t master_pid;           /* 0 when unknown */
    int new_workers;            /* workers born by this reload */
    int old_workers_draining;   /* workers from before still alive (open streams) */
    struct balancer_workers draining;  /* which they are, to follow them afterwards */
};

typedef void (*balancer_done_cb)(const struct balancer_report *rep, void *data);

/* One balancer. Fallible functions return 0, or -1 (ERRCODE_IO) with a
 * one-line message in msg. */
struct balancer_ops {
    const char *name;           /* "nginx": names it to the operator ("nginx said: ...") */
    /* The access-log format it must be told to write, as a line of its own
     * config: core/logparse reads exactly these fields. */
    const char *log_format;
    /* What the operator reads when validation refused new weights, and the
     * note added when a reload failed after validation passed. */
    const char *rejected_text;
    const char *kept_note;
    /* The weights the balancer really has (read back, not remembered). */
    int (*read_weights)(const struct config *cfg, int weight[COLOR_COUNT], char *msg,
                        size_t msglen);
    /* When those weights were written (seconds since the epoch), for the
     * dwell guard; 0 when unknown. */
    double (*weights_since)(const struct config *cfg);
    /* The balancer's config text for new weights; malloc'd, or NULL with msg
     * (a config that cannot express them: nothing touched). */
    char *(*render)(const struct config *cfg, const int weight[COLOR_COUNT], char *msg,
                    size_t msglen);
    /* Writes text atomically, validates it (restoring the old bytes when
     * refused), reloads, confirms by new workers. Returns 0 (cb called once,
     * later, from the loop) or negative with msg (cb not called). */
    int (*apply)(uv_loop_t *loop, const struct config *cfg, const char *text,
                 balancer_done_cb cb, void *data, char *msg, size_t msglen);
    /* Validates and reloads the config as it stands (the console's `r`). */
    int (*reload)(uv_loop_t *loop, const struct config *cfg, balancer_done_cb cb, void *data,
                  char *msg, size_t msglen);
    /* Drops the workers that have exited and returns how many remain. Cheap
     * enough for once a second. */
    int (*workers_left)(struct balancer_workers *w);
    /* The access log it writes, which the collector tails. */
    const char *(*access_log)(const struct config *cfg);
};

/* The balancer a config drives (today always nginx; cfg may be NULL for the
 * default). Never NULL. */
const struct balancer_ops *balancer_of(const struct config *cfg);

/* "ok", "write-failed", "test-failed", "restore-failed", "reload-failed",
 * "reload-not-applied": the journal's words, whatever the balancer. */
const char *balancer_outcome_name(enum balancer_outcome o);

/* What an outcome means to the caller: 0 for BALANCER_OK, else a negative
 * code of core/errcode.h (rejected, reload, or a plain I/O failure). */
int balancer_outcome_err(enum balancer_outcome o);

extern const struct balancer_ops balancer_nginx_ops;

#endif

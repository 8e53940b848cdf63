/* mover: the one path by which cutover changes nginx's weights, for the
 * server (asynchronous, on its loop) and for one-shot commands (the _run
 * forms turn the loop until done). A move: record the stable color, ask the
 * candidate's version, write + nginx -t + reload + confirm (backends/nginx),
 * journal the attempt with who asked, save the rollout state.
 *
 * Ownership: a move copies what it needs from its arguments; the config must
 * outlive it. The done callback's result is valid during the call only. */
#ifndef CUTOVER_SERVER_MOVER_H
#define CUTOVER_SERVER_MOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include "backends/nginx.h"
#include "core/config.h"
#include "core/rollout.h"

/* Who asked: goes into every journal line. */
struct mover_actor {
    const char *user;
    const char *ssh_client;     /* NULL or "" when local */
};

struct mover_current {
    int weight[COLOR_COUNT];    /* percents read back from the upstream file */
    struct rollout_state state; /* as saved in state_dir */
    bool stable_known;          /* false only at 50/50 with no state and none named */
    enum color stable;
    enum color candidate;
    char why_unknown[256];
};

struct mover_result {
    int exit_code;              /* enum exit_code */
    enum nginx_outcome outcome;
    int before[COLOR_COUNT], after[COLOR_COUNT];
    char summary[512];          /* one line for the operator */
    char warnings[512];         /* journal/state/version trouble; "" if none */
    char nginx_message[4096];   /* nginx's (or the stop command's) own text when it
                                   failed; show it in full beside the summary */
    struct nginx_workers draining;  /* old workers still finishing streams */
};

typedef void (*mover_done_cb)(const struct mover_result *r, void *data);

/* Reads the upstream file and the saved state. `named` is --stable or
 * COLOR_NONE. Returns an exit code; msg says why on failure. */
int mover_read_current(const struct config *cfg, int named, struct mover_current *cur,
                       char *msg, size_t msglen);

/* backends/nginx's parameters from the config: the one place that maps them. */
void mover_nginx_params(const struct config *cfg, struct nginx_params *p);

/* When the weights nginx has were written: the upstream file's mtime (every
 * move renames a new file into place), for the dwell. 0 when unknown. */
double mover_weights_since(const struct config *cfg);

/* Weights after a shift (+/- delta, or absolute candidate weight). Returns
 * EXIT_OK, EXIT_REFUSED (at an end) or EXIT_USAGE (off the step grid). */
int mover_plan_shift(const struct config *cfg, const struct mover_current *cur, bool absolute,
                     int amount, int after[COLOR_COUNT], char *msg, size_t msglen);

/* Starts a move to `after`. Returns 0 (cb called once, later) or an exit code
 * with msg (cb not called). action: "shift", "rollback". */
int mover_apply(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                const struct mover_current *cur, const int after[COLOR_COUNT],
                const char *action, mover_done_cb cb, void *data, char *msg, size_t msglen);

/* Runs the candidate's stop command (after a rollback), journaling it. */
int mover_stop_candidate(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                         const struct mover_current *cur, mover_done_cb cb, void *data,
                         char *msg, size_t msglen);

/* Journals an event that moved no weight (a refusal, a control change). */
void mover_journal(const struct config *cfg, const struct mover_actor *who,
                   const struct mover_current *cur, const char *action, const char *outcome,
                   const char *error);

/* Blocking forms for one-shot commands. */
void mover_apply_run(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                     const struct mover_current *cur, const int after[COLOR_COUNT],
                     const char *action, struct mover_result *out);
void mover_stop_candidate_run(uv_loop_t *loop, const struct config *cfg,
                              const struct mover_actor *who, const struct mover_current *cur,
                              struct mover_result *out);

#endif

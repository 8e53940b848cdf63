/* mover: the one path by which cutover changes the balancer's weights, for
 * the server (asynchronous, on its loop) and for one-shot commands (the _run
 * forms turn the loop until done). A move: record the stable color, ask the
 * candidate's version, journal the intent (core/intent: before/after, who,
 * why), render + apply (write, validate, reload, confirm: backends/balancer's
 * table), journal the outcome, save the rollout state. No reload moves the
 * balancer more than one step from the weights it was last confirmed to
 * run, save everything back to the stable color. Fallible functions return 0 or a negative code of
 * core/errcode.h with a message.
 *
 * Ownership: a move copies what it needs from its arguments; the config must
 * outlive it. The done callback's result is valid during the call only. */
#ifndef CUTOVER_RUNTIME_MOVER_H
#define CUTOVER_RUNTIME_MOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include "backends/balancer.h"
#include "core/config.h"
#include "core/intent.h"
#include "core/rollout.h"

/* Who asked: goes into every journal line. */
struct mover_actor {
    const char *user;
    const char *ssh_client;     /* NULL or "" when local */
    const char *reason;         /* why, for a move's intent; NULL when none given */
};

struct mover_current {
    int weight[COLOR_COUNT];    /* percents read back from the balancer */
    struct rollout_state state; /* as saved in state_dir */
    bool stable_known;          /* false only at 50/50 with no state and none named */
    enum color stable;
    enum color candidate;
    char why_unknown[256];
    /* The journal's last move and what it means for the file: whether a
     * move was interrupted, what the balancer was last confirmed to run. */
    struct intent_last last;
    struct intent_reconcile rec;
};

struct mover_result {
    int status;                 /* 0 or a negative errcode */
    enum balancer_outcome outcome;
    int before[COLOR_COUNT], after[COLOR_COUNT];
    char summary[512];          /* one line for the operator */
    char warnings[512];         /* journal/state/version trouble; "" if none */
    char detail[4096];          /* the balancer's (or the stop command's) own text when
                                   it failed; show it in full beside the summary */
    struct balancer_workers draining;  /* old workers still finishing streams */
};

typedef void (*mover_done_cb)(const struct mover_result *r, void *data);

/* Reads the balancer's weights and the saved state. `named` is --stable or
 * COLOR_NONE. Returns 0, or ERRCODE_IO with msg. */
int mover_read_current(const struct config *cfg, int named, struct mover_current *cur,
                       char *msg, size_t msglen);

/* When the weights the balancer has were written, for the dwell. 0 when
 * unknown. */
double mover_weights_since(const struct config *cfg);

/* May `action` start now? A shift waits while the balancer's file and its
 * confirmed weights disagree (rec.verdict == INTENT_RECONCILE); rollback,
 * restore and reload may run (the first is the safe direction, the others
 * resolve it). Returns 0, or ERRCODE_REFUSED with msg naming the commands. */
int mover_may_move(const struct mover_current *cur, const char *action, char *msg,
                   size_t msglen);

/* Weights after a shift (+/- delta, or absolute candidate weight). Returns
 * 0, ERRCODE_REFUSED (at an end) or ERRCODE_USAGE (off the step grid). */
int mover_plan_shift(const struct config *cfg, const struct mover_current *cur, bool absolute,
                     int amount, int after[COLOR_COUNT], char *msg, size_t msglen);

/* Starts a move to `after`. Returns 0 (cb called once, later) or a negative
 * errcode with msg (cb not called). action: "shift", "rollback". */
int mover_apply(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                const struct mover_current *cur, const int after[COLOR_COUNT],
                const char *action, mover_done_cb cb, void *data, char *msg, size_t msglen);

/* Validates and reloads the balancer's file as it stands (the console's
 * `r`, `cutover reconcile --apply`), under the same intent, outcome and
 * one-step rule as a move. Returns like mover_apply. */
int mover_reload(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                 const struct mover_current *cur, mover_done_cb cb, void *data, char *msg,
                 size_t msglen);

/* Runs the candidate's stop command (after a rollback), journaling it. */
int mover_stop_candidate(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                         const struct mover_current *cur, mover_done_cb cb, void *data,
                         char *msg, size_t msglen);

/* Journals "interrupted" for an intent found without its outcome (a
 * no-op when there is none): moves do it themselves; a reconcile and the
 * server's start do it for an intent that never touched the file. */
void mover_close_interrupted(const struct config *cfg, const struct mover_current *cur);

/* Journals an event that moved no weight (a refusal, a control change). */
void mover_journal(const struct config *cfg, const struct mover_actor *who,
                   const struct mover_current *cur, const char *action, const char *outcome,
                   const char *error);

/* Blocking forms for one-shot commands. */
void mover_apply_run(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                     const struct mover_current *cur, const int after[COLOR_COUNT],
                     const char *action, struct mover_result *out);
void mover_reload_run(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                      const struct mover_current *cur, struct mover_result *out);
void mover_stop_candidate_run(uv_loop_t *loop, const struct config *cfg,
                              const struct mover_actor *who, const struct mover_current *cur,
                              struct mover_result *out);

#endif

/* intent: what the journal says about the last move, and what to do when
 * one did not finish. A move journals its intent (before/after, who, why)
 * before the balancer's file is written and its outcome once the reload is
 * confirmed or failed; both lines carry the weights the balancer is
 * confirmed to run. From the newest such line and the weights the file holds
 * now, this module decides: nothing to do, close an intent that never
 * touched the file, or reconcile (apply the file, or restore the confirmed
 * one) before anything else moves. It also holds the one-step rule every
 * reload obeys. Pure: time and the file's weights are passed in. */
#ifndef CUTOVER_CORE_INTENT_H
#define CUTOVER_CORE_INTENT_H

#include <stdbool.h>
#include <stddef.h>
#include "core/color.h"
#include "core/journal.h"

/* The newest journal line carrying a move id, digested. */
struct intent_last {
    bool known;                 /* false: no move line (an older journal, or none) */
    bool pending;               /* an intent without its outcome */
    char move_id[40];
    char move[24];              /* what was attempted: "shift", "rollback", ... */
    char user[64];
    char reason[200];
    char outcome[32];           /* "" while pending */
    double time;
    int before[COLOR_COUNT], after[COLOR_COUNT];
    int nginx[COLOR_COUNT];     /* confirmed to run after that line; -1 unknown */
};

/* ev: the newest line with a move id, or NULL when there is none. */
void intent_last_from_event(const struct journal_event *ev, struct intent_last *out);

/* The weights the balancer is confirmed to run after a move's outcome:
 * the new ones when it went through, else those from before (a refused
 * file is restored, a failed or unconfirmed reload left the old config
 * running). */
void intent_confirmed_after(const char *outcome, const int before_nginx[COLOR_COUNT],
                            const int after[COLOR_COUNT], int out[COLOR_COUNT]);

enum intent_verdict {
    INTENT_CLEAR = 0,           /* the file is what the balancer was confirmed to run */
    INTENT_CLOSE,               /* an intent never touched the file: journal it, go on */
    INTENT_RECONCILE            /* the file and the confirmed weights differ */
};

struct intent_reconcile {
    enum intent_verdict verdict;
    bool pending;               /* the difference comes from an interrupted move */
    int confirmed[COLOR_COUNT]; /* what the balancer was last confirmed to run */
    int file[COLOR_COUNT];      /* what its file holds now */
    bool may_apply;             /* reloading the file stays within one step */
    char text[700];             /* what happened and what resolves it, one line */
};

/* Decides for `last`, the weights the file holds, the stable color (or
 * COLOR_NONE) and the step. `balancer` names it ("nginx"), `now` is the
 * time. */
void intent_decide(const struct intent_last *last, const int file[COLOR_COUNT], int stable,
                   int step, const char *balancer, double now, struct intent_reconcile *out);

/* The one-step rule: a reload may move the balancer from `confirmed` to
 * `after` when no color moves more than `step` points, or when everything
 * goes back to the stable color (the safe direction: rollback). Returns 0,
 * or -1 with msg. */
int intent_check_step(const int confirmed[COLOR_COUNT], const int after[COLOR_COUNT], int stable,
                      int step, const char *balancer, char *msg, size_t msglen);

/* The command that resolves a reconcile: "cutover reconcile --apply" etc. */
#define INTENT_CMD_APPLY "cutover reconcile --apply"
#define INTENT_CMD_RESTORE "cutover reconcile --restore"

#endif

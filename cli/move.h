/* move: read what nginx really has, and move the weights the safe way
 * (render, write atomically, nginx -t, reload, confirm), journaling every
 * attempt and keeping the rollout state. Used by shift and rollback. */
#ifndef CUTOVER_CLI_MOVE_H
#define CUTOVER_CLI_MOVE_H

#include <stdbool.h>
#include "cli/app.h"
#include "core/rollout.h"

struct move_current {
    int weight[COLOR_COUNT];    /* percents read back from the upstream file */
    struct rollout_state state; /* as saved in state_dir */
    bool stable_known;          /* false only at 50/50 with no state and none named */
    enum color stable;
    enum color candidate;
    char why_unknown[256];      /* why stable_known is false */
};

/* Reads the upstream file and the saved state. `named` is --stable (or
 * COLOR_NONE). Returns EXIT_OK, or an exit code after printing the reason. */
int move_read_current(struct app *app, int named, struct move_current *cur);

/* Moves the weights to `after`: runs the candidate's version command for the
 * journal, applies, journals (action, outcome, nginx's text) and saves the
 * state. Prints one line saying what happened. Returns an exit code. */
int move_apply(struct app *app, const struct move_current *cur,
               const int after[COLOR_COUNT], const char *action);

/* Journals an event that moved no weight: a refusal, a stop command.
 * error may be NULL. */
void move_journal(struct app *app, const struct move_current *cur, const char *action,
                  const char *outcome, const char *error);

#endif

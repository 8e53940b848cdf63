/* rollout: which color is stable and which is the candidate, the phase names,
 * and the next step's weights. Pure: callers load and store the state.
 * Weights are percents indexed by color and sum to 100. */
#ifndef CUTOVER_CORE_ROLLOUT_H
#define CUTOVER_CORE_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>
#include "core/color.h"

/* What is kept in state_dir between runs. */
struct rollout_state {
    bool known;            /* false: no state file yet */
    enum color stable;     /* the color at 100 when this cutover began */
    bool completed;        /* the last cutover reached 100 on its candidate */
    double since;          /* when `stable` was set (unix seconds) */
};

enum rollout_phase {
    PHASE_STEADY,          /* stable at 100 */
    PHASE_CANARY,          /* candidate at the first step (10) */
    PHASE_HALF,            /* 50/50 */
    PHASE_COMPLETE,        /* the cutover just completed: the new stable at 100 */
    PHASE_RAMP             /* any other weight on the way */
};

/* Decides the stable color for the weights nginx really has.
 * A color at 100 is stable. Otherwise the saved state decides; without one
 * the heavier color is stable, and at an even split `named` must name it
 * (COLOR_NONE: returns -1 and explains in err). */
int rollout_resolve_stable(const int weight[COLOR_COUNT], const struct rollout_state *st,
                           int named, enum color *stable_out, char *err, size_t errlen);

enum rollout_phase rollout_phase(const int weight[COLOR_COUNT], enum color stable,
                                 const struct rollout_state *st, int step);
const char *rollout_phase_name(enum rollout_phase p);

/* Weights after moving the candidate by `delta` points (+ toward the candidate,
 * - toward stable). Off-grid weights snap to the next multiple of step in that
 * direction. Returns 0, or -1 with err when already at that end. */
int rollout_step(const int weight[COLOR_COUNT], enum color stable, int delta, int step,
                 int out[COLOR_COUNT], char *err, size_t errlen);

/* Weights with the candidate at `candidate_weight` (a multiple of step, 0..100).
 * Returns 0, or -1 with err. */
int rollout_set(enum color stable, int candidate_weight, int step,
                int out[COLOR_COUNT], char *err, size_t errlen);

/* State after weights move from `before` to `after` at time now: a color
 * reaching 100 becomes stable (completed when it was the candidate). */
struct rollout_state rollout_after_move(const struct rollout_state *st, enum color stable,
                                        const int after[COLOR_COUNT], double now);

/* JSON for the state file, and back. */
char *rollout_state_encode(const struct rollout_state *st);
int rollout_state_decode(const char *json, struct rollout_state *out, char *err, size_t errlen);

#endif

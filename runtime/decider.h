/* decider: a step's verdict, waited for. A step toward the candidate whose
 * only refusal waits on more probes (GUARDS_REFUSED_SAMPLES: the latency verdict) probes
 * both colors in a burst (probe.burst_rate rounds a second, at most
 * probe.burst_max) and is judged again four times a second, until the
 * guards decide (allowed, or refused with the numbers), the budget is spent
 * (refused, and the text says it stayed undecided) or the caller cancels.
 * The server and the direct CLI both wait on it, so a step is decided the
 * same way with or without a server.
 *
 * Ownership: the decider keeps pointers to cfg, the collector and gp (they
 * must outlive it). It frees itself after `done` has been called, once its
 * timer is closed: the caller must not use it after `done`. */
#ifndef CUTOVER_RUNTIME_DECIDER_H
#define CUTOVER_RUNTIME_DECIDER_H

#include <stddef.h>
#include <uv.h>
#include "core/config.h"
#include "core/guards.h"
#include "runtime/collector.h"

enum decider_outcome {
    DECIDER_DECIDED,        /* the guards decided: step->allowed says which way */
    DECIDER_BUDGET_SPENT,   /* still undecided after the burst: refused */
    DECIDER_CANCELLED       /* decider_cancel */
};

struct decider;

/* `text` is one line for a status line: "deciding the step: 18/240 probe
 * rounds, green +3.1% [-4.2%, +11.0%] (limit 8%)". */
typedef void (*decider_progress_cb)(const char *text, void *data);
/* The last verdict; its text says why when refused (valid during the call). */
typedef void (*decider_done_cb)(enum decider_outcome outcome, const struct guards_step *step,
                                void *data);

struct decider_request {
    const struct config *cfg;
    struct collector *collector;
    const struct guards_params *gp;
    enum color stable;
    int before[COLOR_COUNT], after[COLOR_COUNT];
    double since;                    /* when the current weights were set */
    unsigned burst_max;              /* rounds to burst at most (probe.burst_max; 0: judge
                                        once, no burst) */
    decider_progress_cb progress;    /* may be NULL */
    decider_done_cb done;
    void *data;
};

/* Starts judging at once (`done` may be called on the loop's next turn at
 * the earliest). Returns 0, or -1 with msg. */
int decider_start(uv_loop_t *loop, const struct decider_request *req, struct decider **out,
                  char *msg, size_t msglen);
/* Stops the burst and calls `done` with DECIDER_CANCELLED. */
void decider_cancel(struct decider *d);

/* Whether a verdict waits only on more probes (what starts a decider). */
bool decider_needed(const struct guards_step *step);

#endif

/* sample: the live signals for a one-shot command. Runs a collector on the
 * app's loop for a few seconds (reading back the access log's last window
 * first) and takes one snapshot, then stops it. */
#ifndef CUTOVER_CLI_SAMPLE_H
#define CUTOVER_CLI_SAMPLE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include "cli/app.h"
#include "core/guards.h"
#include "runtime/collector.h"

/* Returns EXIT_OK, or an exit code after printing why. */
int sample_signals(struct app *app, double seconds, struct collector_snapshot *snap);

/* Samples `seconds` (0: none), then judges a step toward the candidate as
 * runtime/decider does: with `burst`, a verdict waiting on probes bursts
 * probes until it is decided or the budget is spent, with progress on
 * stderr; without (a forced step), it is judged once. Fills *out with the
 * last verdict. Returns EXIT_OK, or an exit code after printing why it
 * could not judge. */
int sample_decide_step(struct app *app, double seconds, bool burst,
                       const struct guards_params *gp, enum color stable,
                       const int before[COLOR_COUNT], const int after[COLOR_COUNT], double since,
                       struct guards_step *out);

/* The snapshot as the "signals" object of `status --json`. */
cJSON *sample_to_json(const struct collector_snapshot *snap, int window_s, double sampled_s);

#endif

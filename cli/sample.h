/* sample: the live signals for a one-shot command. Runs a collector on the
 * app's loop for a few seconds (reading back the access log's last window
 * first) and takes one snapshot, then stops it. */
#ifndef CUTOVER_CLI_SAMPLE_H
#define CUTOVER_CLI_SAMPLE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include "cli/app.h"
#include "runtime/collector.h"

/* Returns EXIT_OK, or an exit code after printing why. */
int sample_signals(struct app *app, double seconds, struct collector_snapshot *snap);

/* The snapshot as the "signals" object of `status --json`. */
cJSON *sample_to_json(const struct collector_snapshot *snap, int window_s, double sampled_s);

#endif

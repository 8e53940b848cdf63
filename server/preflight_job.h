/* preflight_job: the blocking preflight checks (backends/preflight) run on
 * libuv's thread pool, each job on a loop of its own, so the server's loop
 * keeps serving while nginx -T, lsof and the probes run. The config is only
 * read, and must outlive the job. The callback runs on the caller's loop. */
#ifndef CUTOVER_SERVER_PREFLIGHT_JOB_H
#define CUTOVER_SERVER_PREFLIGHT_JOB_H

#include <stdbool.h>
#include <uv.h>
#include "backends/preflight.h"
#include "core/config.h"

typedef void (*preflight_job_cb)(const struct preflight_report *r, void *data);

/* loopback_only: the check the runbook repeats after every shift; else all
 * of them (before the first step of a cutover). Returns 0 or a libuv error. */
int preflight_job_start(uv_loop_t *loop, const struct config *cfg, bool loopback_only,
                        preflight_job_cb cb, void *data);

#endif

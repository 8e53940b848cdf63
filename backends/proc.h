/* proc: a color's stop/start/version commands, run as argument arrays with a
 * timeout (never through a shell). */
#ifndef CUTOVER_BACKENDS_PROC_H
#define CUTOVER_BACKENDS_PROC_H

#include <stddef.h>
#include <uv.h>

/* Runs argv and waits for it. Returns 0 when it exited 0, else -1 with msg
 * ("stop green: exit 3: <its stderr's first line>"). An empty argv (argv
 * NULL or argv[0] NULL) returns 1: nothing configured. */
int proc_run(uv_loop_t *loop, const char *what, char *const argv[], int timeout_ms,
             char *msg, size_t msglen);

/* Runs the version command and keeps the first line of its stdout, trimmed.
 * Returns 0, 1 when no command is configured (out = ""), or -1 with msg. */
int proc_version(uv_loop_t *loop, char *const argv[], int timeout_ms,
                 char *out, size_t outlen, char *msg, size_t msglen);

#endif

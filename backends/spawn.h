/* spawn: run a child process on the libuv loop from an argument array (never a
 * shell), capture its stdout and stderr, and kill it when it overstays its
 * timeout (SIGTERM, then SIGKILL 1 s later). One struct spawn per child; it
 * frees itself after the done callback returns. */
#ifndef CUTOVER_BACKENDS_SPAWN_H
#define CUTOVER_BACKENDS_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct spawn_result {
    bool started;          /* false: could not exec (error says why) */
    bool timed_out;
    int exit_status;       /* valid when started and term_signal == 0 */
    int term_signal;
    char *out;             /* stdout, NUL-terminated, capped at 64 KiB */
    size_t out_len;
    char *err;             /* stderr, NUL-terminated, capped at 64 KiB */
    size_t err_len;
    char error[256];       /* why it did not start, or "timed out after N ms" */
};

/* true when the child ran and exited 0. */
bool spawn_succeeded(const struct spawn_result *r);

/* The result's buffers are freed after the callback returns: copy what you keep. */
typedef void (*spawn_done_cb)(const struct spawn_result *r, void *data);

/* Starts argv[0] (searched in PATH) with argv. env_extra, when not NULL, is a
 * NULL-terminated list of "KEY=value" added to this process's environment.
 * timeout_ms <= 0 means no timeout. Once the child has exited, output still
 * held open by a grandchild (a daemon) is waited for at most 0.5 s.
 * Callers should ignore SIGPIPE (the children's pipes can close under them).
 * Returns 0 (cb will be called exactly once, from the loop) or a negative
 * libuv error with msg filled (cb will not be called). */
int spawn_start(uv_loop_t *loop, char *const argv[], char *const env_extra[],
                int timeout_ms, spawn_done_cb cb, void *data, char *msg, size_t msglen);

/* Runs the child and turns the loop until it is done; for one-shot commands.
 * The caller frees the result with spawn_result_clear(). Always fills r. */
void spawn_run(uv_loop_t *loop, char *const argv[], char *const env_extra[],
               int timeout_ms, struct spawn_result *r);
void spawn_result_clear(struct spawn_result *r);

/* "exit 1", "killed by signal 9", "timed out after 5000 ms", "not started: ..." */
void spawn_describe(const struct spawn_result *r, char *buf, size_t buflen);

#endif

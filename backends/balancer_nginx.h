/* balancer_nginx: the nginx implementation of backends/balancer.h, for its
 * own files (balancer_nginx.c, balancer_nginx_ops.c) and its tests only.
 * An apply, on the libuv loop:
 *   1. keep the current bytes, write the new file atomically (old one -> .prev);
 *   2. run the test command (nginx -t); on failure put the old bytes back
 *      atomically and report nginx's own message;
 *   3. run the reload command (nginx -s reload), then confirm the reload by the
 *      master's workers changing (pid file, then `pgrep -P master`), and count
 *      the old workers still finishing their streams.
 * An apply owns copies of everything it is given; it frees itself after the
 * done callback returns. */
#ifndef CUTOVER_BACKENDS_BALANCER_NGINX_H
#define CUTOVER_BACKENDS_BALANCER_NGINX_H

#include "backends/balancer.h"

struct nginx_params {
    const char *upstream_file;
    char *const *test_argv;     /* NULL-terminated */
    char *const *reload_argv;   /* NULL-terminated */
    const char *pid_file;
    int reload_confirm_ms;      /* how long to wait for the workers to change */
    int command_timeout_ms;     /* for each child process */
};

/* The parameters from the config: the one place that maps them. */
void nginx_params_from_config(const struct config *cfg, struct nginx_params *p);

/* Writes new_text to the upstream file, tests, reloads, confirms.
 * Returns 0 (cb called once, later) or -1 with msg (cb not called). */
int nginx_apply(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                balancer_done_cb cb, void *data, char *msg, size_t msglen);

/* Tests and reloads the file as it stands. */
int nginx_reload_current(uv_loop_t *loop, const struct nginx_params *p,
                         balancer_done_cb cb, void *data, char *msg, size_t msglen);

/* Blocking forms (turn the loop until done), for the tests. */
void nginx_apply_run(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                     struct balancer_report *rep);
void nginx_reload_current_run(uv_loop_t *loop, const struct nginx_params *p,
                              struct balancer_report *rep);

/* Drops the workers that have exited (or are no longer the master's
 * children, so a reused pid is not counted) and returns how many remain.
 * Reads /proc where it can, else asks kill(pid, 0). */
int nginx_workers_still_running(struct balancer_workers *w);

#endif

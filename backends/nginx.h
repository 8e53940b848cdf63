/* nginx: apply a new upstream file the safe way, on the libuv loop:
 *   1. keep the current bytes, write the new file atomically (old one -> .prev);
 *   2. run the test command (nginx -t); on failure put the old bytes back
 *      atomically and report nginx's own message;
 *   3. run the reload command (nginx -s reload), then confirm the reload by the
 *      master's workers changing (pid file, then `pgrep -P master`), and count
 *      the old workers still finishing their streams.
 * An apply owns copies of everything it is given; it frees itself after the
 * done callback returns. */
#ifndef CUTOVER_BACKENDS_NGINX_H
#define CUTOVER_BACKENDS_NGINX_H

#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

struct nginx_params {
    const char *upstream_file;
    char *const *test_argv;     /* NULL-terminated */
    char *const *reload_argv;   /* NULL-terminated */
    const char *pid_file;
    int reload_confirm_ms;      /* how long to wait for the workers to change */
    int command_timeout_ms;     /* for each child process */
};

enum nginx_outcome {
    NGINX_OK = 0,
    NGINX_WRITE_FAILED,         /* could not write the file: nothing changed */
    NGINX_TEST_FAILED,          /* nginx -t refused it: old file restored */
    NGINX_RESTORE_FAILED,       /* test failed AND the old bytes could not be put back */
    NGINX_RELOAD_FAILED,        /* the reload command failed */
    NGINX_RELOAD_NOT_APPLIED    /* reload sent but no new workers appeared */
};

#define NGINX_MAX_WORKERS 256

/* Some workers of one nginx master: after a reload, the old ones still
 * finishing their streams (they exit when the last one ends). */
struct nginx_workers {
    pid_t master;               /* 0: none tracked */
    int n;
    pid_t pid[NGINX_MAX_WORKERS];
};

struct nginx_report {
    enum nginx_outcome outcome;
    char message[4096];         /* nginx's own text on failure; a summary on success */
    pid_t master_pid;           /* 0 when unknown */
    int new_workers;            /* workers born by this reload */
    int old_workers_draining;   /* workers from before still alive (open streams) */
    struct nginx_workers draining;  /* which they are, to follow them afterwards */
};

typedef void (*nginx_done_cb)(const struct nginx_report *rep, void *data);

/* Writes new_text to the upstream file, tests, reloads, confirms.
 * Returns 0 (cb called once, later) or -1 with msg (cb not called). */
int nginx_apply(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                nginx_done_cb cb, void *data, char *msg, size_t msglen);

/* Tests and reloads the file as it stands (the console's `r`). */
int nginx_reload_current(uv_loop_t *loop, const struct nginx_params *p,
                         nginx_done_cb cb, void *data, char *msg, size_t msglen);

/* Blocking forms for one-shot commands: turn the loop until done. */
void nginx_apply_run(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                     struct nginx_report *rep);
void nginx_reload_current_run(uv_loop_t *loop, const struct nginx_params *p,
                              struct nginx_report *rep);

const char *nginx_outcome_name(enum nginx_outcome o);

/* Drops the workers that have exited (or are no longer the master's
 * children, so a reused pid is not counted) and returns how many remain.
 * Reads /proc where it can, else asks kill(pid, 0): cheap enough for once a
 * second. */
int nginx_workers_still_running(struct nginx_workers *w);

#endif

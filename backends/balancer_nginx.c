/* balancer_nginx: one apply is a small state machine on the loop:
 *   old workers (pid file + pgrep) -> write -> test -> reload -> confirm.
 * Each arrow is a child process finishing (spawn callback) or the poll
 * timer firing. The apply owns copies of its parameters and one timer; the
 * done callback runs from the timer's close callback, so nothing of ours is
 * left on the loop when it fires. */
#include "backends/balancer_nginx.h"
#include "backends/children.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "backends/atomicfile.h"
#include "backends/spawn.h"

#define POLL_MS 100
/* nginx's master waits 100 ms after starting new workers before it tells the
 * old ones to quit, and idle ones then exit at once: counting old workers at
 * the first sight of new ones would count idle workers as draining. */
#define SETTLE_MS 500
#define MAX_PIDS BALANCER_MAX_WORKERS

struct pidset {
    pid_t pid[MAX_PIDS];
    int n;
};

enum stage { ST_OLD_WORKERS, ST_TEST, ST_RELOAD, ST_CONFIRM, ST_SETTLE };

struct apply {
    uv_loop_t *loop;
    uv_timer_t timer;
    char fast_out[MAX_PIDS * 12 + 1];  /* children read without pgrep, as pgrep prints them */
    spawn_done_cb fast_cb;
    char *upstream_file, *pid_file, *new_text;  /* new_text NULL: reload only */
    char **test_argv, **reload_argv;
    int confirm_ms, timeout_ms;
    enum stage stage;
    char *old_bytes;            /* the file before our write; NULL when missing */
    size_t old_len;
    bool wrote;
    bool have_old_pids;
    char pid_error[512];        /* why the pid file could not be read */
    struct pidset old;
    struct pidset seen;         /* the children when the new workers appeared */
    uint64_t confirm_start;
    balancer_done_cb cb;
    void *data;
    struct balancer_report rep;
};

/* ---- copies of the caller's parameters ---- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s != NULL ? s : "");
    if (d == NULL)
        abort();                /* out of memory */
    return d;
}

static char **argv_dup(char *const *argv)
{
    size_t n = 0;
    while (argv[n] != NULL)
        n++;
    char **d = calloc(n + 1, sizeof *d);
    if (d == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        d[i] = xstrdup(argv[i]);
    return d;
}

static void argv_free(char **argv)
{
    for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
        free(argv[i]);
    free(argv);
}

static void apply_free(struct apply *a)
{
    free(a->upstream_file);
    free(a->pid_file);
    free(a->new_text);
    free(a->old_bytes);
    argv_free(a->test_argv);
    argv_free(a->reload_argv);
    free(a);
}

/* ---- finishing ---- */

static void on_timer_closed(uv_handle_t *h)
{
    struct apply *a = h->data;
    a->cb(&a->rep, a->data);
    apply_free(a);
}

static void finish(struct apply *a, enum balancer_outcome o)
{
    a->rep.outcome = o;
    uv_timer_stop(&a->timer);
    uv_close((uv_handle_t *)&a->timer, on_timer_closed);
}

/* Trimmed copy of s (surrounding whitespace dropped) into the report. */
static void set_message_trimmed(struct apply *a, const char *prefix, const char *s)
{
    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    int n = (int)strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    snprintf(a->rep.message, sizeof a->rep.message, "%s%.*s", prefix, n, s);
}

/* nginx writes its diagnostics to stderr; fall back to stdout, then to how
 * the child ended (timed out, not started, killed). */
static void child_text(const struct spawn_result *r, char *buf, size_t buflen)
{
    const char *text = r->err_len > 0 ? r->err : r->out;
    while (*text != '\0' && isspace((unsigned char)*text))
        text++;
    if (r->started && !r->timed_out && *text != '\0') {
        int n = (int)strlen(text);
        while (n > 0 && isspace((unsigned char)text[n - 1]))
            n--;
        snprintf(buf, buflen, "%.*s", n, text);
        return;
    }
    char how[320];
    spawn_describe(r, how, sizeof how);
    if (*text != '\0')
        snprintf(buf, buflen, "%s: %s", how, text);
    else
        snprintf(buf, buflen, "%s", how);
}

/* ---- pids: the master from the pid file, its children from pgrep ---- */

static int read_master(struct apply *a, pid_t *out)
{
    char *text = NULL;
    size_t len = 0;
    char msg[256];
    if (atomicfile_read(a->pid_file, &text, &len, msg, sizeof msg) != 0) {
        snprintf(a->pid_error, sizeof a->pid_error, "%s: %s", a->pid_file, strerror(errno));
        return -1;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    bool ok = errno == 0 && end != text && v > 0 && (pid_t)v == v;
    free(text);
    if (!ok) {
        snprintf(a->pid_error, sizeof a->pid_error, "%s: no process id in it", a->pid_file);
        return -1;
    }
    *out = (pid_t)v;
    a->rep.master_pid = *out;
    return 0;
}

/* pgrep prints one pid a line; exit 1 means "none", which is an answer. */
static int parse_pgrep(const struct spawn_result *r, struct pidset *set)
{
    set->n = 0;
    if (!r->started || r->timed_out || r->term_signal != 0 || r->exit_status > 1)
        return -1;
    const char *p = r->out;
    while (*p != '\0' && set->n < MAX_PIDS) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        set->pid[set->n++] = (pid_t)v;
        p = end;
    }
    return 0;
}

static bool pidset_has(const struct pidset *s, pid_t pid)
{
    for (int i = 0; i < s->n; i++)
        if (s->pid[i] == pid)
            return true;
    return false;
}

/* Read straight from the system (no child process): the answer reaches cb
 * from the apply's timer, never from inside the call, like pgrep's would.
 * Every caller calls with the timer idle. */
static void on_fast_children(uv_timer_t *t)
{
    struct apply *a = t->data;
    struct spawn_result r = {.started = true, .out = a->fast_out, .err = ""};
    a->fast_cb(&r, a);
}

static bool fast_children(struct apply *a, pid_t master, spawn_done_cb cb)
{
    pid_t pids[MAX_PIDS];
    int n = children_of(master, pids, MAX_PIDS);
    if (n < 0)
        return false;
    size_t used = 0;
    a->fast_out[0] = '\0';
    for (int i = 0; i < n && used + 24 < sizeof a->fast_out; i++)
        used += (size_t)snprintf(a->fast_out + used, sizeof a->fast_out - used, "%ld\n",
                                 (long)pids[i]);
    a->fast_cb = cb;
    uv_timer_start(&a->timer, on_fast_children, 0, 0);
    return true;
}

/* Lists the master's children: from /proc where it can, else `pgrep -P
 * master` (which scans every process: ~160 ms on a busy host, on the path
 * from the operator's y to the reload). cb receives the apply. */
static int start_pgrep(struct apply *a, pid_t master, spawn_done_cb cb)
{
    if (fast_children(a, master, cb))
        return 0;
    char pidbuf[32];
    snprintf(pidbuf, sizeof pidbuf, "%ld", (long)master);
    char *argv[] = { "pgrep", "-P", pidbuf, NULL };
    char msg[256];
    int rc = spawn_start(a->loop, argv, NULL, a->timeout_ms, cb, a, msg, sizeof msg);
    if (rc != 0)
        snprintf(a->pid_error, sizeof a->pid_error, "%s", msg);
    return rc;
}

/* Starts a child; one that cannot even start reaches cb as "not started",
 * so each stage handles every failure in one place. */
static void start_child(struct apply *a, char **argv, spawn_done_cb cb)
{
    struct spawn_result r = { .started = false, .out = "", .err = "" };
    if (spawn_start(a->loop, argv, NULL, a->timeout_ms, cb, a, r.error, sizeof r.error) != 0)
        cb(&r, a);
}

/* ---- the stages, in order ---- */

static void run_test(struct apply *a);
static void run_reload(struct apply *a);
static void confirm_poll(struct apply *a);

static void on_old_workers(const struct spawn_result *r, void *data)
{
    struct apply *a = data;
    if (parse_pgrep(r, &a->old) == 0) {
        a->have_old_pids = true;
    } else {
        char how[320];
        spawn_describe(r, how, sizeof how);
        snprintf(a->pid_error, sizeof a->pid_error, "pgrep -P %ld: %s",
                 (long)a->rep.master_pid, how);
    }
    run_test(a);
}

/* Keeps the current bytes (for the restore), then writes the new file. */
static int write_new(struct apply *a)
{
    char msg[512];
    atomicfile_clean_stale(a->upstream_file);
    if (atomicfile_read(a->upstream_file, &a->old_bytes, &a->old_len, msg, sizeof msg) != 0 &&
        errno != ENOENT) {
        set_message_trimmed(a, "", msg);
        return -1;
    }
    if (atomicfile_write(a->upstream_file, a->new_text, strlen(a->new_text), true,
                         msg, sizeof msg) != 0) {
        set_message_trimmed(a, "", msg);
        return -1;
    }
    a->wrote = true;
    return 0;
}

static void start_old_workers(struct apply *a)
{
    pid_t master;
    a->stage = ST_OLD_WORKERS;
    if (read_master(a, &master) == 0 && start_pgrep(a, master, on_old_workers) == 0)
        return;
    run_test(a);                /* without the old set; confirm will say why */
}

/* Puts the old bytes back (or removes the file that did not exist). */
static int restore_old(struct apply *a, char *msg, size_t msglen)
{
    if (a->old_bytes != NULL)
        return atomicfile_write(a->upstream_file, a->old_bytes, a->old_len, false, msg, msglen);
    if (unlink(a->upstream_file) != 0 && errno != ENOENT) {
        snprintf(msg, msglen, "cannot remove %s: %s", a->upstream_file, strerror(errno));
        return -1;
    }
    return 0;
}

static void on_test_done(const struct spawn_result *r, void *data)
{
    struct apply *a = data;
    if (spawn_succeeded(r)) {
        run_reload(a);
        return;
    }
    char text[3072], rmsg[768];
    child_text(r, text, sizeof text);
    if (a->wrote && restore_old(a, rmsg, sizeof rmsg) != 0) {
        snprintf(a->rep.message, sizeof a->rep.message,
                 "%s\nand restoring the previous file failed: %s", text, rmsg);
        finish(a, BALANCER_RESTORE_FAILED);
        return;
    }
    snprintf(a->rep.message, sizeof a->rep.message, "%s", text);
    finish(a, BALANCER_REJECTED);
}

static void run_test(struct apply *a)
{
    a->stage = ST_TEST;
    if (a->new_text != NULL && write_new(a) != 0) {
        finish(a, BALANCER_WRITE_FAILED);
        return;
    }
    /* a test that cannot start is a failed test: the file must not stay */
    start_child(a, a->test_argv, on_test_done);
}

static void on_reload_done(const struct spawn_result *r, void *data)
{
    struct apply *a = data;
    if (!spawn_succeeded(r)) {
        char text[3072];
        child_text(r, text, sizeof text);
        snprintf(a->rep.message, sizeof a->rep.message,
                 "%s\n(the new file stays in place: nginx -t accepted it)", text);
        finish(a, BALANCER_RELOAD_FAILED);
        return;
    }
    if (!a->have_old_pids) {
        snprintf(a->rep.message, sizeof a->rep.message, "cannot confirm the reload: %s",
                 a->pid_error);
        finish(a, BALANCER_NOT_CONFIRMED);
        return;
    }
    a->stage = ST_CONFIRM;
    a->confirm_start = uv_now(a->loop);
    confirm_poll(a);
}

static void run_reload(struct apply *a)
{
    a->stage = ST_RELOAD;
    start_child(a, a->reload_argv, on_reload_done);
}

/* ---- confirm: poll until a worker appears that was not there before ---- */

static void on_poll_timer(uv_timer_t *t)
{
    confirm_poll(t->data);
}

static void success(struct apply *a, const struct pidset *now)
{
    struct balancer_workers *d = &a->rep.draining;
    d->master = a->rep.master_pid;
    for (int i = 0; i < now->n; i++) {
        if (pidset_has(&a->old, now->pid[i])) {
            a->rep.old_workers_draining++;   /* still a child: finishing streams */
            d->pid[d->n++] = now->pid[i];
        } else
            a->rep.new_workers++;
    }
    int nw = a->rep.new_workers, ow = a->rep.old_workers_draining;
    if (ow == 0)
        snprintf(a->rep.message, sizeof a->rep.message,
                 "reloaded: %d new worker%s, no old worker left", nw, nw == 1 ? "" : "s");
    else
        snprintf(a->rep.message, sizeof a->rep.message,
                 "reloaded: %d new worker%s, %d old worker%s finishing %s streams",
                 nw, nw == 1 ? "" : "s", ow, ow == 1 ? "" : "s", ow == 1 ? "its" : "their");
    finish(a, BALANCER_OK);
}

/* Out of time, or no way to look: say which. */
static void poll_again_or_give_up(struct apply *a, bool pid_failed)
{
    uint64_t waited = uv_now(a->loop) - a->confirm_start;
    if (waited + POLL_MS <= (uint64_t)(a->confirm_ms > 0 ? a->confirm_ms : 0)) {
        uv_timer_start(&a->timer, on_poll_timer, POLL_MS, 0);
        return;
    }
    if (pid_failed)
        snprintf(a->rep.message, sizeof a->rep.message, "cannot confirm the reload: %s",
                 a->pid_error);
    else
        snprintf(a->rep.message, sizeof a->rep.message,
                 "reload not applied: nginx workers unchanged after %d ms "
                 "(see nginx's error log)", a->confirm_ms);
    finish(a, BALANCER_NOT_CONFIRMED);
}

static void on_settle_pgrep(const struct spawn_result *r, void *data)
{
    struct apply *a = data;
    struct pidset now;
    success(a, parse_pgrep(r, &now) == 0 ? &now : &a->seen);
}

static void on_settle_timer(uv_timer_t *t)
{
    struct apply *a = t->data;
    pid_t master;
    if (read_master(a, &master) != 0 || start_pgrep(a, master, on_settle_pgrep) != 0)
        success(a, &a->seen);   /* applied already; the count is just older */
}

static void on_poll_pgrep(const struct spawn_result *r, void *data)
{
    struct apply *a = data;
    if (parse_pgrep(r, &a->seen) == 0) {
        for (int i = 0; i < a->seen.n; i++) {
            if (!pidset_has(&a->old, a->seen.pid[i])) {
                a->stage = ST_SETTLE;
                uv_timer_start(&a->timer, on_settle_timer, SETTLE_MS, 0);
                return;
            }
        }
    }
    poll_again_or_give_up(a, false);
}

static void confirm_poll(struct apply *a)
{
    pid_t master;
    if (read_master(a, &master) != 0) {
        poll_again_or_give_up(a, true);
        return;
    }
    if (start_pgrep(a, master, on_poll_pgrep) != 0)
        poll_again_or_give_up(a, false);
}

/* ---- entry points ---- */

static bool argv_ok(char *const *argv)
{
    return argv != NULL && argv[0] != NULL;
}

static int start(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                 balancer_done_cb cb, void *data, char *msg, size_t msglen)
{
    if (p->upstream_file == NULL || p->pid_file == NULL || !argv_ok(p->test_argv) ||
        !argv_ok(p->reload_argv)) {
        snprintf(msg, msglen, "nginx: upstream file, pid file, test and reload "
                 "commands must all be set");
        return -1;
    }
    struct apply *a = calloc(1, sizeof *a);
    if (a == NULL)
        abort();
    a->loop = loop;
    a->upstream_file = xstrdup(p->upstream_file);
    a->pid_file = xstrdup(p->pid_file);
    a->new_text = new_text != NULL ? xstrdup(new_text) : NULL;
    a->test_argv = argv_dup(p->test_argv);
    a->reload_argv = argv_dup(p->reload_argv);
    a->confirm_ms = p->reload_confirm_ms;
    a->timeout_ms = p->command_timeout_ms;
    a->cb = cb;
    a->data = data;
    uv_timer_init(loop, &a->timer);
    a->timer.data = a;
    start_old_workers(a);
    return 0;
}

int nginx_apply(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                balancer_done_cb cb, void *data, char *msg, size_t msglen)
{
    if (new_text == NULL) {
        snprintf(msg, msglen, "nginx: no upstream text to write");
        return -1;
    }
    return start(loop, p, new_text, cb, data, msg, msglen);
}

int nginx_reload_current(uv_loop_t *loop, const struct nginx_params *p,
                         balancer_done_cb cb, void *data, char *msg, size_t msglen)
{
    return start(loop, p, NULL, cb, data, msg, msglen);
}

struct run_wait {
    struct balancer_report *rep;
    bool done;
};

static void on_run_done(const struct balancer_report *rep, void *data)
{
    struct run_wait *w = data;
    *w->rep = *rep;
    w->done = true;
}

static void run_until_done(uv_loop_t *loop, int rc, struct run_wait *w, const char *msg)
{
    if (rc != 0) {
        memset(w->rep, 0, sizeof *w->rep);
        w->rep->outcome = BALANCER_WRITE_FAILED;    /* nothing was touched */
        snprintf(w->rep->message, sizeof w->rep->message, "%s", msg);
        return;
    }
    while (!w->done)
        uv_run(loop, UV_RUN_ONCE);
}

void nginx_apply_run(uv_loop_t *loop, const struct nginx_params *p, const char *new_text,
                     struct balancer_report *rep)
{
    struct run_wait w = { .rep = rep, .done = false };
    char msg[512];
    int rc = nginx_apply(loop, p, new_text, on_run_done, &w, msg, sizeof msg);
    run_until_done(loop, rc, &w, msg);
}

void nginx_reload_current_run(uv_loop_t *loop, const struct nginx_params *p,
                              struct balancer_report *rep)
{
    struct run_wait w = { .rep = rep, .done = false };
    char msg[512];
    int rc = nginx_reload_current(loop, p, on_run_done, &w, msg, sizeof msg);
    run_until_done(loop, rc, &w, msg);
}

/* ---- after a reload: the old workers still finishing streams ---- */

static bool still_running(pid_t pid, const pid_t *children, int nchildren)
{
    if (nchildren < 0)          /* cannot list children here: ask the kernel */
        return kill(pid, 0) == 0 || errno == EPERM;
    for (int i = 0; i < nchildren; i++)
        if (children[i] == pid)
            return true;
    return false;
}

int nginx_workers_still_running(struct balancer_workers *w)
{
    if (w->master <= 0 || w->n == 0)
        return w->n = 0;
    pid_t children[MAX_PIDS];
    int nchildren = children_of(w->master, children, MAX_PIDS);
    int kept = 0;
    for (int i = 0; i < w->n; i++)
        if (still_running(w->pid[i], children, nchildren))
            w->pid[kept++] = w->pid[i];
    return w->n = kept;
}

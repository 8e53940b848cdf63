/* spawn: one child process on the loop. A struct spawn owns four handles
 * (process, two pipes, one timer) and the captured output; the done callback
 * runs from the last close callback, so when it fires nothing of ours is
 * left on the loop and the struct is freed right after it returns.
 *
 * The caller should ignore SIGPIPE: we never write to the child, but a
 * program that does (nginx, curl) would otherwise die on a closed pipe. */
#include "backends/spawn.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define SPAWN_CAP (64 * 1024)   /* per stream; the rest is read and dropped */
#define KILL_GRACE_MS 1000      /* SIGTERM -> SIGKILL */
#define DRAIN_GRACE_MS 500      /* exit -> give up on pipes a grandchild holds */

enum timer_phase { PHASE_TIMEOUT, PHASE_KILL, PHASE_DRAIN };

struct capture {
    uv_pipe_t pipe;
    char *buf;
    size_t len, cap;
    bool open;                  /* still reading (no EOF yet, not closed) */
    char rbuf[16384];
};

struct spawn {
    uv_process_t proc;
    uv_timer_t timer;
    struct capture cap[2];      /* 0 = stdout, 1 = stderr */
    struct spawn_result res;
    spawn_done_cb cb;
    void *data;
    int timeout_ms;
    enum timer_phase phase;
    bool exited;
    bool closing;               /* handles are being closed */
    bool notify;                /* call cb from the last close (false on start failure) */
    int pending_closes;
};

bool spawn_succeeded(const struct spawn_result *r)
{
    return r->started && !r->timed_out && r->term_signal == 0 && r->exit_status == 0;
}

static void on_handle_closed(uv_handle_t *h)
{
    struct spawn *s = h->data;
    /* a pipe closed at EOF is not the end: wait for close_all's handles too */
    if (--s->pending_closes > 0 || !s->closing)
        return;
    if (s->notify)
        s->cb(&s->res, s->data);
    free(s->res.out);
    free(s->res.err);
    free(s);
}

static void close_handle(struct spawn *s, uv_handle_t *h)
{
    if (uv_is_closing(h))
        return;
    s->pending_closes++;
    uv_close(h, on_handle_closed);
}

static void close_all(struct spawn *s)
{
    s->closing = true;
    for (int i = 0; i < 2; i++) {
        s->cap[i].open = false;
        close_handle(s, (uv_handle_t *)&s->cap[i].pipe);
    }
    close_handle(s, (uv_handle_t *)&s->timer);
    close_handle(s, (uv_handle_t *)&s->proc);
}

/* Done when the child is gone and both pipes are drained (or given up on). */
static void maybe_finish(struct spawn *s)
{
    if (s->closing || !s->exited || s->cap[0].open || s->cap[1].open)
        return;
    /* hand the buffers to the result only now: reads may have grown them */
    s->res.out = s->cap[0].buf;
    s->res.out_len = s->cap[0].len;
    s->res.err = s->cap[1].buf;
    s->res.err_len = s->cap[1].len;
    s->cap[0].buf = s->cap[1].buf = NULL;
    close_all(s);
}

static struct capture *capture_of(void *pipe)
{
    return (struct capture *)((char *)pipe - offsetof(struct capture, pipe));
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct capture *c = capture_of(h);
    (void)suggested;
    *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void capture_append(struct capture *c, const char *p, size_t n)
{
    size_t room = SPAWN_CAP - c->len;
    if (n > room)
        n = room;
    if (n == 0)
        return;
    if (c->len + n + 1 > c->cap) {
        size_t ncap = c->cap;
        while (ncap < c->len + n + 1)
            ncap *= 2;
        if (ncap > SPAWN_CAP + 1)
            ncap = SPAWN_CAP + 1;
        char *nb = realloc(c->buf, ncap);
        if (nb == NULL)
            abort();            /* out of memory: not a recoverable condition */
        c->buf = nb;
        c->cap = ncap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    c->buf[c->len] = '\0';
}

static void stop_capture(struct spawn *s, struct capture *c)
{
    if (!c->open)
        return;
    c->open = false;
    uv_read_stop((uv_stream_t *)&c->pipe);
    close_handle(s, (uv_handle_t *)&c->pipe);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct spawn *s = stream->data;
    struct capture *c = capture_of(stream);
    if (nread > 0) {
        capture_append(c, buf->base, (size_t)nread);
        return;
    }
    if (nread == 0)
        return;                 /* EAGAIN: nothing this time */
    stop_capture(s, c);         /* EOF or error: either way this stream is over */
    maybe_finish(s);
}

static void on_timer(uv_timer_t *t);

static void on_child_exit(uv_process_t *proc, int64_t exit_status, int term_signal)
{
    struct spawn *s = proc->data;
    s->exited = true;
    s->res.exit_status = (int)exit_status;
    s->res.term_signal = term_signal;
    uv_timer_stop(&s->timer);
    if (s->res.timed_out) {
        /* a killed child's grandchildren may hold the pipes: stop waiting */
        stop_capture(s, &s->cap[0]);
        stop_capture(s, &s->cap[1]);
    } else if (s->cap[0].open || s->cap[1].open) {
        s->phase = PHASE_DRAIN;
        uv_timer_start(&s->timer, on_timer, DRAIN_GRACE_MS, 0);
    }
    maybe_finish(s);
}

static void on_timer(uv_timer_t *t)
{
    struct spawn *s = t->data;
    switch (s->phase) {
    case PHASE_TIMEOUT:
        s->res.timed_out = true;
        snprintf(s->res.error, sizeof s->res.error, "timed out after %d ms", s->timeout_ms);
        uv_process_kill(&s->proc, SIGTERM);
        s->phase = PHASE_KILL;
        uv_timer_start(&s->timer, on_timer, KILL_GRACE_MS, 0);
        break;
    case PHASE_KILL:
        uv_process_kill(&s->proc, SIGKILL);
        break;
    case PHASE_DRAIN:
        stop_capture(s, &s->cap[0]);
        stop_capture(s, &s->cap[1]);
        maybe_finish(s);
        break;
    }
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL)
        abort();                /* out of memory: nothing sensible to do */
    return p;
}

/* environ plus the extras; an extra replaces an inherited variable of the
 * same KEY. The strings are borrowed, only the array is allocated. */
static char **build_env(char *const env_extra[])
{
    size_t n_env = 0, n_extra = 0;
    while (environ[n_env] != NULL)
        n_env++;
    while (env_extra[n_extra] != NULL)
        n_extra++;
    char **envp = xmalloc((n_env + n_extra + 1) * sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t keylen = eq != NULL ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        bool overridden = false;
        for (size_t j = 0; j < n_extra && !overridden; j++)
            overridden = strncmp(env_extra[j], environ[i], keylen) == 0;
        if (!overridden)
            envp[k++] = environ[i];
    }
    for (size_t j = 0; j < n_extra; j++)
        envp[k++] = env_extra[j];
    envp[k] = NULL;
    return envp;
}

static void capture_init(uv_loop_t *loop, struct spawn *s, struct capture *c)
{
    c->cap = 256;
    c->buf = xmalloc(c->cap);
    c->buf[0] = '\0';
    uv_pipe_init(loop, &c->pipe, 0);
    c->pipe.data = s;
}

int spawn_start(uv_loop_t *loop, char *const argv[], char *const env_extra[],
                int timeout_ms, spawn_done_cb cb, void *data, char *msg, size_t msglen)
{
    if (argv == NULL || argv[0] == NULL) {
        snprintf(msg, msglen, "cannot run: empty command");
        return UV_EINVAL;
    }
    struct spawn *s = xmalloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->cb = cb;
    s->data = data;
    s->notify = true;
    s->timeout_ms = timeout_ms;
    s->proc.data = s;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    capture_init(loop, s, &s->cap[0]);
    capture_init(loop, s, &s->cap[1]);
    char **envp = env_extra != NULL ? build_env(env_extra) : NULL;

    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    for (int i = 0; i < 2; i++) {
        stdio[i + 1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
        stdio[i + 1].data.stream = (uv_stream_t *)&s->cap[i].pipe;
    }
    uv_process_options_t opt;
    memset(&opt, 0, sizeof opt);
    opt.file = argv[0];
    opt.args = (char **)argv;
    opt.env = envp;
    opt.stdio = stdio;
    opt.stdio_count = 3;
    opt.exit_cb = on_child_exit;

    int rc = uv_spawn(loop, &s->proc, &opt);
    free(envp);
    if (rc != 0) {
        snprintf(msg, msglen, "cannot run '%s': %s", argv[0], uv_strerror(rc));
        free(s->cap[0].buf);
        free(s->cap[1].buf);
        s->cap[0].buf = s->cap[1].buf = NULL;
        s->notify = false;      /* nothing ran: the caller has our error already */
        close_all(s);           /* libuv wants the failed process handle closed too */
        return rc;
    }
    s->proc.data = s;           /* set again: uv_spawn initialised the handle */
    s->res.started = true;
    for (int i = 0; i < 2; i++) {
        s->cap[i].open = true;
        uv_read_start((uv_stream_t *)&s->cap[i].pipe, on_alloc, on_read);
    }
    if (timeout_ms > 0) {
        s->phase = PHASE_TIMEOUT;
        uv_timer_start(&s->timer, on_timer, (uint64_t)timeout_ms, 0);
    }
    return 0;
}

/* spawn_run's callback: copy the result out, since the buffers die after. */
struct run_wait {
    struct spawn_result *r;
    bool done;
};

static char *dup_bytes(const char *p, size_t n)
{
    char *d = xmalloc(n + 1);
    if (n > 0)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

static void on_run_done(const struct spawn_result *res, void *data)
{
    struct run_wait *w = data;
    *w->r = *res;
    w->r->out = dup_bytes(res->out, res->out_len);
    w->r->err = dup_bytes(res->err, res->err_len);
    w->done = true;
}

void spawn_run(uv_loop_t *loop, char *const argv[], char *const env_extra[],
               int timeout_ms, struct spawn_result *r)
{
    struct run_wait w = { .r = r, .done = false };
    memset(r, 0, sizeof *r);
    char msg[sizeof r->error];
    int rc = spawn_start(loop, argv, env_extra, timeout_ms, on_run_done, &w, msg, sizeof msg);
    if (rc != 0) {
        r->started = false;
        snprintf(r->error, sizeof r->error, "%s", msg);
        r->out = dup_bytes("", 0);
        r->err = dup_bytes("", 0);
        /* let the abandoned handles' close callbacks run (a close phase) */
        uv_run(loop, UV_RUN_NOWAIT);
        return;
    }
    /* ONCE, not DEFAULT: other handles on a shared loop keep running */
    while (!w.done)
        uv_run(loop, UV_RUN_ONCE);
}

void spawn_result_clear(struct spawn_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
    r->out_len = r->err_len = 0;
}

void spawn_describe(const struct spawn_result *r, char *buf, size_t buflen)
{
    if (!r->started)
        snprintf(buf, buflen, "not started: %s", r->error);
    else if (r->timed_out)
        snprintf(buf, buflen, "%s", r->error);
    else if (r->term_signal != 0)
        snprintf(buf, buflen, "killed by signal %d", r->term_signal);
    else
        snprintf(buf, buflen, "exit %d", r->exit_status);
}

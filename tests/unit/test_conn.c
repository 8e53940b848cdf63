/* test_conn: the server's socket layer on a real loop with real Unix
 * sockets in a temp dir: line framing across reads, the line limit, bounded
 * output (a stalled client is dropped, a reading one keeps receiving), peer
 * credentials (also from another uid, when run as root), the socket file's
 * permissions, stale and live sockets, and a clean loop afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>

#include "core/protocol.h"
#include "server/conn.h"
#include "server/listener.h"
#include "server/sockpath.h"

#define MAX_SLOTS 8
#define MAX_LINES 64
#define OTHER_ID 65534   /* nobody / nogroup */

/* What the server side saw of one accepted connection. */
struct slot {
    struct conn *c;
    struct peercred peer;
    uint64_t id;
    char *lines[MAX_LINES];
    size_t lens[MAX_LINES];
    int nlines;
    size_t bytes;          /* sum of line lengths, for the bulk tests */
    bool closed;
    char reason[160];
};

/* A client on the same loop. */
struct client {
    uv_pipe_t pipe;
    uv_connect_t creq;
    int connect_status;    /* 1 while pending */
    char *rbuf;
    size_t rlen, rcap;
    bool eof;
    int rerr;
    uint64_t last_rx, max_gap;
};

struct fx {
    uv_loop_t loop;
    uv_timer_t tick;
    char dir[64];
    char path[300];
    struct listener *l;
    struct slot slots[MAX_SLOTS];
    int nslots;
    size_t max_output;     /* conn option for new conns */
    char accept_error[256];
};

/* ---- server side callbacks ---- */

static void srv_line(struct conn *c, const char *line, size_t len)
{
    struct slot *s = conn_data(c);

    assert_int_equal(line[len], '\0');
    s->bytes += len;
    if (s->nlines < MAX_LINES) {
        s->lines[s->nlines] = malloc(len + 1);
        assert_non_null(s->lines[s->nlines]);
        memcpy(s->lines[s->nlines], line, len + 1);
        s->lens[s->nlines++] = len;
    }
    /* A command that makes the server hang up from inside on_line. */
    if (len == 4 && memcmp(line, "quit", 4) == 0)
        conn_close(c, "asked to quit");
}

static void srv_close(struct conn *c, const char *reason)
{
    struct slot *s = conn_data(c);

    snprintf(s->reason, sizeof s->reason, "%s", reason);
    s->closed = true;
    s->c = NULL;
}

static void srv_accept(struct conn *c, const char *error, void *data)
{
    struct fx *f = data;
    struct conn_options o = { srv_line, srv_close, NULL, f->max_output, 0 };
    struct slot *s;
    char msg[200];

    if (!c) {
        snprintf(f->accept_error, sizeof f->accept_error, "%s", error);
        return;
    }
    assert_true(f->nslots < MAX_SLOTS);
    s = &f->slots[f->nslots++];
    s->c = c;
    s->peer = *conn_peer(c);
    s->id = conn_id(c);
    o.data = s;
    assert_int_equal(conn_start(c, &o, msg, sizeof msg), 0);
}

/* ---- loop helpers ---- */

static void tick_cb(uv_timer_t *t)
{
    (void)t;
}

typedef bool (*pred_fn)(struct fx *f, void *arg);

/* Runs the loop until pred holds or timeout_ms pass; returns pred. */
static bool run_until(struct fx *f, pred_fn pred, void *arg, uint64_t timeout_ms)
{
    uint64_t start;

    uv_update_time(&f->loop);
    start = uv_now(&f->loop);
    uv_timer_start(&f->tick, tick_cb, 2, 2);
    while (!pred(f, arg) && uv_now(&f->loop) - start < timeout_ms)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_timer_stop(&f->tick);
    return pred(f, arg);
}

static bool have_slots(struct fx *f, void *arg)
{
    return f->nslots >= *(int *)arg;
}

static bool slot_lines(struct fx *f, void *arg)
{
    const int *want = arg;   /* {slot, lines} */

    return f->slots[want[0]].nlines >= want[1] || f->slots[want[0]].closed;
}

static bool slot_closed(struct fx *f, void *arg)
{
    return f->slots[*(int *)arg].closed;
}

static bool client_ended(struct fx *f, void *arg)
{
    struct client *cl = arg;
    (void)f;
    return cl->eof || cl->rerr != 0;
}

/* ---- clients ---- */

static void cl_connected(uv_connect_t *req, int status)
{
    struct client *cl = req->data;

    cl->connect_status = status;
}

static void cl_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct client *cl = h->data;

    if (cl->rcap - cl->rlen < suggested) {
        cl->rcap = cl->rlen + suggested;
        cl->rbuf = realloc(cl->rbuf, cl->rcap);
        assert_non_null(cl->rbuf);
    }
    *b = uv_buf_init(cl->rbuf + cl->rlen, (unsigned)(cl->rcap - cl->rlen));
}

static void cl_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct client *cl = s->data;
    uint64_t now = uv_now(s->loop);
    (void)b;

    if (n == UV_EOF)
        cl->eof = true;
    else if (n < 0)
        cl->rerr = (int)n;
    else if (n > 0) {
        cl->rlen += (size_t)n;
        if (cl->last_rx && now - cl->last_rx > cl->max_gap)
            cl->max_gap = now - cl->last_rx;
        cl->last_rx = now;
    }
}

static bool client_done_connecting(struct fx *f, void *arg)
{
    (void)f;
    return ((struct client *)arg)->connect_status != 1;
}

/* Connects, starts reading and waits until the server has the conn. */
static void client_open(struct fx *f, struct client *cl)
{
    int want = f->nslots + 1;

    memset(cl, 0, sizeof *cl);
    cl->connect_status = 1;
    assert_int_equal(uv_pipe_init(&f->loop, &cl->pipe, 0), 0);
    cl->pipe.data = cl;
    cl->creq.data = cl;
    uv_pipe_connect(&cl->creq, &cl->pipe, f->path, cl_connected);
    assert_true(run_until(f, client_done_connecting, cl, 2000));
    assert_int_equal(cl->connect_status, 0);
    assert_int_equal(uv_read_start((uv_stream_t *)&cl->pipe, cl_alloc, cl_read), 0);
    assert_true(run_until(f, have_slots, &want, 2000));
}

static void cl_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

static void client_write(struct client *cl, const char *data, size_t len)
{
    uv_write_t *req = malloc(sizeof *req + len);
    uv_buf_t b;

    assert_non_null(req);
    memcpy(req + 1, data, len);
    b = uv_buf_init((char *)(req + 1), (unsigned)len);
    assert_int_equal(uv_write(req, (uv_stream_t *)&cl->pipe, &b, 1, cl_written), 0);
}

static void mark_closed(uv_handle_t *h)
{
    *(bool *)h->data = true;
}

static bool flag_set(struct fx *f, void *arg)
{
    (void)f;
    return *(bool *)arg;
}

/* Closes a handle that lives on the test's stack, and waits until libuv
 * is done with it. */
static void close_wait(struct fx *f, uv_handle_t *h)
{
    bool done = false;

    h->data = &done;
    uv_close(h, mark_closed);
    assert_true(run_until(f, flag_set, &done, 2000));
}

static void client_close(struct fx *f, struct client *cl)
{
    close_wait(f, (uv_handle_t *)&cl->pipe);
    free(cl->rbuf);
    cl->rbuf = NULL;
}

struct rx_want {
    struct client *cl;
    size_t bytes;
};

static bool client_has(struct fx *f, void *arg)
{
    struct rx_want *w = arg;
    (void)f;
    return w->cl->rlen >= w->bytes || w->cl->eof || w->cl->rerr;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    if (!f || uv_loop_init(&f->loop) != 0)
        return -1;
    uv_timer_init(&f->loop, &f->tick);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_conn.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/server.sock", f->dir);
    *state = f;
    return 0;
}

static void open_listener(struct fx *f)
{
    char msg[256];

    assert_int_equal(listener_open(&f->loop, f->path, 0, NULL, srv_accept, f, &f->l,
                                   msg, sizeof msg), 0);
}

/* Closes everything still open; the loop must then be empty and close. */
static int teardown(void **state)
{
    struct fx *f = *state;
    int i, j, rc;

    for (i = 0; i < f->nslots; i++)
        if (f->slots[i].c)
            conn_close(f->slots[i].c, "test over");
    if (f->l)
        listener_close(f->l);
    uv_close((uv_handle_t *)&f->tick, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&f->loop);
    for (i = 0; i < f->nslots; i++) {
        assert_true(f->slots[i].closed);   /* on_close ran for every conn */
        for (j = 0; j < f->slots[i].nlines; j++)
            free(f->slots[i].lines[j]);
    }
    if (f->l) {
        struct stat st;
        assert_int_equal(stat(f->path, &st), -1);   /* close removed the file */
    }
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    assert_int_equal(rc, 0);
    return 0;
}

/* ---- a client that writes in small pieces, one per timer tick ---- */

struct drip {
    uv_timer_t t;
    struct client *cl;
    const char *data;
    size_t len, off, piece;
};

static void drip_tick(uv_timer_t *t)
{
    struct drip *d = (struct drip *)t;
    size_t n = d->len - d->off < d->piece ? d->len - d->off : d->piece;

    client_write(d->cl, d->data + d->off, n);
    d->off += n;
    if (d->off == d->len)
        uv_timer_stop(t);
}

static void drip_write(struct fx *f, struct client *cl, struct drip *d, const char *data,
                       size_t len, size_t piece)
{
    d->cl = cl;
    d->data = data;
    d->len = len;
    d->off = 0;
    d->piece = piece;
    if (!d->t.loop)   /* initialised once, restarted for each write */
        uv_timer_init(&f->loop, &d->t);
    uv_timer_start(&d->t, drip_tick, 1, 1);
}

static void assert_line(struct slot *s, int i, const char *want)
{
    assert_true(i < s->nlines);
    assert_int_equal(s->lens[i], strlen(want));
    assert_memory_equal(s->lines[i], want, strlen(want));
}

/* ---- tests ---- */

static void test_split_writes_arrive_whole(void **state)
{
    struct fx *f = *state;
    struct client cl;
    struct drip d = { 0 };
    size_t big = PROTOCOL_MAX_LINE, n = 0;
    char *data = malloc(300 + big + 8);
    int want[2] = { 0, 2 };
    size_t i;

    assert_non_null(data);
    open_listener(f);
    client_open(f, &cl);
    /* A 300-byte line in 7-byte writes, then a line of exactly the maximum
     * (ended by CRLF) in 4000-byte writes: both arrive whole and unchanged. */
    for (i = 0; i < 300; i++)
        data[n++] = (char)('a' + i % 26);
    data[n++] = '\n';
    for (i = 0; i < big; i++)
        data[n++] = (char)('A' + i % 26);
    data[n++] = '\r';
    data[n++] = '\n';
    drip_write(f, &cl, &d, data, 301, 7);
    assert_true(run_until(f, slot_lines, (int[]){ 0, 1 }, 5000));
    assert_int_equal(f->slots[0].nlines, 1);
    assert_int_equal(f->slots[0].lens[0], 300);
    assert_memory_equal(f->slots[0].lines[0], data, 300);
    assert_true(d.off == d.len);

    drip_write(f, &cl, &d, data + 301, n - 301, 4000);
    assert_true(run_until(f, slot_lines, want, 10000));
    assert_false(f->slots[0].closed);
    assert_int_equal(f->slots[0].lens[1], big);
    assert_memory_equal(f->slots[0].lines[1], data + 301, big);
    close_wait(f, (uv_handle_t *)&d.t);
    client_close(f, &cl);
    free(data);
}

static void test_many_lines_in_one_write(void **state)
{
    struct fx *f = *state;
    struct client cl;
    const char *data = "one\ntwo\r\n\nthree\ra\r\n{\"x\":1}\npartial";
    int want[2] = { 0, 5 };

    open_listener(f);
    client_open(f, &cl);
    client_write(&cl, data, strlen(data));
    assert_true(run_until(f, slot_lines, want, 2000));
    /* Give the partial line a chance to be (wrongly) delivered. */
    run_until(f, slot_lines, (int[]){ 0, 6 }, 100);
    assert_int_equal(f->slots[0].nlines, 5);
    assert_line(&f->slots[0], 0, "one");
    assert_line(&f->slots[0], 1, "two");
    assert_line(&f->slots[0], 2, "");
    assert_line(&f->slots[0], 3, "three\ra");   /* only a trailing \r goes */
    assert_line(&f->slots[0], 4, "{\"x\":1}");
    /* The rest completes later. */
    client_write(&cl, " line\n", 7);
    assert_true(run_until(f, slot_lines, (int[]){ 0, 6 }, 2000));
    assert_line(&f->slots[0], 5, "partial line");
    client_close(f, &cl);
    assert_true(run_until(f, slot_closed, (int[]){ 0 }, 2000));
    assert_string_equal(f->slots[0].reason, "disconnected");
}

static void test_close_inside_on_line(void **state)
{
    struct fx *f = *state;
    struct client cl;
    const char *data = "a\nquit\nb\n";

    open_listener(f);
    client_open(f, &cl);
    client_write(&cl, data, strlen(data));
    assert_true(run_until(f, slot_closed, (int[]){ 0 }, 2000));
    /* Nothing after the line that closed it is delivered. */
    assert_int_equal(f->slots[0].nlines, 2);
    assert_line(&f->slots[0], 1, "quit");
    assert_string_equal(f->slots[0].reason, "asked to quit");
    assert_true(run_until(f, client_ended, &cl, 2000));
    client_close(f, &cl);
}

static void check_oversized(struct fx *f, bool with_newline)
{
    struct client cl;
    /* With a newline, one byte too many; without, the line is over only once
     * more than max + 1 bytes wait (the last could still be a '\r'). */
    size_t n = PROTOCOL_MAX_LINE + (with_newline ? 1 : 2);
    char *data = malloc(n + 1);
    const char *want = "{\"error\":{\"message\":\"line over 65536 bytes\"}}\n";

    assert_non_null(data);
    memset(data, 'x', n);
    data[n] = '\n';
    open_listener(f);
    client_open(f, &cl);
    client_write(&cl, "fine\n", 5);
    client_write(&cl, data, with_newline ? n + 1 : n);
    assert_true(run_until(f, slot_closed, (int[]){ 0 }, 5000));
    assert_string_equal(f->slots[0].reason, "line over 65536 bytes");
    assert_int_equal(f->slots[0].nlines, 1);
    /* The client is told why, then hung up on. */
    assert_true(run_until(f, client_ended, &cl, 2000));
    assert_int_equal(cl.rlen, strlen(want));
    assert_memory_equal(cl.rbuf, want, strlen(want));
    client_close(f, &cl);
    free(data);
}

static void test_oversized_line_with_newline(void **state)
{
    check_oversized(*state, true);
}

static void test_oversized_line_never_ended(void **state)
{
    /* No newline ever comes: the server must not wait (or buffer) for it. */
    check_oversized(*state, false);
}

/* ---- slow client ---- */

struct flood {
    uv_timer_t t;
    struct fx *f;
    struct client *fast;
    char line[16 * 1024];
    size_t sent_each, target;
    size_t max_slow_queued, max_lag;
    uint64_t slow_dropped_at;   /* bytes sent when the slow one went */
};

static void flood_tick(uv_timer_t *t)
{
    struct flood *fl = (struct flood *)t;
    struct slot *slow = &fl->f->slots[0], *fast = &fl->f->slots[1];
    size_t lag;

    if (slow->c && !conn_is_closing(slow->c)) {
        conn_send(slow->c, fl->line);
        if (conn_is_closing(slow->c))
            fl->slow_dropped_at = fl->sent_each;
        else if (conn_queued(slow->c) > fl->max_slow_queued)
            fl->max_slow_queued = conn_queued(slow->c);
    }
    assert_int_equal(conn_send(fast->c, fl->line), 0);
    fl->sent_each += sizeof fl->line - 1;   /* the line and its '\n' */
    lag = fl->sent_each - fl->fast->rlen;
    if (lag > fl->max_lag)
        fl->max_lag = lag;
    if (fl->sent_each >= fl->target)
        uv_timer_stop(t);
}

static bool flood_done(struct fx *f, void *arg)
{
    struct flood *fl = arg;
    (void)f;
    return fl->sent_each >= fl->target && fl->fast->rlen >= fl->sent_each;
}

static void test_slow_client_dropped_others_served(void **state)
{
    struct fx *f = *state;
    struct client fast;
    struct flood *fl = calloc(1, sizeof *fl);
    char msg[200];
    int slow_fd;

    assert_non_null(fl);
    open_listener(f);
    /* Slot 0: a client that connects and never reads. */
    slow_fd = sockpath_connect(f->path, msg, sizeof msg);
    assert_true(slow_fd >= 0);
    assert_true(run_until(f, have_slots, (int[]){ 1 }, 2000));
    client_open(f, &fast);
    assert_int_equal(f->nslots, 2);

    fl->f = f;
    fl->fast = &fast;
    memset(fl->line, 'y', sizeof fl->line - 2);
    fl->line[sizeof fl->line - 2] = '\0';   /* 16 KiB - 1 on the wire */
    fl->target = 2 * 1024 * 1024;
    uv_timer_init(&f->loop, &fl->t);
    uv_timer_start(&fl->t, flood_tick, 1, 1);
    assert_true(run_until(f, flood_done, fl, 20000));

    assert_true(f->slots[0].closed);
    assert_string_equal(f->slots[0].reason, "too slow: 1 MiB of output not read");
    /* Dropped once 1 MiB waited in the server (the kernel buffers some). */
    assert_true(fl->slow_dropped_at > 1024 * 1024);
    assert_true(fl->slow_dropped_at < fl->target);
    assert_true(fl->max_slow_queued <= CONN_MAX_OUTPUT_DEFAULT);
    /* The reading client got everything, all along, never far behind. */
    assert_false(f->slots[1].closed);
    assert_int_equal(fast.rlen, fl->sent_each);
    assert_true(fl->max_lag < 256 * 1024);
    assert_true(fast.max_gap < 200);
    close_wait(f, (uv_handle_t *)&fl->t);
    client_close(f, &fast);
    close(slow_fd);
    free(fl);
}

static void test_send_refuses_embedded_newline(void **state)
{
    struct fx *f = *state;
    struct client cl;

    open_listener(f);
    client_open(f, &cl);
    assert_int_equal(conn_send(f->slots[0].c, "a\nb"), -1);
    assert_false(conn_is_closing(f->slots[0].c));
    assert_int_equal(conn_send(f->slots[0].c, "{\"hello\":{}}"), 0);
    assert_true(run_until(f, client_has, &(struct rx_want){ &cl, 13 }, 2000));
    assert_int_equal(cl.rlen, strlen("{\"hello\":{}}\n"));
    assert_memory_equal(cl.rbuf, "{\"hello\":{}}\n", cl.rlen);
    conn_close(f->slots[0].c, "bye");
    conn_close(f->slots[0].c, "second reason ignored");
    assert_true(run_until(f, slot_closed, (int[]){ 0 }, 2000));
    assert_string_equal(f->slots[0].reason, "bye");
    assert_true(run_until(f, client_ended, &cl, 2000));
    client_close(f, &cl);
}

/* ---- credentials ---- */

static void test_peer_is_local_process(void **state)
{
    struct fx *f = *state;
    struct client a, b;

    open_listener(f);
    client_open(f, &a);
    client_open(f, &b);
    assert_int_equal(f->slots[0].peer.uid, getuid());
    assert_int_equal(f->slots[0].peer.gid, getgid());
    assert_int_equal(f->slots[0].peer.pid, getpid());
    assert_true(f->slots[1].id > f->slots[0].id);
    client_close(f, &a);
    client_close(f, &b);
}

/* In the child: 0 when it cannot reach the private socket but can reach the
 * group one, and says hello there; otherwise a code saying which step failed. */
static int other_user_child(const char *private_path, const char *group_path)
{
    char msg[200], buf[64];
    int fd;

    if (setgroups(0, NULL) != 0 || setgid(OTHER_ID) != 0 || setuid(OTHER_ID) != 0)
        return 10;
    fd = sockpath_connect(private_path, msg, sizeof msg);
    if (fd != -EACCES)
        return 11;
    fd = sockpath_connect(group_path, msg, sizeof msg);
    if (fd < 0)
        return 12;
    if (write(fd, "hi\n", 3) != 3)
        return 13;
    while (read(fd, buf, sizeof buf) > 0)
        ;
    close(fd);
    return 0;
}

static void test_peer_other_uid_via_group(void **state)
{
    struct fx *f = *state;
    struct listener *priv;
    struct group *gr = getgrgid(OTHER_ID);
    char group[64], priv_path[160], msg[256];
    struct stat st;
    int status;
    pid_t pid;

    if (geteuid() != 0 || !gr) {
        skip();
        return;
    }
    snprintf(group, sizeof group, "%s", gr->gr_name);
    snprintf(priv_path, sizeof priv_path, "%s/private.sock", f->dir);
    assert_int_equal(chmod(f->dir, 0711), 0);   /* let the other uid reach the files */
    assert_int_equal(listener_open(&f->loop, f->path, 0, group, srv_accept, f, &f->l,
                                   msg, sizeof msg), 0);
    assert_int_equal(listener_open(&f->loop, priv_path, 0, NULL, srv_accept, f, &priv,
                                   msg, sizeof msg), 0);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0660);
    assert_int_equal(st.st_gid, OTHER_ID);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(other_user_child(priv_path, f->path));
    assert_true(run_until(f, slot_lines, (int[]){ 0, 1 }, 5000));
    assert_line(&f->slots[0], 0, "hi");
    assert_int_equal(f->slots[0].peer.uid, OTHER_ID);
    assert_int_equal(f->slots[0].peer.gid, OTHER_ID);
    assert_int_equal(f->slots[0].peer.pid, pid);
    conn_close(f->slots[0].c, "done");
    assert_true(run_until(f, slot_closed, (int[]){ 0 }, 2000));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(f->nslots, 1);   /* the refused connect never arrived */
    listener_close(priv);
}

static void test_unknown_group_refused(void **state)
{
    struct fx *f = *state;
    struct listener *l = NULL;
    char msg[256];
    struct stat st;

    assert_int_equal(listener_open(&f->loop, f->path, 0, "no-such-group-cutover", srv_accept,
                                   f, &l, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "no group named \"no-such-group-cutover\""));
    assert_int_equal(stat(f->path, &st), -1);
}

/* ---- the socket file ---- */

static void test_socket_file_is_private(void **state)
{
    struct fx *f = *state;
    mode_t old = umask(0);   /* even a careless umask must not open it up */
    struct stat st;

    open_listener(f);
    umask(old);
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_string_equal(listener_path(f->l), f->path);
    assert_false(listener_replaced_stale(f->l));
}

static void make_stale_socket(const char *path)
{
    struct sockaddr_un sa;
    char msg[200];
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(sockpath_addr(path, &sa, msg, sizeof msg), 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 1), 0);
    close(fd);   /* like a crash: the file stays, nobody listens */
}

static void test_stale_socket_replaced(void **state)
{
    struct fx *f = *state;
    struct client cl;
    char msg[200];

    make_stale_socket(f->path);
    assert_int_equal(sockpath_connect(f->path, msg, sizeof msg), -ECONNREFUSED);
    open_listener(f);
    assert_true(listener_replaced_stale(f->l));
    client_open(f, &cl);
    client_write(&cl, "ping\n", 5);
    assert_true(run_until(f, slot_lines, (int[]){ 0, 1 }, 2000));
    assert_line(&f->slots[0], 0, "ping");
    client_close(f, &cl);
}

static void test_non_socket_file_replaced(void **state)
{
    struct fx *f = *state;
    FILE *fp = fopen(f->path, "w");
    struct stat st;

    assert_non_null(fp);
    fclose(fp);
    open_listener(f);
    assert_true(listener_replaced_stale(f->l));
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
}

static void test_live_server_refused(void **state)
{
    struct fx *f = *state;
    struct listener *second = NULL;
    struct client cl;
    char msg[400], want[400];
    struct stat before, after;

    open_listener(f);
    assert_int_equal(stat(f->path, &before), 0);
    assert_int_equal(listener_open(&f->loop, f->path, 0, NULL, srv_accept, f, &second,
                                   msg, sizeof msg), -1);
    snprintf(want, sizeof want, "a cutover server is already running on %s", f->path);
    assert_string_equal(msg, want);
    /* The running server keeps its file and keeps serving. */
    assert_int_equal(stat(f->path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    client_open(f, &cl);   /* slot 0 may be the probe's connection */
    client_write(&cl, "still here\n", 11);
    assert_true(run_until(f, slot_lines, (int[]){ f->nslots - 1, 1 }, 2000));
    assert_line(&f->slots[f->nslots - 1], 0, "still here");
    client_close(f, &cl);
}

static void test_too_long_path_is_an_error(void **state)
{
    struct fx *f = *state;
    struct listener *l = NULL;
    char path[200], msg[400];
    struct stat st;
    size_t n;

    n = (size_t)snprintf(path, sizeof path, "%s/", f->dir);
    while (n < sockpath_max() + 1)
        path[n++] = 's';
    path[n] = '\0';
    assert_int_equal(listener_open(&f->loop, path, 0, NULL, srv_accept, f, &l, msg, sizeof msg),
                     -1);
    assert_non_null(strstr(msg, "too long"));
    assert_int_equal(sockpath_connect(path, msg, sizeof msg), -ENAMETOOLONG);
    /* Nothing bound under the path or a truncated one. */
    assert_int_equal(stat(path, &st), -1);
    path[sockpath_max()] = '\0';
    assert_int_equal(stat(path, &st), -1);
    /* One byte shorter fits. */
    assert_int_equal(listener_open(&f->loop, path, 0, NULL, srv_accept, f, &f->l,
                                   msg, sizeof msg), 0);
    snprintf(f->path, sizeof f->path, "%s", path);
}

static void test_connect_to_nothing(void **state)
{
    struct fx *f = *state;
    char msg[200];

    assert_int_equal(sockpath_connect(f->path, msg, sizeof msg), -ENOENT);
    assert_non_null(strstr(msg, f->path));
}

static void test_close_leaves_a_foreign_file(void **state)
{
    struct fx *f = *state;
    char moved[160];
    struct stat st;

    open_listener(f);
    /* Someone moves ours away and puts another file there: not ours to remove. */
    snprintf(moved, sizeof moved, "%s/moved.sock", f->dir);
    assert_int_equal(rename(f->path, moved), 0);
    make_stale_socket(f->path);
    listener_close(f->l);
    f->l = NULL;
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(stat(f->path, &st), 0);
    unlink(moved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split_writes_arrive_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_lines_in_one_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_inside_on_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_line_with_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_line_never_ended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_client_dropped_others_served, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_refuses_embedded_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_is_local_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_other_uid_via_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_group_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_file_is_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_socket_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_socket_file_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_server_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_long_path_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_to_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_leaves_a_foreign_file, setup, teardown),
    };

    /* A write to a vanished client must be an error value, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

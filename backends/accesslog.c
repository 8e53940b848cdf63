/* accesslog: tail a live log file on the libuv loop.
 *
 * Wake-ups come from three sources because none is enough alone: an fs event
 * on the file (appends), one on its folder (a new file created at the path by
 * a rotation), and a timer poll (fs events get lost, coalesced or are not
 * delivered at all on some platforms and file systems). Every wake-up only
 * schedules one "tick" on the timer, so a burst of events costs one read.
 *
 * Reads are synchronous uv_fs_* calls on the loop thread: the file is a
 * regular file whose new bytes were just written and sit in the page cache,
 * so a read never waits on a peer, and a tick reads at most a bounded amount
 * before yielding the loop back (the rest comes on the next turn). */
#include "backends/accesslog.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_BUF_SIZE (256 * 1024)
#define READS_PER_TICK 16          /* 4 MiB per loop turn, then yield */
#define DEFAULT_POLL_MS 250
#define DEFAULT_MAX_LINE (64 * 1024)
#define DEFAULT_GRACE_MS 5000

/* One open file: the current one, or the one rotated away that late writers
 * may still append to. Each keeps its own unfinished last line. */
struct tail_file {
    uv_file fd;             /* -1 when closed */
    int64_t offset;         /* next byte to read */
    uint64_t dev, ino;
    char *carry;            /* the unfinished last line, max_line bytes */
    size_t carry_len;
    bool skipping;          /* dropping bytes up to the next '\n' */
    bool skip_too_long;     /* ...because the line is too long (count it) */
    uint64_t last_data_ms;  /* when this file last yielded bytes */
};

struct accesslog {
    uv_loop_t *loop;
    char *path, *dir, *base;
    accesslog_line_cb on_line;
    void *data;
    uint64_t backfill;
    unsigned poll_ms, grace_ms;
    size_t max_line;

    uv_timer_t timer;
    uv_fs_event_t file_ev, dir_ev;
    bool file_watching, dir_watching;
    int open_handles;
    bool kicked, stopping;
    bool fresh;             /* no file seen yet: the first one starts at its end */

    enum accesslog_state state;
    char error[160];
    struct tail_file cur, prev;
    char *buf;
    struct accesslog_counters c;
};

/* ---- synchronous file helpers (uv_fs_* without a callback) ---- */

static int fs_open(struct accesslog *al, const char *path)
{
    uv_fs_t req;
    int r = uv_fs_open(al->loop, &req, path, O_RDONLY, 0, NULL);
    uv_fs_req_cleanup(&req);
    return r;
}

static void fs_close(struct accesslog *al, uv_file fd)
{
    uv_fs_t req;
    uv_fs_close(al->loop, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
}

static int fs_fstat(struct accesslog *al, uv_file fd, uv_stat_t *st)
{
    uv_fs_t req;
    int r = uv_fs_fstat(al->loop, &req, fd, NULL);
    if (r == 0)
        *st = req.statbuf;
    uv_fs_req_cleanup(&req);
    return r;
}

static int fs_stat(struct accesslog *al, const char *path, uv_stat_t *st)
{
    uv_fs_t req;
    int r = uv_fs_stat(al->loop, &req, path, NULL);
    if (r == 0)
        *st = req.statbuf;
    uv_fs_req_cleanup(&req);
    return r;
}

static long fs_pread(struct accesslog *al, uv_file fd, char *dst, size_t len, int64_t off)
{
    uv_fs_t req;
    uv_buf_t b = uv_buf_init(dst, (unsigned)len);
    int r = uv_fs_read(al->loop, &req, fd, &b, 1, off, NULL);
    uv_fs_req_cleanup(&req);
    return r;
}

/* ---- splitting bytes into lines ---- */

static void emit(struct accesslog *al, const char *line, size_t len)
{
    al->c.lines++;
    al->on_line(line, len, al->data);
}

static void end_skip(struct accesslog *al, struct tail_file *tf)
{
    if (tf->skip_too_long)
        al->c.too_long++;
    tf->skipping = tf->skip_too_long = false;
}

/* Lines are handed out straight from the read buffer; only a line that
 * spans two reads goes through the carry buffer. */
static void feed(struct accesslog *al, struct tail_file *tf, const char *p, size_t n)
{
    while (n > 0 && !al->stopping) {
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl ? (size_t)(nl - p) : n;
        if (tf->skipping) {
            if (nl)
                end_skip(al, tf);
        } else if (tf->carry_len + seg > al->max_line) {
            tf->carry_len = 0;
            tf->skipping = tf->skip_too_long = true;
            if (nl)
                end_skip(al, tf);
        } else if (!nl) {
            memcpy(tf->carry + tf->carry_len, p, seg);
            tf->carry_len += seg;
        } else if (tf->carry_len > 0) {
            memcpy(tf->carry + tf->carry_len, p, seg);
            size_t len = tf->carry_len + seg;
            tf->carry_len = 0;
            emit(al, tf->carry, len);
        } else {
            emit(al, p, seg);
        }
        if (!nl)
            break;
        p = nl + 1;
        n -= seg + 1;
    }
}

/* The bytes of an unfinished line can never be completed once its file is
 * gone or rewritten: count them, do not guess. */
static void drop_partial(struct accesslog *al, struct tail_file *tf)
{
    if (tf->carry_len > 0 || tf->skip_too_long)
        al->c.partial_dropped++;
    tf->carry_len = 0;
    tf->skipping = tf->skip_too_long = false;
}

/* ---- files ---- */

static void set_failing(struct accesslog *al, const char *what, int err)
{
    al->state = ACCESSLOG_FAILING;
    snprintf(al->error, sizeof al->error, "%s %s: %s", what, al->path, uv_strerror(err));
}

static void file_close(struct accesslog *al, struct tail_file *tf)
{
    if (tf->fd >= 0)
        fs_close(al, tf->fd);
    tf->fd = -1;
    tf->offset = 0;
    tf->carry_len = 0;
    tf->skipping = tf->skip_too_long = false;
}

/* Reads until the end of the file or the budget. Returns 1 at the end, 0 when
 * the budget ran out (or the tailer is stopping), or a negative error. */
static int drain(struct accesslog *al, struct tail_file *tf, int *budget)
{
    while (*budget > 0 && !al->stopping) {
        long n = fs_pread(al, tf->fd, al->buf, READ_BUF_SIZE, tf->offset);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 1;
        (*budget)--;
        tf->offset += n;
        tf->last_data_ms = uv_now(al->loop);
        al->c.bytes += (uint64_t)n;
        feed(al, tf, al->buf, (size_t)n);
        if (n < READ_BUF_SIZE)
            return al->stopping ? 0 : 1;   /* a short read: the end, for now */
    }
    return 0;
}

/* copytruncate: the file is shorter than what we read, or (truncated and
 * already regrown past our offset) the byte before our offset is no longer
 * the one we read there. The second test misses a rewrite that happens to
 * put a '\n' at that very byte; polling often keeps that window small. */
static bool rewritten(struct accesslog *al, struct tail_file *tf)
{
    uv_stat_t st;
    if (tf->offset == 0 || fs_fstat(al, tf->fd, &st) != 0)
        return false;
    if ((int64_t)st.st_size < tf->offset)
        return true;
    if ((int64_t)st.st_size == tf->offset || tf->skipping)
        return false;
    char expect = tf->carry_len > 0 ? tf->carry[tf->carry_len - 1] : '\n';
    char got;
    return fs_pread(al, tf->fd, &got, 1, tf->offset - 1) == 1 && got != expect;
}

/* Where to start in a file found at start: the end, or back-fill bytes
 * before it; mid-line, drop the rest of that line. */
static void seek_start(struct accesslog *al, struct tail_file *tf, int64_t size)
{
    tf->offset = size > (int64_t)al->backfill ? size - (int64_t)al->backfill : 0;
    char before;
    if (tf->offset > 0 && fs_pread(al, tf->fd, &before, 1, tf->offset - 1) == 1 &&
        before != '\n')
        tf->skipping = true;
}

static void watch_file(struct accesslog *al);

static int open_current(struct accesslog *al)
{
    int fd = fs_open(al, al->path);
    if (fd == UV_ENOENT || fd == UV_ENOTDIR) {
        al->state = ACCESSLOG_WAITING;
        al->error[0] = '\0';
        al->fresh = false;      /* whatever appears later is all new */
        return fd;
    }
    if (fd < 0) {
        set_failing(al, "open", fd);
        return fd;
    }
    uv_stat_t st;
    int r = fs_fstat(al, fd, &st);
    if (r != 0) {
        fs_close(al, fd);
        set_failing(al, "stat", r);
        return r;
    }
    struct tail_file *tf = &al->cur;
    tf->fd = fd;
    tf->dev = st.st_dev;
    tf->ino = st.st_ino;
    tf->offset = 0;
    tf->last_data_ms = uv_now(al->loop);
    if (al->fresh)
        seek_start(al, tf, (int64_t)st.st_size);
    al->fresh = false;
    al->state = ACCESSLOG_FOLLOWING;
    al->error[0] = '\0';
    watch_file(al);
    return 0;
}

/* The old file is read to its end before it is put aside; it stays open
 * (and polled) until it has been quiet for the grace period. */
static void retire_current(struct accesslog *al)
{
    if (al->prev.fd >= 0) {
        int budget = 1 << 30;
        drain(al, &al->prev, &budget);
        drop_partial(al, &al->prev);
        file_close(al, &al->prev);
    }
    struct tail_file t = al->prev;
    al->prev = al->cur;
    al->cur = t;
    al->cur.fd = -1;
    al->cur.offset = 0;
    al->cur.carry_len = 0;
    al->cur.skipping = al->cur.skip_too_long = false;
}

/* A different file at the path: a rotation. Returns true when we switched. */
static bool rotated(struct accesslog *al)
{
    uv_stat_t st;
    if (fs_stat(al, al->path, &st) != 0)
        return false;   /* renamed away, nothing new yet: keep the old one */
    if (st.st_dev == al->cur.dev && st.st_ino == al->cur.ino)
        return false;
    retire_current(al);
    al->c.rotations++;
    return open_current(al) == 0;
}

static void drain_prev(struct accesslog *al, int *budget)
{
    int r = drain(al, &al->prev, budget);
    if (r < 0 || (r == 1 && uv_now(al->loop) - al->prev.last_data_ms >= al->grace_ms)) {
        drop_partial(al, &al->prev);
        file_close(al, &al->prev);
    }
}

/* ---- the loop side ---- */

static void on_timer(uv_timer_t *t);

/* Runs a tick on the next loop turn; many wake-ups before it cost one tick. */
static void kick(struct accesslog *al)
{
    if (al->kicked || al->stopping)
        return;
    al->kicked = true;
    uv_timer_start(&al->timer, on_timer, 0, al->poll_ms);
}

static void tick(struct accesslog *al)
{
    int budget = READS_PER_TICK;
    if (al->prev.fd >= 0)
        drain_prev(al, &budget);
    if (al->cur.fd < 0 && open_current(al) != 0)
        return;
    /* A few hops: a file that is replaced while we read it is followed at once. */
    for (int hop = 0; hop < 4 && !al->stopping; hop++) {
        if (rewritten(al, &al->cur)) {
            al->c.truncations++;
            drop_partial(al, &al->cur);
            al->cur.offset = 0;
        }
        int r = drain(al, &al->cur, &budget);
        if (r < 0) {
            set_failing(al, "read", r);   /* same offset next tick: nothing lost */
            return;
        }
        al->state = ACCESSLOG_FOLLOWING;
        if (r == 0) {
            kick(al);                     /* more to read: yield, come back */
            return;
        }
        if (!rotated(al))
            return;
    }
}

static void on_timer(uv_timer_t *t)
{
    struct accesslog *al = t->data;
    al->kicked = false;
    tick(al);
}

static void on_file_event(uv_fs_event_t *h, const char *name, int events, int status)
{
    kick(h->data);
}

static void on_dir_event(uv_fs_event_t *h, const char *name, int events, int status)
{
    struct accesslog *al = h->data;
    if (name == NULL || strcmp(name, al->base) == 0)
        kick(al);
}

/* Restarted at each (re)open, so it follows the file now at the path. */
static void watch_file(struct accesslog *al)
{
    if (al->file_watching)
        uv_fs_event_stop(&al->file_ev);
    al->file_watching = uv_fs_event_start(&al->file_ev, on_file_event, al->path, 0) == 0;
}

static void on_closed(uv_handle_t *h)
{
    struct accesslog *al = h->data;
    if (--al->open_handles > 0)
        return;
    file_close(al, &al->cur);
    file_close(al, &al->prev);
    free(al->cur.carry);
    free(al->prev.carry);
    free(al->buf);
    free(al->path);
    free(al->dir);
    free(al);
}

/* ---- public ---- */

static int split_path(struct accesslog *al, const char *path)
{
    al->path = strdup(path);
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        al->dir = strndup(path, n);
        al->base = al->path + (slash - path) + 1;
    } else {
        al->dir = strdup(".");
        al->base = al->path;
    }
    return al->path && al->dir ? 0 : UV_ENOMEM;
}

static void free_unstarted(struct accesslog *al)
{
    free(al->cur.carry);
    free(al->prev.carry);
    free(al->buf);
    free(al->path);
    free(al->dir);
    free(al);
}

static void init_handles(struct accesslog *al)
{
    uv_timer_init(al->loop, &al->timer);
    uv_fs_event_init(al->loop, &al->file_ev);
    uv_fs_event_init(al->loop, &al->dir_ev);
    al->timer.data = al->file_ev.data = al->dir_ev.data = al;
    al->open_handles = 3;
}

int accesslog_start(uv_loop_t *loop, const struct accesslog_options *opt,
                    struct accesslog **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (!opt->path || !*opt->path || !opt->on_line) {
        snprintf(msg, msglen, "accesslog: a path and a line callback are required");
        return UV_EINVAL;
    }
    struct accesslog *al = calloc(1, sizeof *al);
    if (!al) {
        snprintf(msg, msglen, "out of memory");
        return UV_ENOMEM;
    }
    al->loop = loop;
    al->on_line = opt->on_line;
    al->data = opt->data;
    al->backfill = opt->backfill_bytes;
    al->poll_ms = opt->poll_ms ? opt->poll_ms : DEFAULT_POLL_MS;
    al->grace_ms = opt->rotate_grace_ms ? opt->rotate_grace_ms : DEFAULT_GRACE_MS;
    al->max_line = opt->max_line ? opt->max_line : DEFAULT_MAX_LINE;
    al->cur.fd = al->prev.fd = -1;
    al->fresh = true;
    al->buf = malloc(READ_BUF_SIZE);
    al->cur.carry = malloc(al->max_line);
    al->prev.carry = malloc(al->max_line);
    if (split_path(al, opt->path) != 0 || !al->buf || !al->cur.carry || !al->prev.carry) {
        free_unstarted(al);
        snprintf(msg, msglen, "out of memory");
        return UV_ENOMEM;
    }
    init_handles(al);
    /* The folder watch sees the file appear and be replaced; without it
     * (folder missing) the poll still does. */
    al->dir_watching = uv_fs_event_start(&al->dir_ev, on_dir_event, al->dir, 0) == 0;
    open_current(al);
    uv_timer_start(&al->timer, on_timer, al->poll_ms, al->poll_ms);
    *out = al;
    return 0;
}

void accesslog_poll(struct accesslog *al)
{
    if (!al->stopping)
        tick(al);
}

enum accesslog_state accesslog_state(const struct accesslog *al)
{
    return al->state;
}

const char *accesslog_state_name(enum accesslog_state s)
{
    switch (s) {
    case ACCESSLOG_WAITING: return "waiting";
    case ACCESSLOG_FOLLOWING: return "following";
    case ACCESSLOG_FAILING: return "failing";
    }
    return "?";
}

const char *accesslog_error(const struct accesslog *al)
{
    return al->error;
}

void accesslog_get_counters(const struct accesslog *al, struct accesslog_counters *out)
{
    *out = al->c;
}

void accesslog_stop(struct accesslog *al)
{
    if (al->stopping)
        return;
    al->stopping = true;
    uv_close((uv_handle_t *)&al->timer, on_closed);
    uv_close((uv_handle_t *)&al->file_ev, on_closed);
    uv_close((uv_handle_t *)&al->dir_ev, on_closed);
}

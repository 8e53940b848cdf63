/* live_writer: appends access-log lines to a file at an exact pace, the way
 * a busy nginx would, so a live tail can be measured at a known rate.
 *
 *   live_writer --in POOL --out LOG [--rate LINES_PER_S] [--batch-ms MS] [--duration S]
 *
 * POOL is a file of lines in our format (bench/gen_log); they are written in
 * order and round again when the pool runs out. Each line's `msec=` field is
 * rewritten to the wall clock at the moment its batch is written, so a tail
 * counts it in the current window (the window drops old times and clamps
 * future ones). Pacing is by the monotonic clock and by count, not by sleep
 * length: at every tick the writer appends exactly the lines due since the
 * start (rate * elapsed) minus those written, so a late wake-up catches up
 * instead of lowering the rate. Each batch is one write(2) of whole lines to
 * a descriptor opened O_APPEND, as nginx writes.
 *
 * On exit it prints one line: `lines N bytes B seconds S rate R late_ticks L`. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct pool {
    char *buf;
    size_t len;
    size_t *start;        /* start[i]: offset of line i; start[n] = len */
    size_t *msec;         /* offset of line i's msec value, its digits */
    size_t n;
};

struct opts {
    const char *in, *out;
    double rate, batch_ms, duration;
};

static int usage(void)
{
    fprintf(stderr, "usage: live_writer --in POOL --out LOG [--rate LINES_PER_S] "
                    "[--batch-ms MS] [--duration S]\n");
    return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.rate = 20000, .batch_ms = 10, .duration = 10};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        if (strcmp(a, "--in") == 0)
            o->in = v;
        else if (strcmp(a, "--out") == 0)
            o->out = v;
        else if (strcmp(a, "--rate") == 0)
            o->rate = strtod(v, NULL);
        else if (strcmp(a, "--batch-ms") == 0)
            o->batch_ms = strtod(v, NULL);
        else if (strcmp(a, "--duration") == 0)
            o->duration = strtod(v, NULL);
        else
            return -1;
        i++;
    }
    if (!o->in || !o->out || o->rate <= 0 || o->batch_ms <= 0 || o->duration <= 0)
        return -1;
    return 0;
}

static int read_all(const char *path, struct pool *p)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
        fclose(f);
        return -1;
    }
    p->len = (size_t)st.st_size;
    p->buf = malloc(p->len);
    size_t got = p->buf ? fread(p->buf, 1, p->len, f) : 0;
    fclose(f);
    return got == p->len ? 0 : -1;
}

/* Finds line starts and each line's " msec=" value; the value must be
 * "SSSSSSSSSS.mmm" (the current epoch has 10 digits), so it can be
 * rewritten in place without moving bytes. Drops a last line without '\n'. */
static int index_lines(struct pool *p, char *msg, size_t msglen)
{
    size_t cap = 1024;
    p->start = malloc((cap + 1) * sizeof *p->start);
    p->msec = malloc(cap * sizeof *p->msec);
    if (!p->start || !p->msec) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    for (size_t off = 0; off < p->len;) {
        char *nl = memchr(p->buf + off, '\n', p->len - off);
        if (!nl)
            break;
        size_t end = (size_t)(nl - p->buf);
        if (p->n == cap) {
            cap *= 2;
            size_t *s = realloc(p->start, (cap + 1) * sizeof *s);
            if (s)
                p->start = s;
            size_t *m = s ? realloc(p->msec, cap * sizeof *m) : NULL;
            if (m)
                p->msec = m;
            if (!s || !m) {
                snprintf(msg, msglen, "out of memory");
                return -1;
            }
        }
        /* msec is the last field: search back from the line end. */
        size_t k = end;
        while (k > off + 6 && memcmp(p->buf + k - 6, " msec=", 6) != 0)
            k--;
        if (k <= off + 6 || end - k != 14 || p->buf[k + 10] != '.') {
            snprintf(msg, msglen, "line %zu: no msec=SSSSSSSSSS.mmm at its end", p->n + 1);
            return -1;
        }
        p->start[p->n] = off;
        p->msec[p->n] = k;
        p->n++;
        off = end + 1;
    }
    if (p->n == 0) {
        snprintf(msg, msglen, "no complete lines");
        return -1;
    }
    p->start[p->n] = p->msec[p->n - 1] + 15;     /* past the last line's '\n' */
    return 0;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "SSSSSSSSSS.mmm" of the wall clock, into 14 bytes. */
static void wall_msec(char out[15])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    snprintf(out, 15, "%010lld.%03d", (long long)tv.tv_sec, (int)(tv.tv_usec / 1000));
}

static int write_all(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes pool lines [first, first + count) as one write; count never wraps. */
static int write_lines(int fd, struct pool *p, size_t first, size_t count)
{
    char stamp[15];
    wall_msec(stamp);
    for (size_t i = first; i < first + count; i++)
        memcpy(p->buf + p->msec[i], stamp, 14);
    return write_all(fd, p->buf + p->start[first], p->start[first + count] - p->start[first]);
}

static void sleep_until(double at)
{
    struct timespec when = {.tv_sec = (time_t)at};
    when.tv_nsec = (long)((at - (double)when.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL) == EINTR)
        ;
}

static int run(const struct opts *o, struct pool *p)
{
    int fd = open(o->out, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        perror(o->out);
        return 1;
    }
    uint64_t written = 0, bytes_before = 0, late = 0;
    size_t next = 0;
    struct stat st;
    if (fstat(fd, &st) == 0)
        bytes_before = (uint64_t)st.st_size;
    double tick = o->batch_ms / 1000.0, t0 = mono_s(), end = t0 + o->duration;
    for (uint64_t k = 1;; k++) {
        double at = t0 + (double)k * tick;
        if (at > end)
            at = end;
        sleep_until(at);
        if (mono_s() > at + tick)     /* woke a whole tick late: the batch grows */
            late++;
        uint64_t due = (uint64_t)(o->rate * (at - t0)) - written;
        while (due > 0) {
            size_t count = due < p->n - next ? (size_t)due : p->n - next;
            if (write_lines(fd, p, next, count) != 0) {
                perror("write");
                close(fd);
                return 1;
            }
            written += count;
            due -= count;
            next = (next + count) % p->n;
        }
        if (at >= end)
            break;
    }
    double took = mono_s() - t0;
    if (fstat(fd, &st) != 0)
        st.st_size = 0;
    close(fd);
    printf("lines %" PRIu64 " bytes %" PRIu64 " seconds %.3f rate %.0f late_ticks %" PRIu64 "\n",
           written, (uint64_t)st.st_size - bytes_before, took, (double)written / took, late);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct pool p = {0};
    char msg[200];
    if (parse_opts(argc, argv, &o) != 0)
        return usage();
    if (read_all(o.in, &p) != 0) {
        fprintf(stderr, "live_writer: cannot read %s\n", o.in);
        return 1;
    }
    if (index_lines(&p, msg, sizeof msg) != 0) {
        fprintf(stderr, "live_writer: %s: %s\n", o.in, msg);
        return 1;
    }
    int rc = run(&o, &p);
    free(p.buf);
    free(p.start);
    free(p.msec);
    return rc;
}

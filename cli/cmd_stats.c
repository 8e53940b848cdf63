/* cutover stats: reads a whole access log in large blocks, parses each line
 * in place (core/logparse) and counts every upstream attempt for the color
 * that served it. No allocation per line: one read buffer per worker. A big
 * file is cut at line boundaries into one range per CPU, each counted by its
 * own thread into its own totals, merged at the end: parsing, not reading,
 * is the cost, so this is what makes a 2-million-line log take a blink. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "cli/cmd_stats.h"
#include "core/hist.h"
#include "core/logparse.h"

#define READ_BLOCK (1u << 20)         /* a line longer than this is malformed */
#define TAIL_BYTES (1u << 20)         /* where --window looks for the last line */
#define NO_FILTER INT64_MIN
#define OFF_MAX INT64_MAX             /* the "size" of a pipe */
#define MAX_WORKERS 16
#define MIN_RANGE (8 << 20)           /* below this a thread is not worth it */

enum { SLOT_OTHER = COLOR_COUNT, SLOT_COUNT };
static const char *const slot_names[SLOT_COUNT] = { "blue", "green", "other" };

struct color_stats {
    uint64_t requests;                /* attempts */
    uint64_t status_5xx;
    struct hist header;               /* $upstream_header_time, us */
};

struct stats {
    struct color_stats slot[SLOT_COUNT];
    uint64_t lines, malformed, no_upstream;
    const char *addr[COLOR_COUNT];
    size_t addr_len[COLOR_COUNT];
    int64_t from_ms;                  /* lines before this msec are skipped */
    /* A malformed line has no time of its own: it counts when the last good
     * line before it passed the filter. */
    bool in_range;
};

struct options {
    const char *path;
    bool json;
    int64_t since_ms;                 /* NO_FILTER when not given */
    int64_t window_ms;                /* 0 when not given */
    int threads;                      /* 0: one per CPU */
};

struct worker {
    struct stats st;
    int fd;
    off_t start, end;                 /* the lines that start in [start, end) */
    char *buf;
    int rc;
    uv_thread_t tid;
};

static void count_line(struct stats *st, const char *line, size_t len)
{
    struct logparse_record rec;
    if (logparse_line(line, len, &rec) < 0) {
        if (st->in_range)
            st->malformed++;
        return;
    }
    st->in_range = rec.msec >= st->from_ms;
    if (!st->in_range)
        return;
    st->lines++;
    if (rec.n_attempts == 0)
        st->no_upstream++;
    for (int i = 0; i < rec.n_attempts; i++) {
        const struct logparse_attempt *a = &rec.attempt[i];
        int c = logparse_addr_index(a->addr, st->addr, st->addr_len, COLOR_COUNT);
        struct color_stats *cs = &st->slot[c < 0 ? SLOT_OTHER : c];
        cs->requests++;
        if (a->status >= 500 && a->status <= 599)
            cs->status_5xx++;
        if (a->header_us >= 0)
            hist_add(&cs->header, (uint64_t)a->header_us);
    }
}

/* Feeds every line that starts in [off, end) to count_line, reading
 * READ_BLOCK bytes at a time with pread (the workers share the fd). */
static int scan_range(int fd, off_t off, off_t end, char *buf, struct stats *st)
{
    size_t have = 0;
    bool skipping = false;            /* inside an over-long line */
    while (off < end) {
        size_t want = READ_BLOCK - have;
        if ((off_t)want > end - off)
            want = (size_t)(end - off);
        /* a pipe has no offsets: one worker reads it in order */
        ssize_t n = end == OFF_MAX ? read(fd, buf + have, want) : pread(fd, buf + have, want, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;                    /* the file shrank under us */
        off += n;
        have += (size_t)n;
        char *p = buf, *stop = buf + have, *nl;
        while ((nl = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
            if (!skipping)
                count_line(st, p, (size_t)(nl - p));
            skipping = false;
            p = nl + 1;
        }
        have = (size_t)(stop - p);
        if (have == READ_BLOCK) {     /* no newline in a whole block */
            if (!skipping && st->in_range)
                st->malformed++;
            skipping = true;
            have = 0;
        } else {
            memmove(buf, p, have);
        }
    }
    if (have > 0 && !skipping)
        count_line(st, buf, have);    /* last line without its newline */
    return 0;
}

/* The msec of the last line that parses in the TAIL_BYTES before `end`;
 * -1 when there is none. */
static int64_t last_msec_before(int fd, off_t end, char *buf)
{
    off_t off = end > (off_t)TAIL_BYTES ? end - (off_t)TAIL_BYTES : 0;
    ssize_t n = end > off ? pread(fd, buf, (size_t)(end - off), off) : 0;
    if (n <= 0)
        return -1;
    const char *stop = buf + n;
    while (stop > buf) {
        const char *start = stop;
        while (start > buf && start[-1] != '\n')
            start--;
        struct logparse_record rec;
        if (stop > start && logparse_line(start, (size_t)(stop - start), &rec) == 0)
            return rec.msec;
        stop = start > buf ? start - 1 : buf;
    }
    return -1;
}

/* The offset just after the first newline at or after `off` (size if none). */
static off_t next_line(int fd, off_t off, off_t size, char *buf)
{
    while (off < size) {
        ssize_t n = pread(fd, buf, 65536, off);
        if (n <= 0)
            return size;
        const char *nl = memchr(buf, '\n', (size_t)n);
        if (nl)
            return off + (nl - buf) + 1;
        off += n;
    }
    return size;
}

/* "1728568536" (unix seconds) or "10m" / "90s" / "2h" / "1d" before now. */
static int parse_since(const char *s, int64_t now_s, int64_t *out_ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0))
        return -1;
    static const struct { char unit; int mult; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
    };
    if (*end == '\0') {
        *out_ms = (int64_t)(v * 1000);
        return 0;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (end[0] == units[i].unit && end[1] == '\0') {
            *out_ms = (now_s - (int64_t)(v * units[i].mult)) * 1000;
            return 0;
        }
    return -1;
}

static int parse_window(const char *s, int64_t *out_ms)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v <= 0 || v > 10L * 365 * 86400)
        return -1;
    *out_ms = (int64_t)v * 1000;
    return 0;
}

static int parse_args(struct app *app, int argc, char **argv, struct options *o)
{
    *o = (struct options){ .since_ms = NO_FILTER };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (strcmp(a, "--since") == 0) {
            if (!val || parse_since(val, (int64_t)time(NULL), &o->since_ms) < 0) {
                app_errorf(app, "stats: --since wants unix seconds or an age like 10m, got '%s'",
                           val ? val : "");
                return EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--window") == 0) {
            if (!val || parse_window(val, &o->window_ms) < 0) {
                app_errorf(app, "stats: --window wants whole seconds > 0, got '%s'", val ? val : "");
                return EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--threads") == 0) {
            char *end = NULL;
            long n = val ? strtol(val, &end, 10) : 0;
            if (!val || *end != '\0' || n < 1 || n > MAX_WORKERS) {
                app_errorf(app, "stats: --threads wants 1 to %d, got '%s'", MAX_WORKERS,
                           val ? val : "");
                return EXIT_USAGE;
            }
            o->threads = (int)n;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            app_errorf(app, "stats: unknown option '%s'", a);
            return EXIT_USAGE;
        } else if (o->path) {
            app_errorf(app, "stats: one log file at a time ('%s' and '%s')", o->path, a);
            return EXIT_USAGE;
        } else {
            o->path = a;
        }
    }
    if (!o->path) {
        app_errorf(app, "usage: cutover stats FILE [--json] [--since T] [--window S] [--threads N]");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static cJSON *quantiles_json(const struct hist *h)
{
    static const struct { const char *name; double q; } qs[] = {
        { "p50", 0.50 }, { "p95", 0.95 }, { "p99", 0.99 },
    };
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        if (h->count == 0)            /* no sample is not "0 ms" */
            cJSON_AddNullToObject(o, qs[i].name);
        else
            cJSON_AddNumberToObject(o, qs[i].name, (double)hist_quantile(h, qs[i].q) / 1000.0);
    }
    return o;
}

static double ratio(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

static void print_json(struct app *app, const struct stats *st)
{
    cJSON *o = cJSON_CreateObject();
    for (int s = 0; s < SLOT_COUNT; s++) {
        const struct color_stats *cs = &st->slot[s];
        cJSON *c = cJSON_AddObjectToObject(o, slot_names[s]);
        cJSON_AddNumberToObject(c, "requests", (double)cs->requests);
        cJSON_AddNumberToObject(c, "status_5xx", (double)cs->status_5xx);
        cJSON_AddNumberToObject(c, "ratio_5xx", ratio(cs->status_5xx, cs->requests));
        cJSON_AddItemToObject(c, "header_ms", quantiles_json(&cs->header));
    }
    cJSON_AddNumberToObject(o, "malformed", (double)st->malformed);
    char *text = cJSON_PrintUnformatted(o);
    fprintf(app->out, "%s\n", text);
    free(text);
    cJSON_Delete(o);
}

static void print_ms(FILE *out, const struct hist *h, double q)
{
    if (h->count == 0)
        fprintf(out, " %9s", "-");
    else
        fprintf(out, " %9.1f", (double)hist_quantile(h, q) / 1000.0);
}

static void print_text(struct app *app, const struct options *o, const struct stats *st)
{
    FILE *out = app->out;
    fprintf(out, "log        %s: %llu lines, %llu without upstream, %llu malformed\n", o->path,
            (unsigned long long)st->lines, (unsigned long long)st->no_upstream,
            (unsigned long long)st->malformed);
    if (st->from_ms != NO_FILTER)
        fprintf(out, "from msec  %lld.%03lld\n", (long long)(st->from_ms / 1000),
                (long long)(st->from_ms % 1000));
    fprintf(out, "%-7s %12s %9s %8s %9s %9s %9s\n", "color", "requests", "5xx", "ratio",
            "p50 ms", "p95 ms", "p99 ms");
    for (int s = 0; s < SLOT_COUNT; s++) {
        const struct color_stats *cs = &st->slot[s];
        fprintf(out, "%-7s %12llu %9llu %7.2f%%", slot_names[s],
                (unsigned long long)cs->requests, (unsigned long long)cs->status_5xx,
                100.0 * ratio(cs->status_5xx, cs->requests));
        print_ms(out, &cs->header, 0.50);
        print_ms(out, &cs->header, 0.95);
        print_ms(out, &cs->header, 0.99);
        fputc('\n', out);
    }
}

/* --since and --window both give a lower bound on msec; the later one wins. */
static int64_t filter_from(const struct options *o, int fd, off_t size, char *buf)
{
    int64_t from = o->since_ms;
    if (o->window_ms > 0) {
        int64_t last = last_msec_before(fd, size, buf);
        if (last >= 0 && last - o->window_ms + 1 > from)
            from = last - o->window_ms + 1;
    }
    return from;
}

static int worker_count(const struct options *o, off_t size)
{
    int n = o->threads ? o->threads : (int)uv_available_parallelism();
    if (!o->threads && (off_t)n * MIN_RANGE > size)
        n = (int)(size / MIN_RANGE);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

/* Cuts [0, size) at line starts, one range per worker; each starts with the
 * filter state of the last good line before its range. */
static void plan_ranges(struct worker *w, int n, int fd, off_t size, const struct stats *proto)
{
    for (int i = 0; i < n; i++) {
        w[i].st = *proto;
        w[i].fd = fd;
        w[i].start = i == 0 ? 0 : w[i - 1].end;
        off_t cut = i == n - 1 ? size : size / n * (i + 1);
        w[i].end = cut <= w[i].start ? w[i].start : next_line(fd, cut - 1, size, w[i].buf);
        if (i == n - 1)
            w[i].end = size;
        if (i > 0 && proto->from_ms != NO_FILTER)
            w[i].st.in_range = last_msec_before(fd, w[i].start, w[i].buf) >= proto->from_ms;
    }
}

static void worker_run(void *arg)
{
    struct worker *w = arg;
    w->rc = scan_range(w->fd, w->start, w->end, w->buf, &w->st);
}

static void merge_stats(struct stats *dst, const struct stats *src)
{
    dst->lines += src->lines;
    dst->malformed += src->malformed;
    dst->no_upstream += src->no_upstream;
    for (int s = 0; s < SLOT_COUNT; s++) {
        dst->slot[s].requests += src->slot[s].requests;
        dst->slot[s].status_5xx += src->slot[s].status_5xx;
        hist_merge(&dst->slot[s].header, &src->slot[s].header);
    }
}

/* Runs workers 1..n-1 on threads and worker 0 here; a thread that cannot
 * start runs here too. Returns 0 or the first read error. */
static int run_workers(struct worker *w, int n, struct stats *total)
{
    bool started[MAX_WORKERS] = { false };
    for (int i = 1; i < n; i++)
        started[i] = uv_thread_create(&w[i].tid, worker_run, &w[i]) == 0;
    for (int i = 0; i < n; i++)
        if (!started[i])
            worker_run(&w[i]);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (started[i])
            uv_thread_join(&w[i].tid);
        if (w[i].rc < 0 && rc == 0)
            rc = w[i].rc;
        merge_stats(total, &w[i].st);
    }
    return rc;
}

static int count_file(const struct options *o, int fd, struct stats *total)
{
    struct stat sb;
    if (fstat(fd, &sb) < 0)
        return -errno;
    bool regular = S_ISREG(sb.st_mode);
    if (!regular && o->window_ms > 0)
        return -ESPIPE;               /* --window reads the end first */
    if (!regular)
        sb.st_size = OFF_MAX;
    int n = regular ? worker_count(o, sb.st_size) : 1;
    struct worker *w = calloc((size_t)n, sizeof *w);
    int rc = w ? 0 : -ENOMEM;
    for (int i = 0; i < n && rc == 0; i++)
        if (!(w[i].buf = malloc(READ_BLOCK)))
            rc = -ENOMEM;
    if (rc == 0) {
        total->from_ms = filter_from(o, fd, sb.st_size, w[0].buf);
        total->in_range = total->from_ms == NO_FILTER;
        plan_ranges(w, n, fd, sb.st_size, total);
        rc = run_workers(w, n, total);
    }
    for (int i = 0; w && i < n; i++)
        free(w[i].buf);
    free(w);
    return rc;
}

/* Every attempt went to neither color: the colors are likely not this
 * log's (the built-in defaults, when no config was found). Said on stderr,
 * with the config paths tried. */
static void hint_no_color(struct app *app, const struct stats *st)
{
    if (st->slot[SLOT_OTHER].requests == 0 || st->slot[COLOR_BLUE].requests ||
        st->slot[COLOR_GREEN].requests)
        return;
    app_errorf(app, "stats: no attempt went to blue (%s) or green (%s): %llu went to other "
               "upstreams; is this the config of that nginx?",
               st->addr[COLOR_BLUE] ? st->addr[COLOR_BLUE] : "?",
               st->addr[COLOR_GREEN] ? st->addr[COLOR_GREEN] : "?",
               (unsigned long long)st->slot[SLOT_OTHER].requests);
}

int cmd_stats(struct app *app, int argc, char **argv)
{
    struct options o;
    int rc = parse_args(app, argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;
    int fd = open(o.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        app_errorf(app, "stats: cannot open %s: %s", o.path, strerror(errno));
        return EXIT_FAILURE_IO;
    }
    struct stats *total = calloc(1, sizeof *total);
    if (!total) {
        close(fd);
        app_errorf(app, "stats: out of memory");
        return EXIT_FAILURE_IO;
    }
    for (int c = 0; c < COLOR_COUNT; c++) {
        total->addr[c] = app->cfg->colors[c].addr;
        total->addr_len[c] = total->addr[c] ? strlen(total->addr[c]) : 0;
    }
    rc = count_file(&o, fd, total);
    close(fd);
    if (rc == -ESPIPE)
        app_errorf(app, "stats: --window reads the end of the log first: %s is not a regular file", o.path);
    else if (rc < 0)
        app_errorf(app, "stats: cannot read %s: %s", o.path, strerror(-rc));
    else if (o.json)
        print_json(app, total);
    else
        print_text(app, &o, total);
    if (rc >= 0)
        hint_no_color(app, total);
    free(total);
    return rc < 0 ? EXIT_FAILURE_IO : EXIT_OK;
}

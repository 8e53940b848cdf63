/* accesslog against real files on a real loop: what the live signals rely on
 * (every line written reaches the callback exactly once, whole, in order,
 * across appends, partial writes, rotation, truncation and a missing file),
 * and that stopping leaves the loop empty. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>

#include "backends/accesslog.h"

#define KEEP_MAX 64

struct fx {
    uv_loop_t loop;
    char dir[128], path[192], rotated[200];
    struct accesslog *al;
    size_t n;                      /* lines received */
    char kept[KEEP_MAX][80];       /* the first lines, for exact checks */
    uint64_t hash;                 /* FNV-1a over every received line + '\n' */
    long next_seq;                 /* burst: the number the next line must carry */
    bool seq_ok;
    size_t stop_after;             /* stop from inside the callback after N lines */
};

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void on_line(const char *line, size_t len, void *data)
{
    struct fx *f = data;
    if (f->n < KEEP_MAX)
        snprintf(f->kept[f->n], sizeof f->kept[0], "%.*s", (int)(len < 79 ? len : 79), line);
    f->hash = fnv(fnv(f->hash, line, len), "\n", 1);
    long seq = -1;
    if (len > 4 && memcmp(line, "req ", 4) == 0)
        seq = strtol(line + 4, NULL, 10);
    if (seq != f->next_seq)
        f->seq_ok = false;
    f->next_seq++;
    f->n++;
    if (f->stop_after && f->n == f->stop_after)
        accesslog_stop(f->al);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    snprintf(f->dir, sizeof f->dir, "%s/accesslog-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/access.log", f->dir);
    snprintf(f->rotated, sizeof f->rotated, "%s.1", f->path);
    f->hash = 14695981039346656037ULL;
    f->seq_ok = true;
    *state = f;
    return 0;
}

/* Every test ends with the tailer stopped and the loop closing cleanly. */
static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->al && !f->stop_after)
        accesslog_stop(f->al);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_alive(&f->loop), 0);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    unlink(f->path);
    unlink(f->rotated);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void start(struct fx *f, uint64_t backfill, unsigned grace_ms)
{
    struct accesslog_options o = {
        .path = f->path, .on_line = on_line, .data = f,
        .backfill_bytes = backfill, .rotate_grace_ms = grace_ms,
    };
    char msg[256] = "";
    assert_int_equal(accesslog_start(&f->loop, &o, &f->al, msg, sizeof msg), 0);
    assert_non_null(f->al);
}

/* Turns the loop until n lines arrived or timeout_ms passed. */
static void run_until(struct fx *f, size_t n, unsigned timeout_ms)
{
    uv_update_time(&f->loop);
    uint64_t end = uv_now(&f->loop) + timeout_ms;
    while (f->n < n && uv_now(&f->loop) < end) {
        uv_run(&f->loop, UV_RUN_ONCE);
        uv_update_time(&f->loop);
    }
}

static void run_for(struct fx *f, unsigned ms)
{
    run_until(f, SIZE_MAX, ms);
}

/* Appends like nginx does: O_APPEND, one write per call. */
static int open_writer(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(fd >= 0);
    return fd;
}

static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(write(fd, s, n), (ssize_t)n);
}

static void write_file(const char *path, const char *s)
{
    int fd = open_writer(path);
    put(fd, s);
    close(fd);
}

static struct accesslog_counters counters(struct fx *f)
{
    struct accesslog_counters c;
    accesslog_get_counters(f->al, &c);
    return c;
}

static void test_starts_at_end_and_follows_appends_in_order(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "old 1\nold 2\n");
    start(f, 0, 0);
    assert_int_equal(accesslog_state(f->al), ACCESSLOG_FOLLOWING);
    int w = open_writer(f->path);
    put(w, "new 1\n");
    run_until(f, 1, 2000);
    put(w, "new 2\nnew 3\n");
    put(w, "new 4\n");
    run_until(f, 4, 2000);
    run_for(f, 300);    /* nothing more, nothing twice */
    close(w);
    assert_int_equal(f->n, 4);
    assert_string_equal(f->kept[0], "new 1");
    assert_string_equal(f->kept[1], "new 2");
    assert_string_equal(f->kept[2], "new 3");
    assert_string_equal(f->kept[3], "new 4");
    assert_int_equal(counters(f).lines, 4);
    assert_int_equal(counters(f).bytes, 24);
}

static void test_partial_line_waits_for_its_newline(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 0);
    int w = open_writer(f->path);
    put(w, "first half, ");
    run_for(f, 400);
    assert_int_equal(f->n, 0);
    put(w, "second half\nnext");
    run_until(f, 1, 2000);
    run_for(f, 300);
    assert_int_equal(f->n, 1);
    assert_string_equal(f->kept[0], "first half, second half");
    put(w, "\n");
    run_until(f, 2, 2000);
    close(w);
    assert_int_equal(f->n, 2);
    assert_string_equal(f->kept[1], "next");
}

/* logrotate's default: rename, a new file at the path, the writer reopens
 * late. Lines written to the old file before the rename, after it, and even
 * after the new file exists all arrive exactly once. */
static void test_rotation_by_rename_loses_and_repeats_nothing(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 0);
    int old = open_writer(f->path);
    put(old, "a1\na2\n");
    run_until(f, 2, 2000);
    put(old, "a3\n");                      /* just before the rename, unread */
    assert_int_equal(rename(f->path, f->rotated), 0);
    put(old, "a4\n");                      /* the writer has not reopened yet */
    run_until(f, 4, 2000);
    assert_int_equal(f->n, 4);
    int cur = open_writer(f->path);        /* the writer reopens */
    put(cur, "b1\nb2\n");
    run_until(f, 6, 2000);
    run_for(f, 600);                       /* a few polls after the switch */
    put(old, "a5\n");                      /* a late worker still on the old file */
    put(cur, "b3\n");
    run_until(f, 8, 2000);
    run_for(f, 300);
    close(old);
    close(cur);
    const char *want[] = {"a1", "a2", "a3", "a4", "b1", "b2"};
    assert_int_equal(f->n, 8);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(f->kept[i], want[i]);
    /* a5 and b3 come from two files: either order, each once */
    bool a5_b3 = strcmp(f->kept[6], "a5") == 0 && strcmp(f->kept[7], "b3") == 0;
    bool b3_a5 = strcmp(f->kept[6], "b3") == 0 && strcmp(f->kept[7], "a5") == 0;
    assert_true(a5_b3 || b3_a5);
    assert_int_equal(counters(f).rotations, 1);
    assert_int_equal(counters(f).truncations, 0);
}

/* The old file is let go once quiet for the grace period; the tailer goes on
 * with the new one and a second rotation works the same way. */
static void test_two_rotations_in_a_row(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 200);
    write_file(f->path, "x1\n");
    run_until(f, 1, 2000);
    for (int r = 0; r < 2; r++) {
        write_file(f->path, r == 0 ? "x2\n" : "x4\n");
        unlink(f->rotated);
        assert_int_equal(rename(f->path, f->rotated), 0);
        write_file(f->path, r == 0 ? "x3\n" : "x5\n");
        run_until(f, (size_t)(3 + 2 * r), 2000);
        run_for(f, 400);                  /* past the grace: old file closed */
    }
    assert_int_equal(f->n, 5);
    for (int i = 0; i < 5; i++) {
        char want[8];
        snprintf(want, sizeof want, "x%d", i + 1);
        assert_string_equal(f->kept[i], want);
    }
    assert_int_equal(counters(f).rotations, 2);
}

/* copytruncate: the file is cut to 0 and written again from the start. */
static void test_copytruncate_restarts_at_zero(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 0);
    int w = open_writer(f->path);
    put(w, "line one\nline two\n");
    run_until(f, 2, 2000);
    assert_int_equal(truncate(f->path, 0), 0);
    put(w, "m1\n");                        /* shorter than what was read */
    run_until(f, 3, 2000);
    assert_int_equal(f->n, 3);
    assert_string_equal(f->kept[2], "m1");
    assert_int_equal(counters(f).truncations, 1);
    /* Cut again and regrow past our offset before the tailer looks: the
     * size alone cannot tell, the changed byte before the offset does. */
    assert_int_equal(truncate(f->path, 0), 0);
    put(w, "regrown well past the old offset\nand more\n");
    run_until(f, 5, 2000);
    run_for(f, 300);
    close(w);
    assert_int_equal(f->n, 5);
    assert_string_equal(f->kept[3], "regrown well past the old offset");
    assert_string_equal(f->kept[4], "and more");
    assert_int_equal(counters(f).truncations, 2);
}

static void test_missing_file_is_waited_for(void **state)
{
    struct fx *f = *state;
    start(f, 4096, 0);
    assert_int_equal(accesslog_state(f->al), ACCESSLOG_WAITING);
    assert_string_equal(accesslog_state_name(accesslog_state(f->al)), "waiting");
    run_for(f, 300);
    assert_int_equal(accesslog_state(f->al), ACCESSLOG_WAITING);
    /* A file that appears later is new: read from its first byte. */
    write_file(f->path, "born 1\nborn 2\n");
    run_until(f, 2, 2000);
    assert_int_equal(f->n, 2);
    assert_string_equal(f->kept[0], "born 1");
    assert_string_equal(f->kept[1], "born 2");
    assert_int_equal(accesslog_state(f->al), ACCESSLOG_FOLLOWING);
}

/* Back-fill starts N bytes before the end, at the next whole line. */
static void test_backfill_starts_at_a_line(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "one\ntwo\nthree\n");   /* 14 bytes */
    start(f, 7, 0);                              /* lands inside "two" */
    run_until(f, 1, 2000);
    run_for(f, 300);
    assert_int_equal(f->n, 1);
    assert_string_equal(f->kept[0], "three");
}

static void test_backfill_on_a_line_start(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "one\ntwo\nthree\n");
    start(f, 10, 0);                             /* exactly at "two" */
    run_until(f, 2, 2000);
    run_for(f, 300);
    assert_int_equal(f->n, 2);
    assert_string_equal(f->kept[0], "two");
    assert_string_equal(f->kept[1], "three");
}

static void put_repeated(int fd, char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    put(fd, s);
    free(s);
}

/* A line over 64 KiB is counted and skipped, not buffered for ever; one of
 * exactly 64 KiB still arrives whole. */
static void test_too_long_line_is_counted_not_kept(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 0);
    int w = open_writer(f->path);
    put(w, "before\n");
    put_repeated(w, 'x', 100 * 1024);
    run_for(f, 300);                   /* the long line is still growing */
    put(w, "\nafter\n");
    put_repeated(w, 'y', 64 * 1024);
    put(w, "\n");
    run_until(f, 3, 2000);
    close(w);
    assert_int_equal(f->n, 3);
    assert_string_equal(f->kept[0], "before");
    assert_string_equal(f->kept[1], "after");
    assert_int_equal(strlen(f->kept[2]), 79);   /* kept[] truncates; the hash has all */
    assert_int_equal(counters(f).too_long, 1);
}

/* A million lines written in uneven chunks (lines split across writes and
 * reads) arrive exactly: count, order and a checksum of every byte. */
static void test_million_line_burst(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 0);
    int w = open_writer(f->path);
    enum { LINES = 1000000, CHUNK = 100003 };
    char *chunk = malloc(CHUNK + 128);
    assert_non_null(chunk);
    uint64_t want = 14695981039346656037ULL, total = 0;
    size_t used = 0;
    for (long i = 0; i < LINES; i++) {
        int n = snprintf(chunk + used, 128, "req %ld GET /v1/chat/completions 200 %ld\n", i, i * 7);
        want = fnv(want, chunk + used, (size_t)n);
        used += (size_t)n;
        if (used >= CHUNK || i == LINES - 1) {
            size_t cut = used > CHUNK ? CHUNK : used;   /* mid-line on purpose */
            assert_int_equal(write(w, chunk, cut), (ssize_t)cut);
            memmove(chunk, chunk + cut, used - cut);
            total += cut;
            used -= cut;
            uv_run(&f->loop, UV_RUN_NOWAIT);
        }
    }
    if (used) {
        assert_int_equal(write(w, chunk, used), (ssize_t)used);
        total += used;
    }
    free(chunk);
    close(w);
    run_until(f, LINES, 60000);
    run_for(f, 300);
    assert_int_equal(f->n, LINES);
    assert_true(f->seq_ok);
    assert_true(f->hash == want);
    assert_int_equal(counters(f).bytes, total);
    assert_int_equal(counters(f).lines, LINES);
}

static void test_stop_from_the_callback(void **state)
{
    struct fx *f = *state;
    write_file(f->path, "");
    start(f, 0, 0);
    f->stop_after = 2;
    write_file(f->path, "s1\ns2\ns3\ns4\n");
    run_until(f, 4, 600);
    assert_int_equal(f->n, 2);          /* nothing after stop */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_starts_at_end_and_follows_appends_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_line_waits_for_its_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_by_rename_loses_and_repeats_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_rotations_in_a_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copytruncate_restarts_at_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_is_waited_for, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backfill_starts_at_a_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backfill_on_a_line_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_long_line_is_counted_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_million_line_burst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_from_the_callback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

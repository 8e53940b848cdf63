/* atomicfile: the promises nginx's upstream file and the journal rely on.
 * Runs in a fresh temp folder per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/atomicfile.h"

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cutover-af-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/upstream.conf", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    if (d != NULL)
        closedir(d);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    if (d != NULL)
        closedir(d);
    return n;
}

static void assert_file_is(const char *path, const char *want)
{
    char *data = NULL, msg[256];
    size_t len = 0;
    assert_int_equal(atomicfile_read(path, &data, &len, msg, sizeof msg), 0);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
    free(data);
}

static void test_write_read_back(void **state)
{
    struct fixture *f = *state;
    char msg[256];
    const char *text = "upstream gw {\n    server 127.0.0.1:8787 weight=90;\n}\n";
    assert_int_equal(atomicfile_write(f->path, text, strlen(text), false, msg, sizeof msg), 0);
    assert_file_is(f->path, text);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);   /* a new file is world-readable for nginx */
    assert_int_equal(count_entries(f->dir), 1);   /* no temp left behind */

    char *data = (char *)"x";
    size_t len = 7;
    char missing[160];
    snprintf(missing, sizeof missing, "%s/nope", f->dir);
    assert_int_equal(atomicfile_read(missing, &data, &len, msg, sizeof msg), -1);
    assert_int_equal(errno, ENOENT);
    assert_null(data);
    assert_non_null(strstr(msg, "nope: No such file or directory"));
}

static void test_prev_keeps_old_bytes(void **state)
{
    struct fixture *f = *state;
    char msg[256], prev[160];
    snprintf(prev, sizeof prev, "%s.prev", f->path);
    assert_int_equal(atomicfile_write(f->path, "first\n", 6, true, msg, sizeof msg), 0);
    assert_int_equal(access(prev, F_OK), -1);     /* nothing before: no .prev */
    assert_int_equal(atomicfile_write(f->path, "second\n", 7, true, msg, sizeof msg), 0);
    assert_file_is(f->path, "second\n");
    assert_file_is(prev, "first\n");
    assert_int_equal(atomicfile_write(f->path, "third\n", 6, false, msg, sizeof msg), 0);
    assert_file_is(prev, "first\n");              /* keep_prev=false leaves it alone */
    assert_int_equal(count_entries(f->dir), 2);
}

static void test_mode_preserved(void **state)
{
    struct fixture *f = *state;
    char msg[256];
    assert_int_equal(atomicfile_write(f->path, "a", 1, false, msg, sizeof msg), 0);
    assert_int_equal(chmod(f->path, 0640), 0);
    assert_int_equal(atomicfile_write(f->path, "bb", 2, false, msg, sizeof msg), 0);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_file_is(f->path, "bb");
}

static void test_missing_folder(void **state)
{
    struct fixture *f = *state;
    char msg[256] = "", path[192];
    snprintf(path, sizeof path, "%s/no-such-dir/upstream.conf", f->dir);
    assert_int_equal(atomicfile_write(path, "x", 1, true, msg, sizeof msg), -1);
    char want[256];
    snprintf(want, sizeof want, "cannot write %s: No such file or directory", path);
    assert_string_equal(msg, want);
    assert_int_equal(count_entries(f->dir), 0);
}

/* Root ignores permission bits, so force the failure with a FILE as folder. */
static void test_unwritable_folder(void **state)
{
    struct fixture *f = *state;
    char msg[256] = "", notdir[160], path[192];
    snprintf(notdir, sizeof notdir, "%s/plainfile", f->dir);
    assert_int_equal(atomicfile_write(notdir, "x", 1, false, msg, sizeof msg), 0);
    snprintf(path, sizeof path, "%s/upstream.conf", notdir);
    assert_int_equal(atomicfile_write(path, "y", 1, false, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "Not a directory"));
    assert_int_equal(count_entries(f->dir), 1);
    assert_file_is(notdir, "x");
}

static void test_clean_stale(void **state)
{
    struct fixture *f = *state;
    char msg[256], p[192];
    const char *names[] = { ".upstream.conf.tmp-abc123", ".upstream.conf.prev.tmp-zz", NULL };
    for (int i = 0; names[i] != NULL; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
        assert_int_equal(atomicfile_write(p, "half", 4, false, msg, sizeof msg), 0);
    }
    snprintf(p, sizeof p, "%s/.other.conf.tmp-abc123", f->dir);  /* not ours */
    assert_int_equal(atomicfile_write(p, "keep", 4, false, msg, sizeof msg), 0);
    assert_int_equal(atomicfile_write(f->path, "live", 4, false, msg, sizeof msg), 0);
    assert_int_equal(count_entries(f->dir), 4);
    atomicfile_clean_stale(f->path);
    assert_int_equal(count_entries(f->dir), 2);
    assert_file_is(f->path, "live");
    assert_file_is(p, "keep");
}

static void append_many(const char *path, char tag)
{
    char line[128], msg[256];
    for (int i = 0; i < 2000; i++) {
        snprintf(line, sizeof line, "%c %04d the quick brown fox jumps over the lazy dog", tag, i);
        if (atomicfile_append_line(path, line, msg, sizeof msg) != 0)
            _exit(1);
    }
}

static void test_append_two_writers(void **state)
{
    struct fixture *f = *state;
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        append_many(f->path, 'A');
        _exit(0);
    }
    append_many(f->path, 'B');
    int status;
    assert_int_equal(waitpid(kid, &status, 0), kid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    char *data, msg[256];
    size_t len;
    assert_int_equal(atomicfile_read(f->path, &data, &len, msg, sizeof msg), 0);
    int lines = 0, next[2] = { 0, 0 };
    for (char *p = data, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1, lines++) {
        char tag;
        int n;
        char expect[128];
        assert_int_equal(sscanf(p, "%c %d", &tag, &n), 2);
        assert_true(tag == 'A' || tag == 'B');
        assert_int_equal(n, next[tag == 'B']++);  /* each writer's lines whole and in order */
        snprintf(expect, sizeof expect, "%c %04d the quick brown fox jumps over the lazy dog\n",
                 tag, n);
        assert_memory_equal(p, expect, strlen(expect));
    }
    assert_int_equal(lines, 4000);
    free(data);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

/* The product's promise: killed at any moment, the file is old or new. */
static void fill(char *buf, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (i % 64 == 63) ? '\n' : c;
}

static void test_sigkill_never_partial(void **state)
{
    struct fixture *f = *state;
    static char a[3000], b[5000];
    fill(a, sizeof a, 'a');
    fill(b, sizeof b, 'b');
    char msg[256];
    assert_int_equal(atomicfile_write(f->path, a, sizeof a, false, msg, sizeof msg), 0);
    srand((unsigned)time(NULL));
    for (int round = 0; round < 200; round++) {
        pid_t kid = fork();
        assert_true(kid >= 0);
        if (kid == 0) {
            char m[256];
            for (unsigned i = 0;; i++) {
                if (i % 2 == 0)
                    atomicfile_write(f->path, b, sizeof b, true, m, sizeof m);
                else
                    atomicfile_write(f->path, a, sizeof a, true, m, sizeof m);
            }
        }
        usleep((useconds_t)(rand() % 8000));
        kill(kid, SIGKILL);
        int status;
        assert_int_equal(waitpid(kid, &status, 0), kid);
        char *data;
        size_t len;
        assert_int_equal(atomicfile_read(f->path, &data, &len, msg, sizeof msg), 0);
        bool is_a = len == sizeof a && memcmp(data, a, len) == 0;
        bool is_b = len == sizeof b && memcmp(data, b, len) == 0;
        free(data);
        if (!is_a && !is_b)
            fail_msg("round %d: file of %zu bytes is neither A nor B", round, len);
        atomicfile_clean_stale(f->path);  /* the killed writer's temp, if any */
    }
    /* only the file and its .prev remain once stale temps are cleaned */
    assert_int_equal(count_entries(f->dir), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prev_keeps_old_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_preserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_two_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_never_partial, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

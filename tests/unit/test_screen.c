/* test_screen: the real screen on a real pty. Each test forks a child with
 * forkpty (the pty is its controlling tty, so /dev/tty is the pty); the
 * child opens the screen on a libuv loop, draws, takes keys, and reports;
 * the parent plays the terminal: reads what was written, resizes, types. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <term.h>
#include <time.h>
#include <unistd.h>

#include "tui/screen.h"

#define READY_TEXT "ready: h\xc3\xa9\xe2\x9c\x93 cutover"   /* "ready: hé✓ cutover" */
#define TIMEOUT_MS 10000

enum child_mode { CHILD_KEYS, CHILD_MONO, CHILD_CRASH, CHILD_EXIT, CHILD_HANGUP };

/* ---- the child: a tiny console ---- */

struct child {
    enum child_mode mode;
    uv_loop_t loop;
    struct screen *s;
    int keys[16], nkeys;
    int cols, rows;
    bool hung;
};

/* Reachable from here, so a child that leaves by exit() leaks nothing. */
static struct child *the_child;

static void child_draw(struct child *c, const char *text, int row, enum grid_role role)
{
    struct grid *g = grid_new(40, 1);
    if (!g)
        abort();
    grid_put_text(g, 0, 0, text, -1, role);
    screen_blit(c->s, g, row, 2);
    grid_free(g);
}

static void child_key(void *ud, int key)
{
    struct child *c = ud;
    if (c->nkeys < 16)
        c->keys[c->nkeys++] = key;
    if (key == 'q')
        screen_close(c->s);
}

static void child_resize(void *ud, int cols, int rows)
{
    struct child *c = ud;
    char text[40];
    c->cols = cols;
    c->rows = rows;
    snprintf(text, sizeof text, "size %dx%d", cols, rows);
    child_draw(c, READY_TEXT, 1, ROLE_BLUE);
    child_draw(c, text, 3, ROLE_GREEN);
}

static void child_hangup(void *ud)
{
    struct child *c = ud;
    c->hung = true;
    screen_close(c->s);
}

static int child_main(enum child_mode mode)
{
    static struct child c;
    the_child = &c;
    c.mode = mode;
    setenv("TERM", "xterm-256color", 1);
    setenv("LC_ALL", "C.UTF-8", 1);
    if (mode == CHILD_MONO)
        setenv("NO_COLOR", "1", 1);
    else
        unsetenv("NO_COLOR");
    if (mode == CHILD_HANGUP)
        signal(SIGHUP, SIG_IGN);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);

    struct theme t;
    char err[256];
    theme_load(NULL, &t, err, sizeof err);
    uv_loop_init(&c.loop);
    struct screen_callbacks cb = {child_key, child_resize, child_hangup, &c};
    if (screen_open(&c.loop, &t, &cb, NULL, &c.s, err, sizeof err) < 0) {
        fprintf(stderr, "screen_open: %s\n", err);
        return 3;
    }
    char info[40];
    screen_size(c.s, &c.cols, &c.rows);
    snprintf(info, sizeof info, "utf8=%d colors=%d %dx%d", screen_utf8(c.s),
             screen_colors(c.s), c.cols, c.rows);
    child_draw(&c, READY_TEXT, 1, ROLE_BLUE);
    child_draw(&c, info, 2, ROLE_TEXT);
    screen_flush(c.s);
    if (mode == CHILD_CRASH)
        raise(SIGABRT);
    if (mode == CHILD_EXIT)
        exit(0);
    uv_run(&c.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&c.loop) != 0)
        return 4;
    if (mode == CHILD_HANGUP)
        return c.hung ? 0 : 5;
    /* The terminal is back to normal: plain lines for the parent. */
    printf("\r\nkeys=");
    for (int i = 0; i < c.nkeys; i++)
        printf("%s%d", i ? "," : "", c.keys[i]);
    printf(" last_size=%dx%d hangup=%d end\r\n", c.cols, c.rows, c.hung);
    fflush(stdout);
    return 0;
}

/* ---- the parent: the terminal ---- */

struct caps {
    char *rmcup, *cnorm, *smcup, *kcuu1;
    char *bold;     /* what ncurses sends for bold alone (through sgr) */
};

struct run {
    pid_t pid;
    int master;
    char *out;
    size_t len, cap;
    bool eof;
};

static char *cap_copy(const char *name)
{
    char *v = tigetstr(name);
    assert_true(v != NULL && v != (char *)-1);
    return strdup(v);
}

static int setup(void **state)
{
    int errret = 0;
    if (setupterm("xterm-256color", 1, &errret) != OK)
        return -1;
    struct caps *c = calloc(1, sizeof *c);
    c->rmcup = cap_copy("rmcup");
    c->cnorm = cap_copy("cnorm");
    c->smcup = cap_copy("smcup");
    c->kcuu1 = cap_copy("kcuu1");
    c->bold = strdup(tiparm(tigetstr("sgr"), 0, 0, 0, 0, 0, 1, 0, 0, 0));
    del_curterm(cur_term);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct caps *c = *state;
    free(c->rmcup);
    free(c->cnorm);
    free(c->smcup);
    free(c->kcuu1);
    free(c->bold);
    free(c);
    return 0;
}

static void run_start(struct run *r, enum child_mode mode)
{
    memset(r, 0, sizeof *r);
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    fflush(NULL);
    r->pid = forkpty(&r->master, NULL, NULL, &ws);
    assert_true(r->pid >= 0);
    if (r->pid == 0)
        _exit(child_main(mode));
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static char *find(const struct run *r, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; i + n <= r->len; i++)
        if (memcmp(r->out + i, needle, n) == 0)
            return r->out + i;
    return NULL;
}

/* Reads the child's output until `needle` shows up after offset `from`
 * (NULL: until EOF); the needle, or NULL on EOF or timeout. */
static char *read_until(struct run *r, size_t from, const char *needle)
{
    long deadline = now_ms() + TIMEOUT_MS;
    for (;;) {
        char *hit = needle ? find(r, from, needle) : NULL;
        if (hit || r->eof)
            return hit;
        long left = deadline - now_ms();
        if (left <= 0)
            return NULL;
        struct pollfd p = {.fd = r->master, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        if (r->len + 4096 + 1 > r->cap) {
            r->cap = r->cap ? r->cap * 2 : 65536;
            r->out = realloc(r->out, r->cap);
            assert_non_null(r->out);
        }
        ssize_t n = read(r->master, r->out + r->len, 4096);
        if (n <= 0) {
            /* EIO once the child's side is closed. */
            if (n < 0 && errno == EINTR)
                continue;
            r->eof = true;
        } else {
            r->len += (size_t)n;
        }
        r->out[r->len] = '\0';
    }
}

static int run_wait(struct run *r)
{
    int status = 0;
    long deadline = now_ms() + TIMEOUT_MS;
    while (waitpid(r->pid, &status, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
            break;
        }
        usleep(10000);
    }
    return status;
}

static void run_end(struct run *r)
{
    if (r->master >= 0)
        close(r->master);
    free(r->out);
}

static void write_all(int fd, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(write(fd, s, n), (ssize_t)n);
}

/* The screen draws UTF-8 in the theme's colors on the alternate screen,
 * follows a resize, delivers every key of one burst (ESC sequences decoded),
 * and leaves the terminal restored. */
static void test_draw_resize_keys_close(void **state)
{
    struct caps *caps = *state;
    struct run r;
    run_start(&r, CHILD_KEYS);
    char *ready = read_until(&r, 0, READY_TEXT);
    if (!ready)
        fail_msg("no text on the pty; got %zu bytes: %.*s", r.len, (int)r.len, r.out);
    assert_non_null(find(&r, 0, caps->smcup));
    assert_non_null(read_until(&r, 0, "utf8=1 colors=1 80x24"));
    /* The default theme's blue is color 39 on a 256-color terminal. */
    assert_non_null(find(&r, 0, "38;5;39m"));

    size_t mark = r.len;
    struct winsize ws = {.ws_row = 30, .ws_col = 100};
    assert_int_equal(ioctl(r.master, TIOCSWINSZ, &ws), 0);  /* the kernel sends SIGWINCH */
    assert_non_null(read_until(&r, mark, "size 100x30"));

    mark = r.len;
    char keys[64];
    snprintf(keys, sizeof keys, "ab%sq", caps->kcuu1);
    write_all(r.master, keys);
    char *end = read_until(&r, mark, " end");
    char *tail = read_until(&r, mark, "keys=");
    if (!end || !tail)
        fail_msg("child did not finish: %.*s", (int)(r.len - mark), r.out + mark);
    char *rm = find(&r, mark, caps->rmcup);
    char *cn = find(&r, mark, caps->cnorm);
    assert_non_null(rm);
    assert_non_null(cn);
    assert_true(rm < tail && cn < tail);
    char want[80];
    snprintf(want, sizeof want, "keys=97,98,%d,113 last_size=100x30 hangup=0 end", KEY_UP);
    assert_non_null(find(&r, mark, want));
    read_until(&r, 0, NULL);
    int st = run_wait(&r);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    run_end(&r);
}

/* NO_COLOR: the mono theme, attributes only, not one color sequence. */
static void test_no_color_is_mono(void **state)
{
    struct caps *caps = *state;
    struct run r;
    run_start(&r, CHILD_MONO);
    assert_non_null(read_until(&r, 0, "utf8=1 colors=0"));
    write_all(r.master, "q");
    assert_non_null(read_until(&r, 0, " end"));
    assert_non_null(find(&r, 0, caps->rmcup));
    assert_null(find(&r, 0, "38;5;"));
    assert_null(find(&r, 0, "\033[34m"));
    assert_non_null(find(&r, 0, caps->bold));   /* mono's blue is bold */
    read_until(&r, 0, NULL);
    int st = run_wait(&r);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    run_end(&r);
}

/* A crash still restores the terminal, and the signal still kills. */
static void test_crash_restores(void **state)
{
    struct caps *caps = *state;
    struct run r;
    run_start(&r, CHILD_CRASH);
    char *ready = read_until(&r, 0, READY_TEXT);
    assert_non_null(ready);
    size_t at = (size_t)(ready - r.out);    /* reading on may move r.out */
    read_until(&r, 0, NULL);
    char *rm = find(&r, at, caps->rmcup);
    char *cn = find(&r, at, caps->cnorm);
    assert_non_null(rm);
    assert_non_null(cn);
    int st = run_wait(&r);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
    run_end(&r);
}

/* exit() without screen_close: the atexit hook restores the terminal. */
static void test_exit_restores(void **state)
{
    struct caps *caps = *state;
    struct run r;
    run_start(&r, CHILD_EXIT);
    char *ready = read_until(&r, 0, READY_TEXT);
    assert_non_null(ready);
    size_t at = (size_t)(ready - r.out);
    read_until(&r, 0, NULL);
    assert_non_null(find(&r, at, caps->rmcup));
    assert_non_null(find(&r, at, caps->cnorm));
    int st = run_wait(&r);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    run_end(&r);
}

/* The terminal goes away (the SSH session drops): the screen reports it
 * once and the loop ends, instead of spinning on a dead fd. */
static void test_hangup_reported(void **state)
{
    (void)state;
    struct run r;
    run_start(&r, CHILD_HANGUP);
    assert_non_null(read_until(&r, 0, READY_TEXT));
    close(r.master);
    r.master = -1;
    int st = run_wait(&r);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    run_end(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draw_resize_keys_close),
        cmocka_unit_test(test_no_color_is_mono),
        cmocka_unit_test(test_crash_restores),
        cmocka_unit_test(test_exit_restores),
        cmocka_unit_test(test_hangup_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

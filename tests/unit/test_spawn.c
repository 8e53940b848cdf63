/* spawn and proc against real child processes: what the nginx backend and the
 * color commands rely on (exit codes, stderr text, timeouts, no hang on big
 * output, a clean loop afterwards). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <uv.h>

#include "backends/proc.h"
#include "backends/spawn.h"

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);   /* the caller's job, as spawn.h says */
    uv_loop_t *loop = malloc(sizeof *loop);
    assert_non_null(loop);
    assert_int_equal(uv_loop_init(loop), 0);
    *state = loop;
    return 0;
}

/* Every test leaves the loop empty: no handle of ours may outlive the run. */
static int teardown(void **state)
{
    uv_loop_t *loop = *state;
    assert_int_equal(uv_loop_alive(loop), 0);
    assert_int_equal(uv_loop_close(loop), 0);
    free(loop);
    return 0;
}

static void test_echo_captured(void **state)
{
    char *argv[] = { "/bin/echo", "hello", "world", NULL };
    struct spawn_result r;
    spawn_run(*state, argv, NULL, 5000, &r);
    assert_true(r.started);
    assert_true(spawn_succeeded(&r));
    assert_string_equal(r.out, "hello world\n");
    assert_int_equal(r.out_len, 12);
    assert_int_equal(r.err_len, 0);
    assert_string_equal(r.err, "");
    spawn_result_clear(&r);
}

static void test_exit_code_and_stderr(void **state)
{
    char *argv[] = { "sh", "-c", "echo err >&2; exit 3", NULL };
    struct spawn_result r;
    spawn_run(*state, argv, NULL, 5000, &r);
    assert_true(r.started);
    assert_false(spawn_succeeded(&r));
    assert_false(r.timed_out);
    assert_int_equal(r.exit_status, 3);
    assert_int_equal(r.term_signal, 0);
    assert_string_equal(r.err, "err\n");
    char d[128];
    spawn_describe(&r, d, sizeof d);
    assert_string_equal(d, "exit 3");
    spawn_result_clear(&r);
}

static void test_timeout_kills(void **state)
{
    char *argv[] = { "sleep", "5", NULL };
    struct spawn_result r;
    uint64_t t0 = uv_hrtime();
    spawn_run(*state, argv, NULL, 200, &r);
    uint64_t ms = (uv_hrtime() - t0) / 1000000;
    assert_true(r.started);
    assert_true(r.timed_out);
    assert_false(spawn_succeeded(&r));
    assert_int_equal(r.term_signal, SIGTERM);
    assert_true(ms >= 190 && ms < 2000);
    char d[128];
    spawn_describe(&r, d, sizeof d);
    assert_string_equal(d, "timed out after 200 ms");
    spawn_result_clear(&r);
}

/* A child that ignores SIGTERM still goes: SIGKILL one second later. */
static void test_timeout_escalates_to_sigkill(void **state)
{
    char *argv[] = { "sh", "-c", "trap '' TERM; sleep 5 & wait; sleep 5", NULL };
    struct spawn_result r;
    uint64_t t0 = uv_hrtime();
    spawn_run(*state, argv, NULL, 200, &r);
    uint64_t ms = (uv_hrtime() - t0) / 1000000;
    assert_true(r.timed_out);
    assert_int_equal(r.term_signal, SIGKILL);
    /* the orphaned `sleep 5` holds the pipes; we must not wait for it */
    assert_true(ms >= 1100 && ms < 3000);
    spawn_result_clear(&r);
}

/* A daemon's child may keep our pipes after the parent exits (nginx starting
 * up): the result comes about 0.5 s after the exit, with what was said. */
static void test_grandchild_holding_pipes(void **state)
{
    char *argv[] = { "sh", "-c", "sleep 3 & echo started", NULL };
    struct spawn_result r;
    uint64_t t0 = uv_hrtime();
    spawn_run(*state, argv, NULL, 10000, &r);
    uint64_t ms = (uv_hrtime() - t0) / 1000000;
    assert_true(spawn_succeeded(&r));
    assert_string_equal(r.out, "started\n");
    assert_true(ms >= 400 && ms < 2000);
    spawn_result_clear(&r);
}

static void test_missing_program(void **state)
{
    char *argv[] = { "cutover-no-such-program", "x", NULL };
    struct spawn_result r;
    spawn_run(*state, argv, NULL, 1000, &r);
    assert_false(r.started);
    assert_false(spawn_succeeded(&r));
    assert_string_equal(r.error, "cannot run 'cutover-no-such-program': no such file or directory");
    assert_string_equal(r.out, "");
    spawn_result_clear(&r);

    char msg[256] = "";
    int rc = spawn_start(*state, argv, NULL, 1000, NULL, NULL, msg, sizeof msg);
    assert_int_equal(rc, UV_ENOENT);
    assert_non_null(strstr(msg, "no such file or directory"));
    uv_run(*state, UV_RUN_DEFAULT);     /* the failed handles close */
}

static void test_env_extra(void **state)
{
    setenv("CUTOVER_T_KEEP", "inherited", 1);
    setenv("CUTOVER_T_OVER", "old", 1);
    char *argv[] = { "env", NULL };
    char *extra[] = { "CUTOVER_T_NEW=fresh", "CUTOVER_T_OVER=new", NULL };
    struct spawn_result r;
    spawn_run(*state, argv, extra, 5000, &r);
    assert_true(spawn_succeeded(&r));
    assert_non_null(strstr(r.out, "\nCUTOVER_T_NEW=fresh\n"));
    assert_non_null(strstr(r.out, "\nCUTOVER_T_OVER=new\n"));
    assert_null(strstr(r.out, "CUTOVER_T_OVER=old"));
    assert_non_null(strstr(r.out, "CUTOVER_T_KEEP=inherited\n"));
    spawn_result_clear(&r);
    unsetenv("CUTOVER_T_KEEP");
    unsetenv("CUTOVER_T_OVER");
}

/* 1 MiB on stdout and on stderr: the child must not block on a full pipe. */
static void test_output_capped(void **state)
{
    char *argv[] = { "sh", "-c",
                     "head -c 1048576 /dev/zero | tr '\\0' a; "
                     "head -c 1048576 /dev/zero | tr '\\0' b >&2; echo done >&2", NULL };
    struct spawn_result r;
    spawn_run(*state, argv, NULL, 10000, &r);
    assert_true(spawn_succeeded(&r));
    assert_int_equal(r.out_len, 64 * 1024);
    assert_int_equal(r.err_len, 64 * 1024);
    assert_int_equal(strlen(r.out), 64 * 1024);
    assert_int_equal(r.out[0], 'a');
    assert_int_equal(r.out[64 * 1024 - 1], 'a');
    assert_int_equal(r.err[64 * 1024 - 1], 'b');
    spawn_result_clear(&r);
}

/* spawn_run turns the loop ONCE at a time, so a timer of the caller fires
 * while the child runs. */
static void on_tick(uv_timer_t *t)
{
    int *ticks = t->data;
    (*ticks)++;
}

static void test_other_handles_keep_running(void **state)
{
    uv_timer_t timer;
    int ticks = 0;
    uv_timer_init(*state, &timer);
    timer.data = &ticks;
    uv_timer_start(&timer, on_tick, 10, 10);
    char *argv[] = { "sleep", "0.3", NULL };
    struct spawn_result r;
    spawn_run(*state, argv, NULL, 5000, &r);
    assert_true(spawn_succeeded(&r));
    assert_true(ticks >= 5);
    spawn_result_clear(&r);
    uv_close((uv_handle_t *)&timer, NULL);
    uv_run(*state, UV_RUN_DEFAULT);
}

static void test_proc_run(void **state)
{
    char msg[256] = "";
    char *ok[] = { "true", NULL };
    assert_int_equal(proc_run(*state, "start green", ok, 5000, msg, sizeof msg), 0);

    char *bad[] = { "sh", "-c", "echo; echo 'port 8788 busy' >&2; echo more >&2; exit 3", NULL };
    assert_int_equal(proc_run(*state, "stop green", bad, 5000, msg, sizeof msg), -1);
    assert_string_equal(msg, "stop green: exit 3: port 8788 busy");

    char *none[] = { NULL };
    assert_int_equal(proc_run(*state, "stop blue", none, 5000, msg, sizeof msg), 1);
    assert_int_equal(proc_run(*state, "stop blue", NULL, 5000, msg, sizeof msg), 1);

    char *missing[] = { "cutover-no-such-program", NULL };
    assert_int_equal(proc_run(*state, "stop blue", missing, 5000, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "stop blue: not started: cannot run 'cutover-no-such-program'"));
}

static void test_proc_version(void **state)
{
    char out[64], msg[256] = "";
    char *v[] = { "sh", "-c", "printf '  \\n  abc123 build 7  \\nsecond line\\n'", NULL };
    assert_int_equal(proc_version(*state, v, 5000, out, sizeof out, msg, sizeof msg), 0);
    assert_string_equal(out, "abc123 build 7");

    assert_int_equal(proc_version(*state, NULL, 5000, out, sizeof out, msg, sizeof msg), 1);
    assert_string_equal(out, "");

    char *slow[] = { "sleep", "5", NULL };
    assert_int_equal(proc_version(*state, slow, 100, out, sizeof out, msg, sizeof msg), -1);
    assert_string_equal(msg, "version: timed out after 100 ms");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_captured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_code_and_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_kills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_escalates_to_sigkill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grandchild_holding_pipes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_program, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_extra, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_handles_keep_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proc_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proc_version, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

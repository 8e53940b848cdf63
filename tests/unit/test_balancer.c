/* balancer: the seam's promises that hold without a running balancer: the
 * journal's outcome words and what each outcome means to the caller, and
 * nginx's table round-tripping weights through its upstream file. (The
 * apply itself runs against a real nginx in test_nginx_backend.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/atomicfile.h"
#include "backends/balancer.h"
#include "core/config_keys.h"
#include "core/errcode.h"

/* Replays and reports read these words: they are a contract. */
static void test_outcome_words_and_codes(void **state)
{
    (void)state;
    static const struct { enum balancer_outcome o; const char *name; int err; } want[] = {
        {BALANCER_OK, "ok", 0},
        {BALANCER_WRITE_FAILED, "write-failed", ERRCODE_IO},
        {BALANCER_REJECTED, "test-failed", ERRCODE_REJECTED},
        {BALANCER_RESTORE_FAILED, "restore-failed", ERRCODE_IO},
        {BALANCER_RELOAD_FAILED, "reload-failed", ERRCODE_RELOAD},
        {BALANCER_NOT_CONFIRMED, "reload-not-applied", ERRCODE_RELOAD},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(balancer_outcome_name(want[i].o), want[i].name);
        assert_int_equal(balancer_outcome_err(want[i].o), want[i].err);
    }
    assert_string_equal(balancer_outcome_name((enum balancer_outcome)99), "unknown");
    assert_int_equal(balancer_outcome_err((enum balancer_outcome)99), ERRCODE_IO);
}

/* Every entry of the table is filled: callers call through it unchecked. */
static void test_table_is_complete(void **state)
{
    (void)state;
    const struct balancer_ops *b = balancer_of(NULL);
    assert_non_null(b);
    assert_string_equal(b->name, "nginx");
    assert_non_null(strstr(b->log_format, "log_format cutover "));
    assert_non_null(strstr(b->log_format, "rid=$request_id"));
    assert_non_null(b->rejected_text);
    assert_non_null(b->kept_note);
    assert_non_null(b->read_weights);
    assert_non_null(b->weights_since);
    assert_non_null(b->render);
    assert_non_null(b->apply);
    assert_non_null(b->reload);
    assert_non_null(b->workers_left);
    assert_non_null(b->access_log);
}

/* What render writes, read_weights reads back; its time is the file's. */
static void test_weights_round_trip(void **state)
{
    (void)state;
    char path[] = "/tmp/cutover-test-balancer-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct config *cfg = config_new_defaults();
    assert_non_null(cfg);
    assert_int_equal(config_set_str(&cfg->nginx.upstream_file, path), 0);
    const struct balancer_ops *b = balancer_of(cfg);
    assert_ptr_equal(b, balancer_of(NULL));
    assert_string_equal(b->access_log(cfg), cfg->nginx.access_log);

    char msg[256] = "";
    const int want[COLOR_COUNT] = {70, 30};
    char *text = b->render(cfg, want, msg, sizeof msg);
    assert_non_null(text);
    assert_int_equal(atomicfile_write(path, text, strlen(text), false, msg, sizeof msg), 0);
    free(text);
    int got[COLOR_COUNT] = {-1, -1};
    assert_int_equal(b->read_weights(cfg, got, msg, sizeof msg), 0);
    assert_int_equal(got[COLOR_BLUE], 70);
    assert_int_equal(got[COLOR_GREEN], 30);
    assert_true(b->weights_since(cfg) > 0);

    /* a file that is not ours: refused with the file named */
    assert_int_equal(atomicfile_write(path, "nonsense", 8, false, msg, sizeof msg), 0);
    assert_true(b->read_weights(cfg, got, msg, sizeof msg) < 0);
    assert_non_null(strstr(msg, path));
    unlink(path);
    assert_true(b->read_weights(cfg, got, msg, sizeof msg) < 0);
    assert_non_null(strstr(msg, "cannot read the upstream file"));
    assert_true(b->weights_since(cfg) == 0);

    /* no dead workers to follow: nothing left */
    struct balancer_workers none = {.master = 0, .n = 0};
    assert_int_equal(b->workers_left(&none), 0);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcome_words_and_codes),
        cmocka_unit_test(test_table_is_complete),
        cmocka_unit_test(test_weights_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cast: the asciicast v2 lines asciinema reads. Every line must be JSON on
 * its own (a killed session keeps whole lines), output must be valid UTF-8
 * even when a read cut a character, and nothing comes before the header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/cast.h"

struct fixture {
    char path[64];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/cutover-cast-XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->path);
    free(f);
    return 0;
}

/* The file's lines, each parsed; n gets how many. */
static cJSON **read_lines(const char *path, int *n)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    cJSON **out = calloc(64, sizeof *out);
    char line[8192];
    *n = 0;
    while (fgets(line, sizeof line, fp) && *n < 64) {
        assert_true(strlen(line) > 0 && line[strlen(line) - 1] == '\n');
        out[*n] = cJSON_Parse(line);
        assert_non_null(out[*n]);        /* every line is JSON on its own */
        (*n)++;
    }
    fclose(fp);
    return out;
}

static void free_lines(cJSON **l, int n)
{
    for (int i = 0; i < n; i++)
        cJSON_Delete(l[i]);
    free(l);
}

static const char *event_data(cJSON *ev, const char *code)
{
    assert_true(cJSON_IsArray(ev));
    assert_int_equal(cJSON_GetArraySize(ev), 3);
    assert_true(cJSON_IsNumber(cJSON_GetArrayItem(ev, 0)));
    assert_string_equal(cJSON_GetArrayItem(ev, 1)->valuestring, code);
    return cJSON_GetArrayItem(ev, 2)->valuestring;
}

static void test_header_and_events(void **state)
{
    struct fixture *f = *state;
    struct cast *c;
    char err[200];
    setenv("TERM", "xterm-256color", 1);
    assert_int_equal(cast_open(f->path, "cutover on mini-3 (CONTROL)", &c, err, sizeof err), 0);
    cast_output(c, "dropped", 7);     /* before the header: nothing to attach it to */
    cast_begin(c, 80, 24);
    cast_output(c, "\x1b[2Jhello", 9);
    cast_resize(c, 100, 30);
    cast_marker(c, "shift 90/10");
    assert_null(cast_error(c));
    cast_close(c);
    int n;
    cJSON **l = read_lines(f->path, &n);
    assert_int_equal(n, 4);
    assert_int_equal(cJSON_GetObjectItem(l[0], "version")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(l[0], "width")->valueint, 80);
    assert_int_equal(cJSON_GetObjectItem(l[0], "height")->valueint, 24);
    assert_true(cJSON_GetObjectItem(l[0], "timestamp")->valuedouble > 1.7e9);
    assert_string_equal(cJSON_GetObjectItem(l[0], "title")->valuestring, "cutover on mini-3 (CONTROL)");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(l[0], "env"), "TERM")->valuestring,
                        "xterm-256color");
    assert_string_equal(event_data(l[1], "o"), "\x1b[2Jhello");
    assert_string_equal(event_data(l[2], "r"), "100x30");
    assert_string_equal(event_data(l[3], "m"), "shift 90/10");
    /* times run forward from 0 */
    double t1 = cJSON_GetArrayItem(l[1], 0)->valuedouble, t3 = cJSON_GetArrayItem(l[3], 0)->valuedouble;
    assert_true(t1 >= 0 && t1 <= t3 && t3 < 5);
    free_lines(l, n);
}

static void test_utf8_cut_by_a_read(void **state)
{
    struct fixture *f = *state;
    struct cast *c;
    char err[200];
    assert_int_equal(cast_open(f->path, NULL, &c, err, sizeof err), 0);
    cast_begin(c, 80, 24);
    /* "a─b" with the box-drawing character (E2 94 80) split across reads */
    cast_output(c, "a\xE2\x94", 3);
    cast_output(c, "\x80" "b", 2);
    /* a stray continuation byte and a NUL are not text: U+FFFD each */
    cast_output(c, "x\x80y\0z", 5);
    /* cut at the very end and never completed */
    cast_output(c, "\xE2", 1);
    cast_close(c);
    int n;
    cJSON **l = read_lines(f->path, &n);
    assert_int_equal(n, 5);
    assert_string_equal(event_data(l[1], "o"), "a");
    assert_string_equal(event_data(l[2], "o"), "\xE2\x94\x80" "b");
    assert_string_equal(event_data(l[3], "o"), "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
    assert_string_equal(event_data(l[4], "o"), "\xEF\xBF\xBD");
    free_lines(l, n);
}

static void test_errors(void **state)
{
    (void)state;
    struct cast *c;
    char err[200];
    assert_int_equal(cast_open("/nonexistent-dir/x.cast", NULL, &c, err, sizeof err), -1);
    assert_null(c);
    assert_non_null(strstr(err, "cannot write the recording /nonexistent-dir/x.cast"));
    /* a full disk is reported once, and recording goes on quietly */
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(cast_open("/dev/full", NULL, &c, err, sizeof err), 0);
        cast_begin(c, 80, 24);
        cast_output(c, "x", 1);
        assert_non_null(cast_error(c));
        assert_non_null(strstr(cast_error(c), "recording:"));
        cast_close(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_header_and_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_cut_by_a_read, setup, teardown),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_timeline_replay: moves made while no server ran (a direct cutover
 * shift writes the journal, not the timeline) reach the timeline when the
 * next server's writer opens: the journal lines newer than the newest
 * file's record, marked "from":"journal", a finished cutover ended after its
 * post-roll, a resumed file not given a line twice; a report of it counts
 * the total time from them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/report.h"
#include "core/timeline.h"
#include "runtime/timeline_writer.h"

struct env {
    char dir[256];
    char tl[300];
    struct config *cfg;
    double base;
};

static int env_setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/cutover-tlr-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->tl, sizeof e->tl, "%s/timelines", e->dir);
    e->cfg = config_new_defaults();
    e->cfg->state_dir = strdup(e->dir);
    e->cfg->timeline.preroll_s = 4;
    e->cfg->timeline.postroll_s = 2;
    e->base = floor((double)time(NULL));
    *state = e;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *e = *state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    assert_int_equal(system(cmd), 0);
    config_free(e->cfg);
    free(e);
    return 0;
}

static char *line_of(double at, const char *action, int before, int after)
{
    char *s = malloc(400);
    snprintf(s, 400, "{\"time\":%.3f,\"user\":\"alice\",\"ssh_client\":null,\"action\":\"%s\","
             "\"before\":{\"blue\":%d,\"green\":%d},\"after\":{\"blue\":%d,\"green\":%d},"
             "\"candidate\":\"green\",\"candidate_version\":null,\"outcome\":\"ok\"}",
             at, action, before, 100 - before, after, 100 - after);
    return s;
}

static void journal_add(struct env *e, double at, const char *action, int before, int after)
{
    char p[400];
    snprintf(p, sizeof p, "%s/journal.jsonl", e->dir);
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    char *l = line_of(at, action, before, after);
    fprintf(f, "%s\n", l);
    free(l);
    fclose(f);
}

static size_t files(struct env *e, char names[][512], size_t max)
{
    glob_t g;
    char pattern[400];
    snprintf(pattern, sizeof pattern, "%s/cutover-*.jsonl", e->tl);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    size_t n = g.gl_pathc;
    for (size_t i = 0; i < n && i < max; i++)
        snprintf(names[i], 512, "%s", g.gl_pathv[i]);
    globfree(&g);
    return n;
}

static void load(const char *path, struct timeline *out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    char err[200];
    assert_int_equal(timeline_parse(text, n, out, err, sizeof err), 0);
}

static const char *from_of(const cJSON *event_line)
{
    const cJSON *v = cJSON_GetObjectItem(event_line, "from");
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A previous cutover is in an ended file; the direct CLI then shifted twice
 * and rolled back: those three moves make a file of their own. */
static void test_moves_without_a_server_reach_the_timeline(void **state)
{
    struct env *e = *state;
    double b = e->base;
    mkdir(e->tl, 0700);
    char old[512];
    snprintf(old, sizeof old, "%s/cutover-20250101T000000Z.jsonl", e->tl);
    FILE *f = fopen(old, "wb");
    fprintf(f, "{\"type\":\"timeline\",\"version\":1,\"started\":%.3f,\"candidate\":\"green\"}\n"
               "{\"type\":\"end\",\"at\":%.3f,\"outcome\":\"complete\"}\n", b - 900, b - 500);
    fclose(f);
    journal_add(e, b - 600, "shift", 10, 0);     /* recorded already: not again */
    journal_add(e, b - 200, "shift", 100, 90);
    journal_add(e, b - 150, "shift", 90, 80);
    journal_add(e, b - 100, "rollback", 80, 100);
    struct timeline_writer *t;
    char msg[200];
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    char *tail = line_of(b - 100, "rollback", 80, 100);
    timeline_writer_event(t, tail);              /* the journal tail's back-fill: history */
    free(tail);
    timeline_writer_close(t);

    char names[4][512];
    assert_int_equal(files(e, names, 4), 2);
    struct timeline tl;
    load(names[1], &tl);
    assert_int_equal(tl.n_events, 3);
    for (size_t i = 0; i < tl.n_events; i++)
        assert_string_equal(from_of(tl.event[i]), "journal");
    assert_true(timeline_line_time(tl.header) == b - 200);
    struct report r;
    char err[100];
    assert_int_equal(report_build(&tl, &r, err, sizeof err), 0);
    assert_string_equal(r.result, "rolled-back");
    assert_true(fabs(r.total_s - 100) < 1e-6);   /* not the few seconds a server saw */
    report_free(&r);
    timeline_free(&tl);
}

/* Two cutovers while no server ran: the first ends postroll_s after it got
 * back to 100/0, the second opens its own file. */
static void test_two_cutovers_two_files(void **state)
{
    struct env *e = *state;
    double b = e->base;
    journal_add(e, b - 300, "shift", 100, 90);
    journal_add(e, b - 290, "rollback", 90, 100);
    journal_add(e, b - 200, "shift", 100, 90);
    struct timeline_writer *t;
    char msg[200];
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    timeline_writer_close(t);
    char names[4][512];
    assert_int_equal(files(e, names, 4), 2);
    struct timeline tl;
    load(names[0], &tl);
    assert_int_equal(tl.n_events, 2);
    assert_non_null(tl.end);
    assert_string_equal(cJSON_GetObjectItem(tl.end, "outcome")->valuestring, "rolled-back");
    assert_true(fabs(timeline_line_time(tl.end) - (b - 288)) < 1e-6);
    timeline_free(&tl);
    load(names[1], &tl);
    assert_int_equal(tl.n_events, 1);
    assert_null(tl.end);
    timeline_free(&tl);
}

/* A server killed mid-cutover left a file without an end; the CLI moved
 * on. The next server appends the missing move once, even when the journal
 * tail hands it over again. */
static void test_a_resumed_file_gets_the_missing_moves_once(void **state)
{
    struct env *e = *state;
    double b = e->base;
    mkdir(e->tl, 0700);
    char path[512];
    snprintf(path, sizeof path, "%s/cutover-20250101T000000Z.jsonl", e->tl);
    char *first = line_of(b - 100, "shift", 100, 90);
    FILE *f = fopen(path, "wb");
    fprintf(f, "{\"type\":\"timeline\",\"version\":1,\"started\":%.3f,\"candidate\":\"green\"}\n"
               "{\"type\":\"event\",\"event\":%s}\n", b - 100, first);
    fclose(f);
    journal_add(e, b - 100, "shift", 100, 90);
    journal_add(e, b - 50, "shift", 90, 80);
    struct timeline_writer *t;
    char msg[200];
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    char *second = line_of(b - 50, "shift", 90, 80);
    timeline_writer_event(t, first);             /* the journal tail's back-fill */
    timeline_writer_event(t, second);
    free(second);
    free(first);
    timeline_writer_close(t);
    char names[4][512];
    assert_int_equal(files(e, names, 4), 1);
    struct timeline tl;
    load(path, &tl);
    assert_int_equal(tl.n_events, 2);
    assert_string_equal(from_of(tl.event[0]), "");
    assert_string_equal(from_of(tl.event[1]), "journal");
    timeline_free(&tl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_moves_without_a_server_reach_the_timeline, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_two_cutovers_two_files, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_a_resumed_file_gets_the_missing_moves_once,
                                        env_setup, env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

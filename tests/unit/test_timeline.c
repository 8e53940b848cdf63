/* test_timeline: the reader (torn and bad lines skipped and counted, lines
 * sorted by time) and the server's writer on a temporary state_dir: a
 * cutover's file with its pre-roll, filled ticks and end; rotation by
 * keep_mb; a restarted server resuming the unfinished file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/report.h"
#include "core/timeline.h"
#include "runtime/timeline_writer.h"
#include "tests/unit/feed.h"
#include "tests/unit/fixture.h"

/* ---- reader ------------------------------------------------------------- */

static void test_torn_last_line_is_skipped_and_counted(void **state)
{
    (void)state;
    char *text = fixture_read("timeline_torn.jsonl");
    struct timeline t;
    char err[200];
    assert_int_equal(timeline_parse(text, strlen(text), &t, err, sizeof err), 0);
    /* not JSON, two lines glued by a torn write, an unknown type, the torn last */
    assert_int_equal(t.malformed, 4);
    assert_non_null(t.header);
    assert_int_equal(t.n_samples, 3);
    assert_int_equal(t.n_events, 1);
    assert_null(t.end);
    for (size_t i = 1; i < t.n_samples; i++)
        assert_true(timeline_line_time(t.sample[i - 1]) < timeline_line_time(t.sample[i]));
    assert_string_equal(cJSON_GetObjectItem(timeline_event_body(t.event[0]), "action")->valuestring,
                        "shift");
    timeline_free(&t);
    free(text);
}

static void test_not_a_timeline(void **state)
{
    (void)state;
    const char *text = "hello\n{\"a\":1}\n";
    struct timeline t;
    char err[200];
    assert_int_equal(timeline_parse(text, strlen(text), &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a timeline"));
    timeline_free(&t);
}

static void test_event_line_keeps_the_journal_bytes(void **state)
{
    (void)state;
    const char *j = "{\"time\":1.5,  \"action\":\"shift\",\"outcome\":\"ok\"}";
    char *l = timeline_event_line(j);
    assert_string_equal(l, "{\"type\":\"event\",\"event\":{\"time\":1.5,  \"action\":\"shift\","
                           "\"outcome\":\"ok\"}}");
    free(l);
    assert_null(timeline_event_line("[1,2]"));
    assert_null(timeline_event_line("{\"torn"));
}

static void test_outcomes(void **state)
{
    (void)state;
    cJSON *w = cJSON_Parse("{\"blue\":0,\"green\":100}");
    assert_string_equal(timeline_outcome(w, COLOR_BLUE, COLOR_GREEN, false), "complete");
    cJSON_Delete(w);
    w = cJSON_Parse("{\"blue\":100,\"green\":0}");
    assert_string_equal(timeline_outcome(w, COLOR_BLUE, COLOR_GREEN, true), "rolled-back");
    assert_string_equal(timeline_outcome(w, COLOR_BLUE, COLOR_GREEN, false), "abandoned");
    cJSON_Delete(w);
    w = cJSON_Parse("{\"blue\":50,\"green\":50}");
    assert_null(timeline_outcome(w, COLOR_BLUE, COLOR_GREEN, true));
    cJSON_Delete(w);
    char id[TIMELINE_ID_LEN];
    timeline_id(1795573205.7, id);
    assert_string_equal(id, "cutover-20261125T022005Z");
}

/* ---- writer ------------------------------------------------------------- */

struct env {
    char dir[256];
    char tl[300];
    struct config *cfg;
    struct window *w;
    double base;        /* a whole second near now: the writer skips older journal lines */
};

static int env_setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/cutover-tl-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->tl, sizeof e->tl, "%s/timelines", e->dir);
    e->cfg = config_new_defaults();
    e->cfg->state_dir = strdup(e->dir);
    e->cfg->timeline.preroll_s = 4;
    e->cfg->timeline.postroll_s = 2;
    char err[100];
    e->w = window_new(60, 600, err, sizeof err);
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
    window_free(e->w);
    config_free(e->cfg);
    free(e);
    return 0;
}

/* One second of the server: the window moves to `at` and the snapshot shows
 * its newest closed second, as server/engine.c builds it. */
static void tick(struct env *e, struct timeline_writer *t, double at, int blue)
{
    add_probe(e->w, COLOR_BLUE, at - 0.5, 1, 120000);
    set_connections(e->w, COLOR_GREEN, at - 0.5, 100 - blue);
    window_advance(e->w, at);
    char text[1024];
    int64_t s = (int64_t)at - 1;
    snprintf(text, sizeof text,
             "{\"seq\":1,\"at\":%.3f,\"weights\":{\"blue\":%d,\"green\":%d},\"stable\":\"blue\","
             "\"candidate\":\"green\",\"phase\":\"Canary\",\"busy\":null,\"old_workers_draining\":0,"
             "\"signals\":{\"window_s\":60},\"guards\":{\"items\":[]},\"series\":{\"from\":%lld,"
             "\"fields\":[\"sec\",\"requests\",\"status_5xx\",\"connections\",\"win_ttft_p95_ms\","
             "\"win_header_p95_ms\",\"probes\",\"probe_errors\"],\"blue\":[[%lld,0,0,0,120,0,1,0]],"
             "\"green\":[[%lld,0,0,%d,0,0,0,0]]}}",
             at + 0.01, blue, 100 - blue, (long long)s, (long long)s, (long long)s, 100 - blue);
    cJSON *snap = cJSON_Parse(text);
    assert_non_null(snap);
    timeline_writer_second(t, snap, e->w);
    cJSON_Delete(snap);
}

static char *journal_outcome(double at, const char *action, int before, int after,
                             const char *outcome)
{
    char *s = malloc(400);
    snprintf(s, 400, "{\"time\":%.3f,\"user\":\"alice\",\"ssh_client\":null,\"action\":\"%s\","
             "\"before\":{\"blue\":%d,\"green\":%d},\"after\":{\"blue\":%d,\"green\":%d},"
             "\"candidate\":\"green\",\"candidate_version\":null,\"outcome\":\"%s\"}",
             at, action, before, 100 - before, after, 100 - after, outcome);
    return s;
}

static char *journal(double at, const char *action, int before, int after)
{
    return journal_outcome(at, action, before, after, "ok");
}

static void event_outcome(struct timeline_writer *t, double at, const char *action, int before,
                          int after, const char *outcome)
{
    char *line = journal_outcome(at, action, before, after, outcome);
    timeline_writer_event(t, line);
    free(line);
}

static void event(struct timeline_writer *t, double at, const char *action, int before, int after)
{
    event_outcome(t, at, action, before, after, "ok");
}

static size_t count_files(struct env *e)
{
    glob_t g;
    char pattern[400];
    snprintf(pattern, sizeof pattern, "%s/cutover-*.jsonl", e->tl);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

/* The only (or newest) timeline file, parsed. */
static void load_newest(struct env *e, struct timeline *out, char *path, size_t pathlen)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s'/cutover-*.jsonl | tail -n 1", e->tl);
    FILE *p = popen(cmd, "r");
    assert_non_null(fgets(path, (int)pathlen, p));
    pclose(p);
    path[strcspn(path, "\n")] = '\0';
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    char err[200];
    assert_int_equal(timeline_parse(text, n, out, err, sizeof err), 0);
}

static int64_t sec_of(const cJSON *sample)
{
    return (int64_t)cJSON_GetObjectItem(sample, "sec")->valuedouble;
}

static void test_a_cutover_file(void **state)
{
    struct env *e = *state;
    struct timeline_writer *t;
    char msg[200], path[512];
    double b = e->base;
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    for (int i = 0; i < 10; i++)
        tick(e, t, b + i, 100);
    event(t, b + 5, "control", 100, 100);      /* 4.6 s before the move: past the 4 s pre-roll */
    event(t, b + 9.5, "control", 100, 100);    /* not a move: no file yet, but the lead-up */
    event(t, b - 30, "shift", 100, 90);        /* the journal's replay of older lines */
    glob_t g;
    char pattern[400];
    snprintf(pattern, sizeof pattern, "%s/cutover-*.jsonl", e->tl);
    assert_int_equal(glob(pattern, 0, NULL, &g), GLOB_NOMATCH);
    event(t, b + 9.6, "shift", 100, 90);
    tick(e, t, b + 10, 90);
    tick(e, t, b + 12, 90);                    /* the tick at b+11 came late */
    event(t, b + 12.5, "rollback", 90, 100);
    for (int i = 13; i <= 20; i++)
        tick(e, t, b + i, 100);
    timeline_writer_close(t);

    struct timeline tl;
    load_newest(e, &tl, path, sizeof path);
    assert_int_equal(tl.malformed, 0);
    assert_non_null(tl.header);
    assert_string_equal(cJSON_GetObjectItem(tl.header, "candidate")->valuestring, "green");
    /* what led up to the move (within the pre-roll), the move, the rollback */
    assert_int_equal(tl.n_events, 3);
    const cJSON *lead = timeline_event_body(tl.event[0]);
    assert_string_equal(cJSON_GetObjectItem(lead, "action")->valuestring, "control");
    assert_true(cJSON_GetObjectItem(lead, "time")->valuedouble == b + 9.5);
    /* pre-roll: 3 seconds from history, then the last live second before the move */
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tl.sample[0], "preroll")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tl.sample[2], "preroll")));
    assert_null(cJSON_GetObjectItem(tl.sample[3], "preroll"));
    assert_int_equal(sec_of(tl.sample[0]), (int64_t)b + 5);
    int filled = 0;
    for (size_t i = 1; i < tl.n_samples; i++) {
        assert_int_equal(sec_of(tl.sample[i]), sec_of(tl.sample[i - 1]) + 1);
        filled += cJSON_IsTrue(cJSON_GetObjectItem(tl.sample[i], "filled"));
    }
    assert_int_equal(filled, 1);
    /* back at 100/0 at b+13, the rollback at b+12.5: the end 2 s later */
    assert_non_null(tl.end);
    assert_string_equal(cJSON_GetObjectItem(tl.end, "outcome")->valuestring, "rolled-back");
    assert_true(fabs(timeline_line_time(tl.end) - (b + 15.01)) < 0.001);
    assert_int_equal(sec_of(tl.sample[tl.n_samples - 1]), (int64_t)b + 14);
    timeline_free(&tl);
}

static void write_file(const char *dir, const char *name, size_t size, bool ended)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    size_t n = (size_t)fprintf(f, "{\"type\":\"timeline\",\"version\":1,\"started\":1,"
                                  "\"candidate\":\"green\"}\n");
    if (ended)
        n += (size_t)fprintf(f, "{\"type\":\"end\",\"at\":2,\"outcome\":\"complete\"}\n");
    for (; n + 64 <= size; n += 64)
        fprintf(f, "%063d\n", 0);
    fclose(f);
}

static bool exists(const char *dir, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void test_rotation_removes_oldest_past_keep_mb(void **state)
{
    struct env *e = *state;
    mkdir(e->tl, 0700);
    e->cfg->timeline.keep_mb = 1;
    write_file(e->tl, "cutover-20250101T000000Z.jsonl", 400000, true);
    write_file(e->tl, "cutover-20250102T000000Z.jsonl", 400000, true);
    write_file(e->tl, "cutover-20250103T000000Z.jsonl", 400000, true);
    write_file(e->tl, "notes.txt", 5000000, true);   /* not ours: neither counted nor removed */
    struct timeline_writer *t;
    char msg[200];
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    timeline_writer_close(t);
    assert_false(exists(e->tl, "cutover-20250101T000000Z.jsonl"));
    assert_true(exists(e->tl, "cutover-20250102T000000Z.jsonl"));
    assert_true(exists(e->tl, "cutover-20250103T000000Z.jsonl"));
    assert_true(exists(e->tl, "notes.txt"));

    /* the open (resumed) file is never removed, even alone past the limit */
    write_file(e->tl, "cutover-20250104T000000Z.jsonl", 1500000, false);
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    timeline_writer_close(t);
    assert_false(exists(e->tl, "cutover-20250102T000000Z.jsonl"));
    assert_false(exists(e->tl, "cutover-20250103T000000Z.jsonl"));
    assert_true(exists(e->tl, "cutover-20250104T000000Z.jsonl"));
}

static void test_resume_appends(void **state)
{
    struct env *e = *state;
    double b = e->base;
    mkdir(e->tl, 0700);
    char path[512], *shift = journal(b - 100, "shift", 100, 90);
    snprintf(path, sizeof path, "%s/cutover-20250101T000000Z.jsonl", e->tl);
    FILE *f = fopen(path, "wb");
    fprintf(f, "{\"type\":\"timeline\",\"version\":1,\"id\":\"cutover-20250101T000000Z\","
               "\"started\":%.3f,\"stable\":\"blue\",\"candidate\":\"green\"}\n", b - 100);
    fprintf(f, "{\"type\":\"sample\",\"at\":%.3f,\"sec\":%lld,\"weights\":{\"blue\":90,\"green\":10}}\n",
            b - 99, (long long)b - 100);
    fprintf(f, "{\"type\":\"event\",\"event\":%s}\n", shift);
    fprintf(f, "{\"type\":\"sample\",\"at\":%.3f,\"se", b - 98);   /* killed mid-write */
    fclose(f);

    struct timeline_writer *t;
    char msg[200];
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    timeline_writer_event(t, shift);                  /* the journal tail replays it: not twice */
    event(t, b + 0.5, "shift", 90, 80);
    tick(e, t, b + 1, 80);
    timeline_writer_close(t);
    free(shift);

    struct timeline tl;
    char newest[512];
    load_newest(e, &tl, newest, sizeof newest);
    assert_string_equal(newest, path);          /* no new file */
    assert_int_equal(tl.malformed, 1);          /* the torn line, still one line */
    assert_int_equal(tl.n_events, 2);
    assert_int_equal(tl.n_samples, 2);
    assert_null(tl.end);
    const cJSON *after = cJSON_GetObjectItem(timeline_event_body(tl.event[1]), "after");
    assert_int_equal(cJSON_GetObjectItem(after, "green")->valueint, 20);
    timeline_free(&tl);
}

/* A move that changed nothing (a refused step, a rollback or reload at
 * 100/0) opens no file: it would end "abandoned" and become `latest`,
 * hiding the real cutover. Once a file is open, refusals are recorded. */
static void test_only_real_moves_open_a_file(void **state)
{
    struct env *e = *state;
    struct timeline_writer *t;
    char msg[200], path[512];
    double b = e->base;
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    for (int i = 0; i < 3; i++)
        tick(e, t, b + i, 100);
    event_outcome(t, b + 2.1, "shift", 100, 100, "refused");
    event(t, b + 2.2, "rollback", 100, 100);
    event(t, b + 2.3, "auto-rollback", 100, 100);
    event(t, b + 2.4, "reload", 100, 100);
    event_outcome(t, b + 2.5, "shift", 100, 100, "failed");
    event_outcome(t, b + 2.6, "override", 100, 100, "refused");
    for (int i = 3; i < 8; i++)
        tick(e, t, b + i, 100);
    assert_int_equal(count_files(e), 0);

    event(t, b + 7.5, "shift", 100, 90);
    tick(e, t, b + 8, 90);
    event_outcome(t, b + 8.5, "shift", 90, 90, "refused");   /* recorded: a file is open */
    tick(e, t, b + 9, 90);
    timeline_writer_close(t);
    assert_int_equal(count_files(e), 1);
    struct timeline tl;
    load_newest(e, &tl, path, sizeof path);
    assert_int_equal(tl.n_events, 2);
    assert_string_equal(cJSON_GetObjectItem(timeline_event_body(tl.event[1]), "outcome")->valuestring,
                        "refused");
    timeline_free(&tl);
}

/* The server sees the new weights in the upstream file before the move's
 * journal line (written after nginx's reload is confirmed): the pre-roll
 * from history still shows the weights before the move. */
static void test_preroll_has_the_weights_before_the_move(void **state)
{
    struct env *e = *state;
    struct timeline_writer *t;
    char msg[200], path[512];
    double b = e->base;
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    for (int i = 0; i < 6; i++)
        tick(e, t, b + i, 100);
    tick(e, t, b + 6, 90);                      /* the file written, the reload under way */
    event(t, b + 6.5, "shift", 100, 90);
    tick(e, t, b + 7, 90);
    timeline_writer_close(t);
    struct timeline tl;
    load_newest(e, &tl, path, sizeof path);
    size_t pre = 0;
    for (size_t i = 0; i < tl.n_samples; i++) {
        if (!cJSON_IsTrue(cJSON_GetObjectItem(tl.sample[i], "preroll")))
            continue;
        pre++;
        const cJSON *w = cJSON_GetObjectItem(tl.sample[i], "weights");
        assert_int_equal(cJSON_GetObjectItem(w, "blue")->valueint, 100);
        assert_int_equal(cJSON_GetObjectItem(w, "green")->valueint, 0);
    }
    assert_int_equal(pre, 3);
    timeline_free(&tl);
}

/* An override that went through opens the file: the forced step follows,
 * and the pre-roll must show the numbers it overrode. */
static void test_an_override_opens_a_file(void **state)
{
    struct env *e = *state;
    struct timeline_writer *t;
    char msg[200], path[512];
    double b = e->base;
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    for (int i = 0; i < 3; i++)
        tick(e, t, b + i, 100);
    event(t, b + 2.5, "override", 100, 100);
    event(t, b + 2.6, "shift", 100, 90);
    tick(e, t, b + 3, 90);
    timeline_writer_close(t);
    struct timeline tl;
    load_newest(e, &tl, path, sizeof path);
    assert_int_equal(tl.n_events, 2);
    assert_string_equal(cJSON_GetObjectItem(timeline_event_body(tl.event[0]), "action")->valuestring,
                        "override");
    assert_true(timeline_line_time(tl.header) == b + 2.5);
    timeline_free(&tl);
}

/* Every timeline file, oldest first, parsed; returns how many (at most max). */
static size_t load_all(struct env *e, struct timeline *tl, char (*names)[300], size_t max, off_t *total)
{
    glob_t g;
    char pattern[400];
    snprintf(pattern, sizeof pattern, "%s/cutover-*.jsonl", e->tl);
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc <= max);
    *total = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = fixture_read_path(g.gl_pathv[i]);
        char err[200];
        assert_int_equal(timeline_parse(text, strlen(text), &tl[i], err, sizeof err), 0);
        *total += (off_t)strlen(text);
        const char *slash = strrchr(g.gl_pathv[i], '/');
        snprintf(names[i], 300, "%s", slash + 1);
        free(text);
    }
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A cutover parked at 50/50 (overnight) never ends: its file goes on in a
 * new one past the cap, each part ends "continued" and the next names it;
 * the seconds run on across parts without a gap or a repeat, and a report
 * of one part works. */
static void test_a_parked_cutover_goes_on_in_new_files(void **state)
{
    struct env *e = *state;
    struct timeline_writer *t;
    char msg[200];
    double b = e->base;
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    timeline_writer_set_file_cap(t, 8192);
    for (int i = 0; i < 5; i++)
        tick(e, t, b + i, 100);
    event(t, b + 4.5, "shift", 100, 50);
    for (int i = 5; i < 40; i++)
        tick(e, t, b + i, 50);
    event_outcome(t, b + 40.5, "shift", 50, 50, "refused");
    for (int i = 40; i < 45; i++)
        tick(e, t, b + i, 50);
    timeline_writer_set_file_cap(t, 1 << 20);          /* the last part ends in one file */
    event(t, b + 45.5, "shift", 50, 0);
    for (int i = 46; i < 50; i++)
        tick(e, t, b + i, 0);
    timeline_writer_close(t);

    struct timeline tl[64];
    char names[64][300];
    off_t total;
    size_t n = load_all(e, tl, names, 64, &total);
    assert_true(n >= 3);
    int64_t next_sec = -1;
    size_t events = 0, prerolls = 0;
    for (size_t i = 0; i < n; i++) {
        char id[300];
        snprintf(id, sizeof id, "%.*s", (int)strcspn(names[i], "."), names[i]);
        assert_string_equal(str_of(tl[i].header, "id"), id);
        assert_string_equal(str_of(tl[i].header, "candidate"), "green");
        if (i > 0) {
            char prev[300];
            snprintf(prev, sizeof prev, "%.*s", (int)strcspn(names[i - 1], "."), names[i - 1]);
            assert_string_equal(str_of(tl[i].header, "continues"), prev);
        } else {
            assert_null(cJSON_GetObjectItem(tl[i].header, "continues"));
        }
        assert_non_null(tl[i].end);
        if (i + 1 < n) {
            assert_string_equal(str_of(tl[i].end, "outcome"), "continued");
            const cJSON *w = cJSON_GetObjectItem(tl[i].end, "weights");
            assert_int_equal(cJSON_GetObjectItem(w, "green")->valueint, 50);
        } else {
            assert_string_equal(str_of(tl[i].end, "outcome"), "complete");
        }
        for (size_t k = 0; k < tl[i].n_samples; k++) {
            prerolls += cJSON_IsTrue(cJSON_GetObjectItem(tl[i].sample[k], "preroll"));
            if (next_sec >= 0)
                assert_int_equal(sec_of(tl[i].sample[k]), next_sec);
            next_sec = sec_of(tl[i].sample[k]) + 1;
        }
        events += tl[i].n_events;
    }
    assert_int_equal(next_sec, (int64_t)b + 48);    /* the end 2 s after 0/100 */
    assert_int_equal(events, 3);                    /* the moves and the refusal */
    assert_int_equal(prerolls, 3);                  /* the first part's only */
    /* each closed part: the cap, plus at most the second that passed it */
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", e->tl, names[0]);
    assert_int_equal(stat(p, &st), 0);
    assert_true(st.st_size < 8192 + 4096);

    /* a middle part's report: 50/50 throughout, continued, no total time */
    struct report r;
    char err[200];
    assert_int_equal(report_build(&tl[1], &r, err, sizeof err), 0);
    assert_string_equal(r.outcome, "continued");
    assert_int_equal(r.n_steps, 1);
    assert_int_equal(r.step[0].weight[COLOR_GREEN], 50);
    assert_true(r.total_s < 0);
    report_free(&r);
    /* the last part: complete when 0/100 was reached, but the total is not
     * this part's length (the first move is in the first file) */
    assert_int_equal(report_build(&tl[n - 1], &r, err, sizeof err), 0);
    assert_string_equal(r.outcome, "complete");
    assert_true(fabs(r.done_at - (b + 45.5)) < 1e-6);
    assert_true(r.total_s < 0);
    report_free(&r);
    for (size_t i = 0; i < n; i++)
        timeline_free(&tl[i]);
}

/* With the open file capped, keep_mb bounds the folder even while one
 * cutover never ends: the oldest parts go. */
static void test_keep_mb_bounds_a_parked_cutover(void **state)
{
    struct env *e = *state;
    struct timeline_writer *t;
    char msg[200];
    double b = e->base;
    e->cfg->timeline.keep_mb = 1;
    assert_int_equal(timeline_writer_open(e->cfg, &t, msg, sizeof msg), 0);
    timeline_writer_set_file_cap(t, 128 * 1024);
    tick(e, t, b, 100);
    event(t, b + 0.5, "shift", 100, 50);
    for (int i = 1; i < 2600; i++)
        tick(e, t, b + i, 50);
    timeline_writer_close(t);
    static struct timeline tl[64];
    static char names[64][300];
    off_t total;
    size_t n = load_all(e, tl, names, 64, &total);
    assert_true(total <= 1048576 + 128 * 1024 + 4096);
    /* the first part (with the move) is gone; the newest goes on */
    assert_int_equal(tl[0].n_events, 0);
    assert_non_null(cJSON_GetObjectItem(tl[0].header, "continues"));
    for (size_t i = 0; i < n; i++)
        timeline_free(&tl[i]);
}

/* Fills stack the next call will reuse with a pattern: an uninitialised
 * local there starts as garbage, as on a busy server, not a lucky zero. */
static void dirty_stack(void)
{
    volatile unsigned char junk[32768];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = 0xa5;
}

static void test_unreadable_newest_file_is_not_resumed(void **state)
{
    struct env *e = *state;
    char path[512];
    struct stat before, after;
    mkdir(e->tl, 0700);
    write_file(e->tl, "cutover-20250101T000000Z.jsonl", 300, false);
    snprintf(path, sizeof path, "%s/cutover-20250101T000000Z.jsonl", e->tl);
    assert_int_equal(chmod(path, 0), 0);
    assert_int_equal(stat(path, &before), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* a crash kills the child, not cmocka's handler running the rest */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        signal(SIGABRT, SIG_DFL);
        /* root reads any file: as nobody, open(2) fails with EACCES as it
         * does for a server whose user cannot read the file */
        if (geteuid() == 0 && (chown(e->dir, 65534, 65534) != 0 || chown(e->tl, 65534, 65534) != 0 ||
                               setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        struct timeline_writer *t;
        char msg[200];
        dirty_stack();
        if (timeline_writer_open(e->cfg, &t, msg, sizeof msg) != 0)
            _exit(2);
        event(t, e->base + 0.5, "shift", 100, 90);
        timeline_writer_close(t);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* the unreadable file is left as it was; the move opened a new one */
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    glob_t g;
    char pattern[400];
    snprintf(pattern, sizeof pattern, "%s/cutover-*.jsonl", e->tl);
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_int_equal(g.gl_pathc, 2);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torn_last_line_is_skipped_and_counted),
        cmocka_unit_test(test_not_a_timeline),
        cmocka_unit_test(test_event_line_keeps_the_journal_bytes),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test_setup_teardown(test_a_cutover_file, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_rotation_removes_oldest_past_keep_mb, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_resume_appends, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_newest_file_is_not_resumed, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_only_real_moves_open_a_file, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_an_override_opens_a_file, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_preroll_has_the_weights_before_the_move, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_a_parked_cutover_goes_on_in_new_files, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_keep_mb_bounds_a_parked_cutover, env_setup,
                                        env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_panels: the weights, guards, events, status and help panels drawn
 * from models loaded with real server messages (fixtures recorded from
 * `cutover demo`), read back as text and roles at 80 columns; a stale
 * model must show its age in every panel; every panel must draw at every
 * size from 1x1 to 40x12. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "panels/events.h"
#include "panels/failures.h"
#include "panels/guardspanel.h"
#include "panels/help.h"
#include "panels/panel.h"
#include "panels/status.h"
#include "panels/weights.h"
#include "tests/unit/fixture.h"
#include "view/model.h"

static void apply_text(struct model *m, const char *text)
{
    char err[128];
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len)
            assert_int_not_equal(model_apply_line(m, line, len, err, sizeof err), MODEL_MSG_ERROR);
        line += len + (nl ? 1 : 0);
    }
}

static struct model *load(const char *const *names)
{
    struct model *m = model_new();
    assert_non_null(m);
    for (; *names; names++) {
        char *text = fixture_read(*names);
        apply_text(m, text);
        free(text);
    }
    return m;
}

static struct model *load_steady(void)
{
    static const char *const names[] = {"hello.json", "snapshot_steady.json", NULL};
    return load(names);
}

static struct model *load_after(void)
{
    static const char *const names[] = {"hello.json", "snapshot_steady.json",
                                        "events_shift_rollback.jsonl",
                                        "snapshot_after_rollback.json", NULL};
    return load(names);
}

/* ---- reading the grid back ----------------------------------------------- */

/* The row of the grid as text (ASCII cells only are comparable). */
static char *dump(const struct grid *g)
{
    char *s = grid_dump(g);
    assert_non_null(s);
    return s;
}

static void assert_shows(const struct grid *g, const char *needle)
{
    char *s = dump(g);
    if (!strstr(s, needle))
        fail_msg("\"%s\" not in:\n%s", needle, s);
    free(s);
}

static void assert_not_shows(const struct grid *g, const char *needle)
{
    char *s = dump(g);
    if (strstr(s, needle))
        fail_msg("\"%s\" unexpectedly in:\n%s", needle, s);
    free(s);
}

/* Finds an ASCII needle cell by cell; fills x, y of its first cell. */
static int find_cells(const struct grid *g, const char *needle, int *fx, int *fy)
{
    int n = (int)strlen(needle), w = grid_width(g), h = grid_height(g);
    for (int y = 0; y < h; y++)
        for (int x = 0; x + n <= w; x++) {
            int k = 0;
            while (k < n) {
                const struct grid_cell *c = grid_cell(g, x + k, y);
                if (c->glyph[0] != needle[k] || c->glyph[1] != '\0')
                    break;
                k++;
            }
            if (k == n) {
                *fx = x;
                *fy = y;
                return 0;
            }
        }
    return -1;
}

/* The role of every cell of the needle, which must all agree. */
static int role_of(const struct grid *g, const char *needle)
{
    int x, y;
    if (find_cells(g, needle, &x, &y) < 0) {
        char *s = dump(g);
        fprintf(stderr, "# \"%s\" not in:\n%s\n", needle, s);
        free(s);
        fail_msg("\"%s\" not found", needle);
    }
    int role = grid_cell(g, x, y)->role;
    for (int k = 1; k < (int)strlen(needle); k++)
        assert_int_equal(grid_cell(g, x + k, y)->role, role);
    return role;
}

static int row_of(const struct grid *g, const char *needle)
{
    int x, y;
    if (find_cells(g, needle, &x, &y) < 0)
        fail_msg("\"%s\" not found", needle);
    return y;
}

/* ---- weights ------------------------------------------------------------- */

static void test_weights_steady(void **state)
{
    (void)state;
    struct model *m = load_steady();
    struct grid *g = grid_new(80, 8);
    struct weights_opts o = {.step = 10, .now = m->at + 1};
    weights_draw(m, g, &o);
    assert_int_equal(role_of(g, "weights"), ROLE_TITLE);
    assert_int_equal(role_of(g, "blue 100"), ROLE_BLUE);
    assert_int_equal(role_of(g, " 0 green"), ROLE_GREEN);
    /* 100/0: the whole bar is blue. */
    int x, y;
    assert_int_equal(find_cells(g, "#", &x, &y), 0);
    assert_int_equal(grid_cell(g, x, y)->role, ROLE_BLUE);
    assert_int_equal(find_cells(g, "=", &x, &y), -1);
    assert_int_equal(role_of(g, "Steady"), ROLE_TITLE);
    assert_int_equal(role_of(g, "blue 100.0% (171)"), ROLE_BLUE);
    assert_shows(g, "served 60 s");
    assert_int_equal(role_of(g, "candidate"), ROLE_DIM);
    assert_shows(g, "stable blue  candidate green");
    assert_shows(g, "next 90/10 (step 10)");
    assert_int_equal(role_of(g, "draining"), ROLE_WARN);
    assert_shows(g, "green has 1 connections open");
    /* a snapshot without the count (an older server) gets no row for it */
    assert_not_shows(g, "old nginx workers");
    assert_not_shows(g, "stale");
    grid_free(g);
    model_free(m);
}

static void test_weights_served_share_and_bar(void **state)
{
    (void)state;
    struct model *m = load_after();
    struct grid *g = grid_new(80, 8);
    struct weights_opts o = {.step = 10, .now = m->at};
    weights_draw(m, g, &o);
    /* 678 and 13 requests in the window. */
    assert_int_equal(role_of(g, "blue 98.1% (678)"), ROLE_BLUE);
    assert_int_equal(role_of(g, "green 1.9% (13)"), ROLE_GREEN);
    assert_shows(g, "drain idle  green has had 0 connections for 4 s of 120 s");
    /* the rollback's reload left two old workers holding streams */
    assert_int_equal(role_of(g, "old nginx workers finishing streams: 2"), ROLE_WARN);
    m->old_workers_draining = 0;
    weights_draw(m, g, &o);
    assert_int_equal(role_of(g, "old nginx workers: none left"), ROLE_DIM);
    assert_not_shows(g, "finishing streams");

    /* Half and half: the bar splits in the middle, each half in its role. */
    m->weight[COLOR_BLUE] = 50;
    m->weight[COLOR_GREEN] = 50;
    weights_draw(m, g, &o);
    int bx, by, gx, gy;
    assert_int_equal(find_cells(g, "#", &bx, &by), 0);
    assert_int_equal(find_cells(g, "=", &gx, &gy), 0);
    assert_int_equal(by, gy);
    int blue = 0, green = 0;
    for (int x = 0; x < 80; x++) {
        const struct grid_cell *c = grid_cell(g, x, by);
        blue += strcmp(c->glyph, "#") == 0 && c->role == ROLE_BLUE;
        green += strcmp(c->glyph, "=") == 0 && c->role == ROLE_GREEN;
    }
    assert_true(blue > 20);
    assert_true(blue - green >= -1 && blue - green <= 1);
    assert_shows(g, "next 40/60 (step 10)");
    grid_free(g);
    model_free(m);
}

static void test_weights_next_step(void **state)
{
    (void)state;
    struct model *m = load_steady();
    int next[COLOR_COUNT];
    assert_int_equal(weights_next_step(m, 10, next), 0);
    assert_int_equal(next[COLOR_BLUE], 90);
    assert_int_equal(next[COLOR_GREEN], 10);
    m->weight[COLOR_BLUE] = 95;
    m->weight[COLOR_GREEN] = 5;
    assert_int_equal(weights_next_step(m, 10, next), 0);
    assert_int_equal(next[COLOR_GREEN], 10);
    assert_int_equal(weights_next_step(m, 25, next), 0);
    assert_int_equal(next[COLOR_GREEN], 25);
    assert_int_equal(next[COLOR_BLUE], 75);
    m->weight[COLOR_BLUE] = 10;
    m->weight[COLOR_GREEN] = 90;
    assert_int_equal(weights_next_step(m, 30, next), 0);
    assert_int_equal(next[COLOR_GREEN], 100);
    assert_int_equal(next[COLOR_BLUE], 0);
    m->weight[COLOR_BLUE] = 0;
    m->weight[COLOR_GREEN] = 100;
    assert_int_equal(weights_next_step(m, 10, next), -1);
    /* The candidate is the color moved toward, whichever it is. */
    m->candidate = COLOR_BLUE;
    assert_int_equal(weights_next_step(m, 10, next), 0);
    assert_int_equal(next[COLOR_BLUE], 10);
    assert_int_equal(next[COLOR_GREEN], 90);
    m->candidate = COLOR_NONE;
    assert_int_equal(weights_next_step(m, 10, next), -1);
    model_free(m);
}

static void test_weights_busy_spinner(void **state)
{
    (void)state;
    struct model *m = load_steady();
    struct grid *g = grid_new(80, 8);
    m->busy = true;
    snprintf(m->busy_text, sizeof m->busy_text, "reload 100/0 -> 90/10");
    struct weights_opts o = {.step = 10, .now = m->at, .spinner = 0};
    weights_draw(m, g, &o);
    assert_int_equal(role_of(g, "| reload 100/0 -> 90/10"), ROLE_WARN);
    assert_not_shows(g, "next 90/10");
    o.spinner = 1;
    weights_draw(m, g, &o);
    assert_shows(g, "/ reload 100/0 -> 90/10");
    grid_free(g);
    model_free(m);
}

static void test_weights_unknown(void **state)
{
    (void)state;
    struct model *m = load_steady();
    m->weights_known = false;
    snprintf(m->weights_error, sizeof m->weights_error, "cannot read upstream.conf");
    struct grid *g = grid_new(80, 8);
    struct weights_opts o = {.step = 10, .now = m->at};
    weights_draw(m, g, &o);
    assert_int_equal(role_of(g, "weights unknown: cannot read upstream.conf"), ROLE_ALERT);
    assert_shows(g, "next: none");
    grid_free(g);
    model_free(m);
}

/* ---- guards -------------------------------------------------------------- */

static void test_guards_levels_and_countdown(void **state)
{
    (void)state;
    struct model *m = load_after();
    struct grid *g = grid_new(80, 6);
    struct guardspanel_opts o = {.now = m->at};
    guardspanel_draw(m, g, &o);
    int ttft = row_of(g, "ttft"), dwell = row_of(g, "dwell");
    assert_true(ttft > 0 && dwell > ttft);
    assert_int_equal(grid_cell(g, 6, ttft)->role, ROLE_OK);
    assert_int_equal(grid_cell(g, 6, dwell)->role, ROLE_WARN);
    assert_shows(g, "green p95 TTFT 128.5 ms is 5.0% over blue's 122.4 ms (limit 8%;");
    /* The server's own countdown, once: no second number beside it. */
    int x, y;
    assert_int_equal(find_cells(g, "next step in 3 s (held 7 s)", &x, &y), 0);
    assert_int_equal(x, 15);   /* right after the level column */
    assert_int_equal(role_of(g, "auto-rollback on"), ROLE_DIM);
    grid_free(g);
    model_free(m);
}

static void test_guards_tripped(void **state)
{
    (void)state;
    struct model *m = load_after();
    snprintf(m->guard[2].level, sizeof m->guard[2].level, "tripped");
    snprintf(m->guard[2].text, sizeof m->guard[2].text, "green 5xx 2.1%% vs blue 0.0%% for 31 s");
    struct grid *g = grid_new(80, 6);
    struct guardspanel_opts o = {.now = m->at};
    guardspanel_draw(m, g, &o);
    int y = row_of(g, "5xx   tripped");
    assert_int_equal(grid_cell(g, 6, y)->role, ROLE_ALERT);
    assert_shows(g, "green 5xx 2.1% vs blue 0.0% for 31 s");
    /* The title names the worst level. */
    assert_int_equal(row_of(g, "guards tripped"), 0);
    assert_int_equal(guardspanel_level_role("tripped"), ROLE_ALERT);
    assert_int_equal(guardspanel_level_role("watching"), ROLE_WARN);
    assert_int_equal(guardspanel_level_role("ok"), ROLE_OK);
    grid_free(g);
    model_free(m);
}


/* At 80x24 the guards get 40 columns and 5 rows: the guard that decides
 * (here the tripped 5xx guard) keeps its sentence whole, wrapped, and the
 * ok ones give up their rows (issue 14: "tripped: green 5xx 10.39%" was
 * all an operator read). */
static void test_guards_deciding_text_whole_at_80x24(void **state)
{
    (void)state;
    struct model *m = load_after();
    const char *why = "tripped: green 5xx 10.39% vs blue 0.00% for 180 s (+10.39 points, limit "
                      "0.5): rolling back";
    snprintf(m->guard[2].level, sizeof m->guard[2].level, "tripped");
    snprintf(m->guard[2].text, sizeof m->guard[2].text, "%s", why);
    struct grid *g = grid_new(40, 6);
    struct guardspanel_opts o = {.now = m->at};
    guardspanel_draw(m, g, &o);
    char *d = dump(g);
    /* every word of it, in order, on the panel */
    char words[256];
    snprintf(words, sizeof words, "%s", why);
    const char *at = d;
    for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) {
        const char *f = strstr(at, w);
        if (!f)
            fail_msg("\"%s\" missing after its earlier words in:\n%s", w, d);
        at = f + strlen(w);
    }
    free(d);
    assert_int_equal(row_of(g, "5xx   tripped"), 1);   /* the deciding one first */
    /* the watching ones that no longer fit whole are named, never cut */
    assert_int_equal(row_of(g, "watching dwell drain  ok ttft"), 4);
    assert_not_shows(g, "next step in");
    grid_free(g);
    model_free(m);
}

/* ---- events -------------------------------------------------------------- */

static void test_events_newest_first(void **state)
{
    (void)state;
    struct model *m = load_after();
    struct grid *g = grid_new(80, 10);
    struct events_opts o = {.now = m->at};
    events_draw(m, g, &o);
    assert_shows(g, "events (8)");
    int rollback = row_of(g, "00:34:06 root rollback 90/10->100/0 9a7d3e2 ok");
    int shift = row_of(g, "00:34:01 root shift 100/0->90/10 9a7d3e2 ok");
    assert_true(rollback >= 1 && shift > rollback);
    assert_int_equal(role_of(g, "rollback"), ROLE_TITLE);
    assert_int_equal(grid_cell(g, 0, rollback)->role, ROLE_DIM);
    /* Scrolled by one, the newest row is gone and all move up. */
    o.skip = 1;
    events_draw(m, g, &o);
    assert_int_equal(row_of(g, "00:34:06 root rollback 90/10->100/0"), rollback - 1);
    grid_free(g);
    model_free(m);
}

static void test_events_failure_text_clipped(void **state)
{
    (void)state;
    struct model *m = load_after();
    apply_text(m, "{\"event\":{\"time\":1795566900.5,\"user\":\"alice\",\"action\":\"shift\","
                  "\"before\":{\"blue\":100,\"green\":0},\"after\":{\"blue\":90,\"green\":10},"
                  "\"candidate\":\"green\",\"outcome\":\"failed\",\"error\":\"nginx: [emerg] "
                  "unknown directive \\\"wieght\\\" in /etc/nginx/upstream.conf:3\"}}");
    struct grid *g = grid_new(80, 4);
    struct events_opts o = {.now = m->at};
    events_draw(m, g, &o);
    assert_int_equal(row_of(g, "00:35:00 alice shift 100/0->90/10 failed: nginx: [emerg]"), 1);
    assert_int_equal(role_of(g, "failed"), ROLE_ALERT);
    assert_int_equal(role_of(g, "nginx: [emerg] unknown directive"), ROLE_ALERT);
    char line[512];
    events_format(model_event_get(m, 0), line, sizeof line);
    assert_string_equal(line, "00:35:00 alice shift 100/0->90/10 failed: nginx: [emerg] unknown "
                              "directive \"wieght\" in /etc/nginx/upstream.conf:3");
    /* An error that starts with the outcome again is not said twice. */
    apply_text(m, "{\"event\":{\"time\":1795566901.5,\"user\":\"alice\",\"action\":\"shift\","
                  "\"before\":{\"blue\":90,\"green\":10},\"after\":{\"blue\":90,\"green\":10},"
                  "\"candidate\":\"green\",\"outcome\":\"refused\",\"error\":\"refused: the "
                  "weights have held 9 s of the 10 s dwell\"}}");
    events_format(model_event_get(m, 0), line, sizeof line);
    assert_string_equal(line, "00:35:01 alice shift 90/10->90/10 refused: the weights have held 9 s "
                              "of the 10 s dwell");
    /* Narrow: each event stays on its row, clipped, not wrapped. */
    struct grid *n = grid_new(30, 4);
    events_draw(m, n, &o);
    char *s = dump(n);
    assert_non_null(strstr(s, "00:35:00 alice shift 100/0->90\n"));
    assert_null(strstr(s, "unknown"));
    free(s);
    grid_free(n);
    grid_free(g);
    model_free(m);
}

/* ---- status -------------------------------------------------------------- */

static void test_status_control_and_keys(void **state)
{
    (void)state;
    struct model *m = load_steady();
    struct grid *g = grid_new(80, 1);
    struct status_opts o = {.host = "gw1.example", .mode = STATUS_CONTROL,
                            .keys = "]/[ step  R rollback  ? help", .now = m->at + 1};
    status_draw(m, g, &o);
    assert_int_equal(role_of(g, "gw1.example"), ROLE_TITLE);
    assert_int_equal(role_of(g, "CONTROL"), ROLE_OK);
    int x, y;
    assert_int_equal(find_cells(g, "? help", &x, &y), 0);
    assert_int_equal(x + 6, 80);    /* right-aligned */
    assert_not_shows(g, "stale");
    /* A refusal goes in the message slot; the keys give way when narrow. */
    o.message = "busy: reload running, key refused";
    status_draw(m, g, &o);
    assert_int_equal(role_of(g, "busy: reload running, key refused"), ROLE_WARN);
    assert_not_shows(g, "? help");
    o.mode = STATUS_REPLAY;
    o.message = NULL;
    status_draw(m, g, &o);
    assert_int_equal(role_of(g, "REPLAY"), ROLE_MARKER);
    grid_free(g);
    model_free(m);
}

static void test_status_watch_names_holder(void **state)
{
    (void)state;
    struct model *m = load_after();
    apply_text(m, "{\"snapshot\":{\"seq\":30,\"at\":1795566860,\"control\":{\"state\":\"held\","
                  "\"text\":\"alice since 00:34:20\",\"holder\":{\"user\":\"alice\","
                  "\"since\":1795566860.2}}}}");
    struct grid *g = grid_new(80, 1);
    struct status_opts o = {.host = "gw1", .mode = STATUS_WATCH, .keys = "q quit", .now = 1795566861};
    status_draw(m, g, &o);
    assert_int_equal(role_of(g, "WATCH"), ROLE_WARN);
    assert_shows(g, "held by alice since 00:34:20");
    /* In CONTROL the holder is us: not repeated. */
    o.mode = STATUS_CONTROL;
    status_draw(m, g, &o);
    assert_not_shows(g, "alice");
    grid_free(g);
    model_free(m);
}

/* ---- help ---------------------------------------------------------------- */

static const struct help_key keys[] = {
    {"] or +", "one step toward the candidate"},
    {"[ or -", "one step back"},
    {"r", "re-run nginx -t and reload"},
    {"R", "rollback"},
    {"T", "take control"},
    {"t", "next theme"},
    {"1 2 3", "time span 5 min, 15 min, 1 h"},
    {"?", "this help"},
    {"q", "quit"},
};

static void test_help_lists_every_key(void **state)
{
    (void)state;
    struct model *m = load_steady();
    struct help_opts o = {.keys = keys, .count = (int)(sizeof keys / sizeof keys[0]), .now = m->at};
    int w, h;
    help_size(&o, &w, &h);
    assert_int_equal(h, o.count + 2);
    assert_true(w <= 80);
    struct grid *g = grid_new(w, h);
    help_draw(m, g, &o);
    for (int i = 0; i < o.count; i++) {
        int y = row_of(g, keys[i].desc), x, ky;
        assert_int_equal(find_cells(g, keys[i].key, &x, &ky), 0);
        assert_int_equal(role_of(g, keys[i].desc), ROLE_TEXT);
        (void)y;
    }
    /* Descriptions line up in one column. */
    int x0, y0, x1, y1;
    assert_int_equal(find_cells(g, "one step back", &x0, &y0), 0);
    assert_int_equal(find_cells(g, "quit", &x1, &y1), 0);
    assert_int_equal(x0, x1);
    /* Boxed. */
    assert_int_equal(grid_cell(g, 0, 0)->glyph[0], '+');
    assert_int_equal(grid_cell(g, w - 1, h - 1)->glyph[0], '+');
    assert_int_equal(grid_cell(g, 0, 1)->role, ROLE_AXIS);
    assert_shows(g, "keys");
    /* Too short a grid says how many keys it could not show. */
    assert_int_equal(grid_resize(g, w, 6), 0);
    help_draw(m, g, &o);
    assert_shows(g, "... 6 more");
    grid_free(g);
    model_free(m);
}

/* ---- age, empty model, sizes --------------------------------------------- */

struct panel_ctx {
    const struct model *m;
    double now;
    bool utf8;
};

static void draw_weights(const struct panel_ctx *c, struct grid *g)
{
    struct weights_opts o = {.step = 10, .spinner = 3, .utf8 = c->utf8, .now = c->now};
    weights_draw(c->m, g, &o);
}

static void draw_guards(const struct panel_ctx *c, struct grid *g)
{
    struct guardspanel_opts o = {.now = c->now};
    guardspanel_draw(c->m, g, &o);
}

static void draw_events(const struct panel_ctx *c, struct grid *g)
{
    struct events_opts o = {.now = c->now};
    events_draw(c->m, g, &o);
}

static void draw_status(const struct panel_ctx *c, struct grid *g)
{
    struct status_opts o = {.host = "gw1", .mode = STATUS_WATCH, .keys = "? help  q quit",
                            .message = "refused", .now = c->now};
    status_draw(c->m, g, &o);
}

static void draw_help(const struct panel_ctx *c, struct grid *g)
{
    struct help_opts o = {.keys = keys, .count = (int)(sizeof keys / sizeof keys[0]),
                          .utf8 = c->utf8, .now = c->now};
    help_draw(c->m, g, &o);
}

typedef void (*draw_fn)(const struct panel_ctx *, struct grid *);
static const draw_fn panels[] = {draw_weights, draw_guards, draw_events, draw_status, draw_help};
#define PANEL_COUNT (sizeof panels / sizeof panels[0])

static void test_stale_shows_age(void **state)
{
    (void)state;
    struct model *m = load_after();
    struct grid *g = grid_new(80, 12);
    struct panel_ctx live = {.m = m, .now = m->at + 2.5};
    struct panel_ctx stale = {.m = m, .now = m->at + 7.4};
    for (size_t i = 0; i < PANEL_COUNT; i++) {
        panels[i](&live, g);
        assert_not_shows(g, "stale");
        panels[i](&stale, g);
        assert_int_equal(role_of(g, "stale: 7 s"), ROLE_ALERT);
    }
    /* Age wins over the title when both do not fit. */
    assert_int_equal(grid_resize(g, 12, 3), 0);
    for (size_t i = 0; i < PANEL_COUNT; i++) {
        panels[i](&stale, g);
        assert_shows(g, "stale: 7 s");
    }
    grid_free(g);
    model_free(m);
}

static void test_no_snapshot(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct grid *g = grid_new(80, 12);
    struct panel_ctx c = {.m = m, .now = 1795566900};
    for (size_t i = 0; i < PANEL_COUNT; i++) {
        panels[i](&c, g);
        assert_shows(g, "no data yet");
        /* Nothing that looks like a number from a server. */
        assert_not_shows(g, "100");
    }
    grid_free(g);
    model_free(m);
}

/* ---- failures -------------------------------------------------------------- */

static const char failures_snapshot[] =
    "{\"snapshot\":{\"at\":100,\"failures\":["
    "{\"time\":99.5,\"color\":\"green\",\"kind\":\"5xx\",\"status\":502,"
    "\"path\":\"/v1/chat/completions\",\"rid\":\"abc123\",\"detail\":\"\"},"
    "{\"time\":98,\"color\":\"blue\",\"kind\":\"probe\",\"status\":0,"
    "\"path\":\"/v1/chat/completions\",\"rid\":\"\",\"detail\":\"timeout: no answer\"},"
    "{\"time\":97,\"color\":\"green\",\"kind\":\"probe\",\"status\":200,"
    "\"path\":\"/v1/chat/completions\",\"rid\":\"\",\"run\":\"chatcmpl_9f2c\","
    "\"detail\":\"stream error: in-stream error: boom\"},"
    "{\"time\":96,\"color\":\"green\",\"kind\":\"stream\",\"status\":200,\"path\":\"\","
    "\"rid\":\"\",\"run\":\"\",\"detail\":\"in-stream failure (gateway log: WARN "
    "streaming chat completion failed)\"}]}}";

/* Newest first, the color in its role, a 5xx with its rid and a probe with
 * its reason; the selected row is highlighted and kept on screen. */
static void test_failures_rows(void **state)
{
    (void)state;
    struct model *m = model_new();
    apply_text(m, failures_snapshot);
    struct grid *g = grid_new(80, 6);
    struct failures_opts o = {.now = 100, .selected = 1};
    failures_draw(m, g, &o);
    assert_shows(g, "failures (4)");
    int r5 = row_of(g, "00:01:39 green 502 /v1/chat/completions rid abc123");
    int rp = row_of(g, "00:01:38 blue --- probe timeout: no answer");
    assert_true(r5 >= 1 && rp == r5 + 1);
    /* A probe names its run; a failure only the gateway's log saw, its rule. */
    assert_int_equal(row_of(g, "00:01:37 green 200 probe run chatcmpl_9f2c stream error"), rp + 1);
    assert_int_equal(row_of(g, "00:01:36 green 200 in-stream failure (gateway log: WARN streaming"),
                     rp + 2);
    assert_int_equal(role_of(g, "green"), ROLE_GREEN);
    assert_int_equal(role_of(g, "blue ---"), ROLE_MARKER);   /* selected */
    o.selected = 0;
    failures_draw(m, g, &o);
    assert_int_equal(role_of(g, "blue"), ROLE_BLUE);
    assert_int_equal(role_of(g, "abc123"), ROLE_MARKER);
    char row[256];
    failures_format(&m->failure[0], row, sizeof row);
    assert_string_equal(row, "00:01:39 green 502 /v1/chat/completions rid abc123");
    /* Two rows of room: the selected second failure scrolls into view. */
    struct grid *small = grid_new(80, 2);
    o.selected = 1;
    failures_draw(m, small, &o);
    assert_shows(small, "probe timeout");
    assert_not_shows(small, "abc123");
    grid_free(small);
    grid_free(g);
    model_free(m);
}

static void test_failures_detail(void **state)
{
    (void)state;
    struct failures_detail d = {.count = 1};
    snprintf(d.title, sizeof d.title, "1 line(s) of green's log with rid abc123");
    snprintf(d.line[0], sizeof d.line[0], "{\"rid\":\"abc123\",\"color\":\"green\",\"version\":\"9a7d3e2\"}");
    struct grid *g = grid_new(80, 5);
    failures_detail_draw(&d, g);
    assert_int_equal(role_of(g, "1 line(s) of green's log"), ROLE_TITLE);
    assert_shows(g, "\"version\":\"9a7d3e2\"");
    assert_shows(g, "Esc closes");
    /* A long line wraps: its end (where a rid often sits) stays readable. */
    struct grid *narrow = grid_new(20, 6);
    failures_detail_draw(&d, narrow);
    assert_int_equal(row_of(narrow, "abc123"), 1);
    assert_int_equal(row_of(narrow, "\"green\""), 2);
    assert_int_equal(row_of(narrow, "9a7d3e2"), 3);
    /* The gateway's "⚠️" (a sign and a zero-width selector) is one column:
     * the row holds 20, and nothing of the line is drawn as '?'. */
    snprintf(d.line[0], sizeof d.line[0], "\u26a0\ufe0f abcdefghijklmnopqrSTUVWXYZ");
    failures_detail_draw(&d, narrow);
    assert_string_equal(grid_cell(narrow, 0, 1)->glyph, "\u26a0");
    assert_int_equal(row_of(narrow, " abcdefghijklmnopqr"), 1);
    assert_int_equal(row_of(narrow, "STUVWXYZ"), 2);
    assert_not_shows(narrow, "?");
    /* A user's text heavy with combining marks (600 of them, 1200 bytes on
     * one 'a'): the row takes whole characters up to its buffer (1023
     * bytes), and the rest of the line follows on the next row, nothing
     * cut into a '?'. */
    size_t at = 0;
    d.line[0][at++] = 'a';
    for (int i = 0; i < 600; i++) {
        d.line[0][at++] = (char)0xcc;
        d.line[0][at++] = (char)0x81;
    }
    snprintf(d.line[0] + at, sizeof d.line[0] - at, "bcd");
    failures_detail_draw(&d, narrow);
    assert_not_shows(narrow, "?");
    assert_string_equal(grid_cell(narrow, 0, 1)->glyph, "a");
    assert_int_equal(row_of(narrow, "bcd"), 2);
    grid_free(narrow);
    snprintf(d.line[0], sizeof d.line[0], "{\"rid\":\"abc123\",\"color\":\"green\",\"version\":\"9a7d3e2\"}");
    d.count = 0;
    failures_detail_draw(&d, g);
    assert_shows(g, "no line of that log holds this id or lies near this time");
    /* Before the answer there is nothing to say of the lines. */
    d.asking = true;
    failures_detail_draw(&d, g);
    assert_not_shows(g, "no line of that log");
    d.asking = false;
    /* Recording: whatever came, no line is drawn, and the view says why. */
    d.count = 1;
    d.withheld = true;
    failures_detail_draw(&d, g);
    assert_shows(g, "log lines are not shown while recording: they hold users' conversations");
    assert_not_shows(g, "9a7d3e2");
    d.withheld = false;
    d.count = 0;
    d.refused = true;
    snprintf(d.title, sizeof d.title, "no log_file configured for green");
    failures_detail_draw(&d, g);
    assert_int_equal(role_of(g, "no log_file configured"), ROLE_ALERT);
    assert_not_shows(g, "no line of that log");
    /* Any size, even an empty model and a selection past the end. */
    struct model *m = model_new();
    apply_text(m, failures_snapshot);
    for (int w = 1; w <= 40; w++)
        for (int h = 1; h <= 8; h++) {
            struct grid *t = grid_new(w, h);
            struct failures_opts o = {.now = 100, .selected = 5};
            failures_draw(m, t, &o);
            failures_detail_draw(&d, t);
            grid_free(t);
        }
    model_free(m);
    grid_free(g);
}

static void test_every_size(void **state)
{
    (void)state;
    struct model *full = load_after(), *empty = model_new();
    const struct model *models[] = {full, empty};
    for (size_t k = 0; k < 2; k++)
        for (int utf8 = 0; utf8 < 2; utf8++)
            for (int w = 1; w <= 40; w++)
                for (int h = 1; h <= 12; h++) {
                    struct grid *g = grid_new(w, h);
                    assert_non_null(g);
                    struct panel_ctx c = {.m = models[k], .now = full->at + 9, .utf8 = utf8};
                    for (size_t i = 0; i < PANEL_COUNT; i++) {
                        panels[i](&c, g);
                        char *s = dump(g);
                        int rows = 1;
                        for (char *p = s; *p; p++)
                            rows += *p == '\n';
                        assert_int_equal(rows, h);
                        free(s);
                    }
                    grid_free(g);
                }
    model_free(full);
    model_free(empty);
}

int main(void)
{
    /* Event times are shown in local time: pin it. */
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_steady),
        cmocka_unit_test(test_weights_served_share_and_bar),
        cmocka_unit_test(test_weights_next_step),
        cmocka_unit_test(test_weights_busy_spinner),
        cmocka_unit_test(test_weights_unknown),
        cmocka_unit_test(test_guards_levels_and_countdown),
        cmocka_unit_test(test_guards_tripped),
        cmocka_unit_test(test_guards_deciding_text_whole_at_80x24),
        cmocka_unit_test(test_events_newest_first),
        cmocka_unit_test(test_events_failure_text_clipped),
        cmocka_unit_test(test_status_control_and_keys),
        cmocka_unit_test(test_status_watch_names_holder),
        cmocka_unit_test(test_help_lists_every_key),
        cmocka_unit_test(test_stale_shows_age),
        cmocka_unit_test(test_no_snapshot),
        cmocka_unit_test(test_every_size),
        cmocka_unit_test(test_failures_rows),
        cmocka_unit_test(test_failures_detail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

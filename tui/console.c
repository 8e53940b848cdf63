/* console: layout, keys, confirmations, modes. */
#include "tui/console.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include "core/protocol.h"
#include "panels/chart.h"
#include "panels/events.h"
#include "panels/failures.h"
#include "view/grid.h"
#include "panels/guardspanel.h"
#include "panels/help.h"
#include "panels/status.h"
#include "panels/weights.h"
#include "tui/cast.h"
#include "tui/link.h"
#include "view/model.h"
#include "tui/replay.h"
#include "tui/screen.h"

/* ncurses key codes, without including ncurses here (only screen.c does). */
#define KEY_ENTER_CODE 0527
#define KEY_BACKSPACE_CODE 0407
#define KEY_DOWN_CODE 0402
#define KEY_UP_CODE 0403
#define KEY_ESC 27

enum action {
    ACT_STEP_UP, ACT_STEP_DOWN, ACT_RELOAD, ACT_ROLLBACK, ACT_TAKE_CONTROL, ACT_RETIRE,
    ACT_HELP, ACT_THEME, ACT_SPAN_5M, ACT_SPAN_15M, ACT_SPAN_1H, ACT_QUIT,
    ACT_FAILURES, ACT_SEL_UP, ACT_SEL_DOWN, ACT_LOOKUP, ACT_CLOSE,
    ACT_PAUSE, ACT_SLOWER, ACT_FASTER, ACT_NEXT_EVENT
};

enum bind_kind {
    VIEW,                       /* bound everywhere */
    MOVES,                      /* changes traffic: confirmed with y, not bound in --watch or replay */
    REPLAY                      /* bound in replay only */
};

/* The keymap: a table, read by the key handler and by the help overlay. */
struct binding {
    int key;
    const char *name;
    const char *desc;
    enum action action;
    enum bind_kind kind;
};

static const struct binding bindings[] = {
    {']', "] or +", "one step toward the candidate (asks y)", ACT_STEP_UP, MOVES},
    {'+', NULL, NULL, ACT_STEP_UP, MOVES},
    {'[', "[ or -", "one step back toward the stable color (asks y)", ACT_STEP_DOWN, MOVES},
    {'-', NULL, NULL, ACT_STEP_DOWN, MOVES},
    {'r', "r", "run nginx -t and reload the current file (asks y)", ACT_RELOAD, MOVES},
    {'R', "R", "rollback: all weight to the stable color, candidate stopped (asks y)", ACT_ROLLBACK, MOVES},
    {'T', "T", "take control from whoever holds it (asks y, journaled)", ACT_TAKE_CONTROL, MOVES},
    {'?', "?", "this help", ACT_HELP, VIEW},
    {'t', "t", "next theme", ACT_THEME, VIEW},
    {'1', "1 2 3", "chart span: 5 min, 15 min, 1 h", ACT_SPAN_5M, VIEW},
    {'2', NULL, NULL, ACT_SPAN_15M, VIEW},
    {'3', NULL, NULL, ACT_SPAN_1H, VIEW},
    {'f', "f", "failures: recent 5xx and failed probes in place of the chart", ACT_FAILURES, VIEW},
    {'k', "j k or arrows", "select a failure", ACT_SEL_UP, VIEW},
    {KEY_UP_CODE, NULL, NULL, ACT_SEL_UP, VIEW},
    {'j', NULL, NULL, ACT_SEL_DOWN, VIEW},
    {KEY_DOWN_CODE, NULL, NULL, ACT_SEL_DOWN, VIEW},
    {'\r', "Enter", "the selected request's lines in its color's log_file", ACT_LOOKUP, VIEW},
    {'\n', NULL, NULL, ACT_LOOKUP, VIEW},
    {KEY_ENTER_CODE, NULL, NULL, ACT_LOOKUP, VIEW},
    {KEY_ESC, "Esc", "close the help or the log lines", ACT_CLOSE, VIEW},
    {' ', "space", "replay: pause / play", ACT_PAUSE, REPLAY},
    {'<', "< >", "replay: slower / faster (1/4x to 64x)", ACT_SLOWER, REPLAY},
    {'>', NULL, NULL, ACT_FASTER, REPLAY},
    {'g', "g", "replay: jump to the next event", ACT_NEXT_EVENT, REPLAY},
    {'q', "q", "quit (asks while a move is in flight); the server goes on", ACT_QUIT, VIEW},
};
#define BINDING_COUNT ((int)(sizeof bindings / sizeof bindings[0]))

struct console {
    uv_loop_t loop;
    const struct console_options *opt;
    struct screen *screen;
    struct cast *cast;          /* NULL unless recording */
    bool cast_error_shown;
    struct link *link;
    struct model *model;
    struct theme theme;
    uv_timer_t tick;            /* redraw each second: ages and countdowns move */
    struct grid *g_chart, *g_weights, *g_guards, *g_events, *g_status, *g_help;
    int span_s;
    bool help;
    int spinner;
    long long next_id;
    int pending;                /* an action waiting for y, or -1 */
    char pending_text[160];
    char message[200];
    char link_note[200];
    /* A guard or preflight refused our shift: the operator may type
     * "override <reason>" to force it (journaled by the server). */
    bool typing;
    char input[220];
    size_t input_len;
    struct protocol_cmd refused_shift;
    long long last_shift_id;
    bool retire_offered;        /* once per drained episode */
    /* The failures view replaces the chart: it needs rows, and an operator
     * chasing a failing request is not reading the chart meanwhile. */
    bool failures_view;
    int selected;               /* index into model->failure */
    bool detail_open;
    long long lookup_id;        /* the lookup whose reply fills detail */
    struct failures_detail detail;
    int exit_code;
    bool quitting;
    /* Replay: the timeline's clock runs at speed unless paused. */
    uv_timer_t play;
    bool paused;
    double speed;
};

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The moment the panels show: the wall clock, or the timeline's in replay
 * (else every replayed snapshot would look hours stale). */
static double console_now(const struct console *c)
{
    return c->opt->replay ? replay_now(c->opt->replay) : now_s();
}

static bool in_control(const struct console *c)
{
    const struct model *m = c->model;
    return m->hello.have && m->control.holder_client_id == m->hello.client_id &&
           strcmp(m->control.state, "held") == 0;
}

/* ---- drawing ----------------------------------------------------------- */

static void blit(struct console *c, struct grid **g, int w, int h, int y, int x,
                 void (*draw)(struct console *c, struct grid *g))
{
    if (w <= 0 || h <= 0)
        return;
    if (!*g)
        *g = grid_new(w, h);
    else if (grid_width(*g) != w || grid_height(*g) != h)
        grid_resize(*g, w, h);
    if (!*g)
        return;
    draw(c, *g);
    screen_blit(c->screen, *g, y, x);
}

static void draw_chart(struct console *c, struct grid *g)
{
    struct chart_opts o = {.span_s = c->span_s, .utf8 = screen_utf8(c->screen), .now = console_now(c)};
    chart_draw(c->model, g, &o);
}

static void draw_weights(struct console *c, struct grid *g)
{
    struct weights_opts o = {.step = c->opt->step, .spinner = c->spinner,
                             .utf8 = screen_utf8(c->screen), .now = console_now(c)};
    weights_draw(c->model, g, &o);
}

static void draw_guards(struct console *c, struct grid *g)
{
    struct guardspanel_opts o = {.now = console_now(c)};
    guardspanel_draw(c->model, g, &o);
}

static void draw_events(struct console *c, struct grid *g)
{
    struct events_opts o = {.now = console_now(c)};
    events_draw(c->model, g, &o);
}

static void draw_failures(struct console *c, struct grid *g)
{
    if (c->detail_open) {
        failures_detail_draw(&c->detail, g);
        return;
    }
    struct failures_opts o = {.now = console_now(c), .selected = c->selected};
    failures_draw(c->model, g, &o);
}

/* "2x 02:15:31 (1:12 of 9:40)" and paused or done: where the replay is. */
static void replay_position(const struct console *c, char *buf, size_t len)
{
    const struct replay *r = c->opt->replay;
    time_t t = (time_t)replay_now(r);
    struct tm tm;
    char clock[16];
    localtime_r(&t, &tm);
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    int at = (int)(replay_now(r) - replay_start(r)), total = (int)(replay_end(r) - replay_start(r));
    snprintf(buf, len, "%s %gx %s (%d:%02d of %d:%02d)%s%s%s", replay_name(r), c->speed, clock,
             at / 60, at % 60, total / 60, total % 60,
             replay_done(r) ? "  end" : c->paused ? "  paused" : "", c->message[0] ? "  " : "",
             c->message);
}

static void draw_status(struct console *c, struct grid *g)
{
    const char *keys = c->opt->replay ? "space pause  < > speed  g next event  ? help  q quit"
                     : c->opt->watch || !in_control(c) ? "? help  1/2/3 span  t theme  q quit"
                                                       : "]/[ step  r reload  R rollback  ? help  q quit";
    char typed[560], where[400];
    /* The refusal stays in view while the operator decides: the prompt
     * first (it must fit), then why the step was refused. */
    snprintf(typed, sizeof typed, "> %s_  (override <why> + Enter forces it; Esc keeps it refused)  %s",
             c->input, c->message);
    const char *msg = c->typing ? typed
                    : c->pending >= 0 ? c->pending_text : c->link_note[0] ? c->link_note : c->message;
    if (c->opt->replay) {
        replay_position(c, where, sizeof where);
        msg = where;
    }
    enum status_mode mode = c->opt->replay ? STATUS_REPLAY : in_control(c) ? STATUS_CONTROL : STATUS_WATCH;
    struct status_opts o = {.host = c->opt->host, .mode = mode, .keys = keys, .message = msg,
                            .now = console_now(c)};
    status_draw(c->model, g, &o);
}

static struct help_key help_keys[BINDING_COUNT];
static int help_count;

static void draw_help(struct console *c, struct grid *g)
{
    struct help_opts o = {.keys = help_keys, .count = help_count, .utf8 = screen_utf8(c->screen),
                          .now = console_now(c)};
    help_draw(c->model, g, &o);
}

/* Below 60x16 one line asks for room instead of a broken layout. */
static void draw_too_small(struct console *c, int cols, int rows)
{
    struct grid *g = grid_new(cols > 0 ? cols : 1, 1);
    if (!g)
        return;
    grid_put_text(g, 0, 0, "cutover needs at least 60x16: make the window larger", cols, ROLE_ALERT);
    screen_erase(c->screen);
    screen_blit(c->screen, g, rows > 1 ? rows / 2 : 0, 0);
    grid_free(g);
}

static void redraw(struct console *c)
{
    int cols, rows;
    if (!c->screen)
        return;
    screen_size(c->screen, &cols, &rows);
    if (cols < 60 || rows < 16) {
        draw_too_small(c, cols, rows);
        return;
    }
    /* Wide: the chart takes the whole height and the panels a column on the
     * right; else the panels share a band under the chart. A blank column
     * keeps the chart's newest second apart from the panels' text. */
    bool wide = cols >= 140;
    int bottom = wide ? 0 : rows >= 30 ? 11 : 9;
    int chart_h = rows - 1 - bottom;
    /* Wider terminals give the panels' sentences room before the chart more seconds. */
    int side = !wide ? 0 : cols >= 200 ? 72 : cols >= 160 ? 60 : 48;
    blit(c, &c->g_chart, cols - side, chart_h, 0, 0, c->failures_view ? draw_failures : draw_chart);
    if (wide) {
        int x = cols - side + 1;
        blit(c, &c->g_weights, side - 1, 9, 0, x, draw_weights);
        blit(c, &c->g_guards, side - 1, 6, 9, x, draw_guards);
        blit(c, &c->g_events, side - 1, rows - 1 - 15, 15, x, draw_events);
    } else {
        int half = cols / 2;
        blit(c, &c->g_weights, half - 1, bottom, chart_h, 0, draw_weights);
        blit(c, &c->g_guards, cols - half, 6, chart_h, half, draw_guards);
        blit(c, &c->g_events, cols - half, bottom - 6, chart_h + 6, half, draw_events);
    }
    blit(c, &c->g_status, cols, 1, rows - 1, 0, draw_status);
    if (c->help) {
        struct help_opts o = {.keys = help_keys, .count = help_count};
        int w, h;
        help_size(&o, &w, &h);
        w = w < cols ? w : cols;
        h = h < rows - 1 ? h : rows - 1;
        blit(c, &c->g_help, w, h, (rows - 1 - h) / 2, (cols - w) / 2, draw_help);
    }
}

/* ---- commands ------------------------------------------------------------ */

static void send_cmd(struct console *c, struct protocol_cmd *cmd)
{
    cmd->id = ++c->next_id;
    if (cmd->name == CMD_SHIFT) {
        c->last_shift_id = cmd->id;
        c->refused_shift = *cmd;
    }
    char *line = protocol_encode_command(cmd);
    if (!line || link_send(c->link, line) != 0)
        snprintf(c->message, sizeof c->message, "not connected to the server: nothing was sent");
    free(line);
}

/* Shows what a moving key will do and waits for y. */
static void ask(struct console *c, enum action a)
{
    const struct model *m = c->model;
    int next[COLOR_COUNT];
    c->message[0] = '\0';
    if (m->busy && a != ACT_TAKE_CONTROL) {
        snprintf(c->message, sizeof c->message, "refused: %s is running; not queued", m->busy_text);
        return;
    }
    if (a != ACT_TAKE_CONTROL && !in_control(c)) {
        snprintf(c->message, sizeof c->message, "refused: you are watching (T takes control)");
        return;
    }
    switch (a) {
    case ACT_STEP_UP:
        if (weights_next_step(m, c->opt->step, next) != 0) {
            snprintf(c->message, sizeof c->message, "no step toward the candidate from here");
            return;
        }
        snprintf(c->pending_text, sizeof c->pending_text,
                 "shift blue %d / green %d -> blue %d / green %d ? y/n", m->weight[COLOR_BLUE],
                 m->weight[COLOR_GREEN], next[COLOR_BLUE], next[COLOR_GREEN]);
        break;
    case ACT_STEP_DOWN:
        snprintf(c->pending_text, sizeof c->pending_text,
                 "step back toward %s (blue %d / green %d now) ? y/n",
                 m->stable >= 0 ? color_name((enum color)m->stable) : "the stable color",
                 m->weight[COLOR_BLUE], m->weight[COLOR_GREEN]);
        break;
    case ACT_ROLLBACK:
        snprintf(c->pending_text, sizeof c->pending_text,
                 "ROLLBACK: all weight to %s, stop %s ? y/n",
                 m->stable >= 0 ? color_name((enum color)m->stable) : "the stable color",
                 m->candidate >= 0 ? color_name((enum color)m->candidate) : "the candidate");
        break;
    case ACT_RELOAD:
        snprintf(c->pending_text, sizeof c->pending_text, "nginx -t and reload the current file ? y/n");
        break;
    case ACT_TAKE_CONTROL:
        snprintf(c->pending_text, sizeof c->pending_text, "take control from %s ? y/n",
                 m->control.holder_user[0] ? m->control.holder_user : "nobody");
        break;
    default:
        return;
    }
    c->pending = (int)a;
}

static void confirmed(struct console *c, enum action a)
{
    struct protocol_cmd cmd = {.stable = COLOR_NONE};
    switch (a) {
    case ACT_STEP_UP:
        cmd.name = CMD_SHIFT;
        cmd.amount = c->opt->step;
        break;
    case ACT_STEP_DOWN:
        cmd.name = CMD_SHIFT;
        cmd.amount = -c->opt->step;
        break;
    case ACT_ROLLBACK:
        cmd.name = CMD_ROLLBACK;
        break;
    case ACT_RELOAD:
        cmd.name = CMD_RELOAD;
        break;
    case ACT_TAKE_CONTROL:
        cmd.name = CMD_TAKE_CONTROL;
        cmd.steal = true;
        break;
    case ACT_RETIRE:
        cmd.name = CMD_RETIRE;
        break;
    default:
        return;
    }
    send_cmd(c, &cmd);
    snprintf(c->message, sizeof c->message, "sent: %s", protocol_command_name(cmd.name));
}

/* Enter on a 5xx row: ask the server for that color's log lines with the
 * same request id. Probes carry no rid, so there is nothing to look up. */
static void lookup(struct console *c)
{
    const struct model *m = c->model;
    if (!c->failures_view || c->selected < 0 || c->selected >= m->failure_count)
        return;
    const struct model_failure *f = &m->failure[c->selected];
    if (f->color < 0 || !protocol_rid_valid(f->rid)) {
        snprintf(c->message, sizeof c->message, "this failure has no request id to look up");
        return;
    }
    struct protocol_cmd cmd = {.name = CMD_LOOKUP, .stable = COLOR_NONE, .color = f->color};
    snprintf(cmd.rid, sizeof cmd.rid, "%s", f->rid);
    send_cmd(c, &cmd);
    c->lookup_id = cmd.id;
    c->detail_open = true;
    c->detail.count = 0;
    c->detail.refused = false;
    snprintf(c->detail.title, sizeof c->detail.title, "%s rid %s: asking the server...",
             color_name((enum color)f->color), f->rid);
}

static void select_failure(struct console *c, int delta)
{
    int n = c->model->failure_count;
    c->selected += delta;
    if (c->selected >= n)
        c->selected = n - 1;
    if (c->selected < 0)
        c->selected = 0;
}

static void quit(struct console *c)
{
    if (c->quitting)
        return;
    c->quitting = true;
    uv_timer_stop(&c->tick);
    uv_close((uv_handle_t *)&c->tick, NULL);
    if (c->opt->replay)
        uv_close((uv_handle_t *)&c->play, NULL);
    link_stop(c->link);
    if (c->screen)
        screen_close(c->screen);
    c->screen = NULL;
}

static void on_line(const char *line, size_t len, void *data);

/* g: everything up to the next journal event is played at once. */
static void replay_jump(struct console *c)
{
    double t = replay_next_event(c->opt->replay);
    if (t < 0) {
        snprintf(c->message, sizeof c->message, "no event left");
        return;
    }
    c->message[0] = '\0';
    replay_advance(c->opt->replay, t, on_line, c);
}

#define PLAY_TICK_MS 100

static void on_play(uv_timer_t *t)
{
    struct console *c = t->data;
    struct replay *r = c->opt->replay;
    if (c->paused || replay_done(r))
        return;
    replay_advance(r, replay_now(r) + c->speed * PLAY_TICK_MS / 1000.0, on_line, c);
    redraw(c);
}

static void act(struct console *c, enum action a)
{
    switch (a) {
    case ACT_HELP:
        c->help = !c->help;
        if (c->screen)
            screen_erase(c->screen);
        break;
    case ACT_THEME: {
        char err[200];
        theme_load(theme_next(c->theme.name), &c->theme, err, sizeof err);
        screen_set_theme(c->screen, &c->theme);
        snprintf(c->message, sizeof c->message, "theme %s", c->theme.name);
        break;
    }
    case ACT_SPAN_5M: c->span_s = 300; break;
    case ACT_SPAN_15M: c->span_s = 900; break;
    case ACT_SPAN_1H: c->span_s = 3600; break;
    case ACT_FAILURES:
        c->failures_view = !c->failures_view;
        c->detail_open = false;
        break;
    case ACT_SEL_UP: select_failure(c, -1); break;
    case ACT_SEL_DOWN: select_failure(c, 1); break;
    case ACT_LOOKUP: lookup(c); break;
    case ACT_CLOSE:
        c->detail_open = false;
        if (c->help && c->screen)
            screen_erase(c->screen);
        c->help = false;
        break;
    case ACT_PAUSE: c->paused = !c->paused; break;
    case ACT_SLOWER: c->speed = c->speed > 0.25 ? c->speed / 2 : 0.25; break;
    case ACT_FASTER: c->speed = c->speed < 64 ? c->speed * 2 : 64; break;
    case ACT_NEXT_EVENT: replay_jump(c); break;
    case ACT_QUIT:
        if (c->model->busy) {
            c->pending = (int)ACT_QUIT;
            snprintf(c->pending_text, sizeof c->pending_text,
                     "%s is running (the server finishes it): quit anyway ? y/n", c->model->busy_text);
            return;
        }
        quit(c);
        return;
    default:
        ask(c, a);
        break;
    }
}

/* "override <reason>" + Enter forces the refused shift; anything else keeps
 * it refused. The word must be typed: no single key overrides a guard. */
static void typed_key(struct console *c, int key)
{
    if (key == 27) {
        c->typing = false;
        snprintf(c->message, sizeof c->message, "override cancelled: the shift stays refused");
    } else if (key == '\r' || key == '\n' || key == KEY_ENTER_CODE) {
        c->typing = false;
        const char *reason = c->input + 8;
        while (*reason == ' ')
            reason++;
        if (strncmp(c->input, "override", 8) != 0 || !*reason) {
            snprintf(c->message, sizeof c->message,
                     "not sent: type the word override and a reason");
            return;
        }
        struct protocol_cmd cmd = c->refused_shift;
        cmd.force = true;
        snprintf(cmd.reason, sizeof cmd.reason, "%s", reason);
        send_cmd(c, &cmd);
        snprintf(c->message, sizeof c->message, "sent: shift with override (journaled)");
    } else if ((key == 127 || key == 8 || key == KEY_BACKSPACE_CODE) && c->input_len > 0) {
        c->input[--c->input_len] = '\0';
    } else if (key >= 32 && key < 127 && c->input_len + 1 < sizeof c->input) {
        c->input[c->input_len++] = (char)key;
        c->input[c->input_len] = '\0';
    }
}

static bool bound(const struct console *c, const struct binding *b)
{
    if (b->kind == REPLAY)
        return c->opt->replay != NULL;
    return b->kind == VIEW || (!c->opt->watch && !c->opt->replay);
}

static void on_key(void *ud, int key)
{
    struct console *c = ud;
    if (c->typing) {
        typed_key(c, key);
        redraw(c);
        return;
    }
    if (c->pending >= 0) {
        enum action a = (enum action)c->pending;
        c->pending = -1;
        if (key == 'y' || key == 'Y') {
            if (a == ACT_QUIT) {
                quit(c);
                return;
            }
            confirmed(c, a);
        } else {
            snprintf(c->message, sizeof c->message, "cancelled");
        }
        redraw(c);
        return;
    }
    for (int i = 0; i < BINDING_COUNT; i++) {
        const struct binding *b = &bindings[i];
        if (b->key != key || !bound(c, b))
            continue; /* --watch: moving keys are not bound at all */
        act(c, b->action);
        break;
    }
    if (!c->quitting)
        redraw(c);
}

static void on_resize(void *ud, int cols, int rows)
{
    struct console *c = ud;
    (void)cols;
    (void)rows;
    screen_erase(c->screen);
    redraw(c);
}

static void on_hangup(void *ud)
{
    quit(ud); /* the server goes on; our terminal is gone */
}

/* ---- server messages ------------------------------------------------------ */

/* The lookup's answer: its message as the title, its lines verbatim. */
static void show_lines(struct console *c, const cJSON *r)
{
    const cJSON *m = cJSON_GetObjectItem(r, "message"), *l;
    snprintf(c->detail.title, sizeof c->detail.title, "%s",
             cJSON_IsString(m) ? m->valuestring : "?");
    c->detail.count = 0;
    c->detail.refused = !cJSON_IsTrue(cJSON_GetObjectItem(r, "ok"));
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(r, "lines")) {
        if (c->detail.count == FAILURES_DETAIL_LINES)
            break;
        if (cJSON_IsString(l))
            snprintf(c->detail.line[c->detail.count++], sizeof c->detail.line[0], "%s",
                     l->valuestring);
    }
}

static void show_reply(struct console *c, const char *line, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(line, len);
    const cJSON *r = cJSON_GetObjectItem(j, "reply");
    const cJSON *m = cJSON_GetObjectItem(r, "message");
    const cJSON *id = cJSON_GetObjectItem(r, "id");
    if (cJSON_IsString(m))
        snprintf(c->message, sizeof c->message, "%s", m->valuestring);
    /* Our move's answer means it is over; the next snapshot would say so a
     * second later, and keys pressed meanwhile would be refused as busy. */
    if (cJSON_IsNumber(id) && c->lookup_id && (long long)id->valuedouble == c->lookup_id) {
        show_lines(c, r);
        cJSON_Delete(j);
        return;
    }
    if (cJSON_IsNumber(id) && (long long)id->valuedouble == c->next_id)
        c->model->busy = false;
    /* A guard's or preflight's refusal of our shift can be overridden. */
    if (cJSON_IsNumber(id) && (long long)id->valuedouble == c->last_shift_id &&
        cJSON_IsString(m) && strstr(m->valuestring, "override: --force") && in_control(c)) {
        c->typing = true;
        c->input[0] = '\0';
        c->input_len = 0;
    }
    cJSON_Delete(j);
}

/* Alarms and automatic rollbacks ring the bell: the operator may be looking
 * elsewhere. A drained color is offered for retirement, once. */
static void notice(struct console *c, const char *line)
{
    if (strstr(line, "\"action\":\"alarm\"") || strstr(line, "\"action\":\"auto-rollback\""))
        screen_beep(c->screen);
    /* Only the old color after a completed cutover: in Steady the color at 0
     * is the next candidate, and a rollback already stopped its candidate. */
    bool drained = strcmp(c->model->drain, "drained") == 0 &&
                   strcmp(c->model->phase, "Complete") == 0;
    if (!drained)
        c->retire_offered = false;
    if (drained && !c->retire_offered && in_control(c) && c->pending < 0 && !c->typing &&
        c->model->candidate >= 0 && !c->opt->watch) {
        c->retire_offered = true;
        c->pending = (int)ACT_RETIRE;
        snprintf(c->pending_text, sizeof c->pending_text,
                 "%s is drained: retire it (its stop command) ? y/n",
                 color_name((enum color)c->model->candidate));
    }
}

/* Every journal event is a marker in the recording: a trainer jumps
 * between "shift 90/10" and "auto-rollback: green 5xx ..." with them. */
static void mark_event(struct console *c)
{
    const struct model_event *ev = model_event_count(c->model) > 0 ? model_event_get(c->model, 0)
                                                                   : NULL;
    if (!c->cast || !ev)
        return;
    char label[320];
    int n = snprintf(label, sizeof label, "%s", ev->action);
    if (ev->after[COLOR_BLUE] >= 0 && ev->after[COLOR_GREEN] >= 0 &&
        (ev->before[COLOR_BLUE] != ev->after[COLOR_BLUE] || strcmp(ev->action, "shift") == 0 ||
         strcmp(ev->action, "rollback") == 0))
        n += snprintf(label + n, sizeof label - (size_t)n, " %d/%d", ev->after[COLOR_BLUE],
                      ev->after[COLOR_GREEN]);
    if (ev->outcome[0] && strcmp(ev->outcome, "ok") != 0)
        n += snprintf(label + n, sizeof label - (size_t)n, " %s", ev->outcome);
    if (ev->error[0])
        snprintf(label + n, sizeof label - (size_t)n, ": %.160s", ev->error);
    cast_marker(c->cast, label);
    if (cast_error(c->cast) && !c->cast_error_shown) {
        c->cast_error_shown = true;
        snprintf(c->message, sizeof c->message, "%.190s", cast_error(c->cast));
    }
}

static void on_line(const char *line, size_t len, void *data)
{
    struct console *c = data;
    char err[200];
    if (len > 9 && strncmp(line, "{\"reply\"", 8) == 0) {
        show_reply(c, line, len);
    } else if (len > 9 && strncmp(line, "{\"error\"", 8) == 0) {
        snprintf(c->message, sizeof c->message, "server: %.180s", line);
    } else {
        if (model_apply_line(c->model, line, len, err, sizeof err) == MODEL_MSG_EVENT)
            mark_event(c);
        notice(c, line);
    }
    redraw(c);
}

static void on_link_state(enum link_state st, const char *why, void *data)
{
    struct console *c = data;
    if (st == LINK_LOST)
        snprintf(c->link_note, sizeof c->link_note, "server gone (%.120s): reconnecting", why);
    else if (st == LINK_CONNECTED)
        c->link_note[0] = '\0';
    redraw(c);
}

static void on_tick(uv_timer_t *t)
{
    struct console *c = t->data;
    c->spinner++;
    redraw(c);
}

/* ---- life ------------------------------------------------------------------ */

/* Only the keys bound in this mode: a watcher's help does not offer moves. */
static void build_help(const struct console *c)
{
    help_count = 0;
    for (int i = 0; i < BINDING_COUNT; i++)
        if (bindings[i].name && bound(c, &bindings[i]))
            help_keys[help_count++] = (struct help_key){bindings[i].name, bindings[i].desc};
}

static void free_grids(struct console *c)
{
    struct grid *all[] = {c->g_chart, c->g_weights, c->g_guards, c->g_events, c->g_status, c->g_help};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        grid_free(all[i]);
}

/* Where the messages come from: the server, or a timeline played back. */
static void start_source(struct console *c)
{
    char err[256];
    if (c->opt->replay) {
        uv_timer_init(&c->loop, &c->play);
        c->play.data = c;
        uv_timer_start(&c->play, on_play, PLAY_TICK_MS, PLAY_TICK_MS);
        replay_advance(c->opt->replay, replay_start(c->opt->replay), on_line, c);
        return;
    }
    struct link_options lo = {.socket_path = c->opt->socket_path, .want_control = !c->opt->watch,
                              .ssh_client = getenv("SSH_CLIENT"), .on_line = on_line,
                              .on_state = on_link_state, .data = c};
    if (link_start(&c->loop, &lo, &c->link, err, sizeof err) != 0)
        snprintf(c->message, sizeof c->message, "%.190s", err);
}

static int open_recording(struct console *c, char *err, size_t errlen)
{
    char title[320];
    snprintf(title, sizeof title, "cutover on %.200s (%s)", c->opt->host ? c->opt->host : "?",
             c->opt->replay ? "REPLAY" : c->opt->watch ? "WATCH" : "CONTROL");
    return cast_open(c->opt->record_path, title, &c->cast, err, errlen);
}

int console_run(const struct console_options *opt)
{
    struct console *c = calloc(1, sizeof *c);
    char err[256];
    if (!c || !(c->model = model_new())) {
        free(c);
        fprintf(stderr, "cutover: out of memory\n");
        return 1;
    }
    c->opt = opt;
    c->pending = -1;
    c->span_s = 300;
    c->speed = opt->replay_speed > 0 ? opt->replay_speed : 1;
    build_help(c);
    uv_loop_init(&c->loop);
    if (theme_load(opt->theme, &c->theme, err, sizeof err) != 0)
        snprintf(c->message, sizeof c->message, "%.120s (using %.60s)", err, c->theme.name);
    struct screen_callbacks cb = {.on_key = on_key, .on_resize = on_resize, .on_hangup = on_hangup,
                                  .ud = c};
    if (opt->record_path && open_recording(c, err, sizeof err) != 0) {
        fprintf(stderr, "cutover: %s\n", err);
        c->exit_code = 1;
    } else if (screen_open(&c->loop, &c->theme, &cb, c->cast, &c->screen, err, sizeof err) != 0) {
        fprintf(stderr, "cutover: %s\n", err);
        c->exit_code = 1;
    } else {
        start_source(c);
        uv_timer_init(&c->loop, &c->tick);
        c->tick.data = c;
        uv_timer_start(&c->tick, on_tick, 1000, 1000);
        redraw(c);
    }
    uv_run(&c->loop, UV_RUN_DEFAULT);
    uv_loop_close(&c->loop);
    cast_close(c->cast);
    int rc = c->exit_code;
    free_grids(c);
    model_free(c->model);
    free(c);
    return rc;
}

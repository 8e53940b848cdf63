/* console: the wiring. It owns the loop, the screen, the link (or the
 * replay), the model and the panels' grids; keys go to tui/commands through
 * tui/keymap, panels go where tui/layout puts them, server lines go to the
 * model and then to the commands they answer. */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <uv.h>

#include "panels/banner.h"
#include "panels/chart.h"
#include "panels/events.h"
#include "panels/failures.h"
#include "view/grid.h"
#include "panels/guardspanel.h"
#include "panels/help.h"
#include "panels/messages.h"
#include "panels/status.h"
#include "panels/weights.h"
#include "tui/cast.h"
#include "tui/commands.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/link.h"
#include "view/model.h"
#include "tui/replay.h"
#include "tui/screen.h"
#include "view/announce.h"
#include "view/castmark.h"

#define PLAY_TICK_MS 100

struct console {
    uv_loop_t loop;
    const struct console_options *opt;
    enum keymap_mode mode;
    struct screen *screen;
    struct cast *cast;          /* NULL unless recording */
    bool cast_error_shown;
    struct link *link;
    struct model *model;
    struct theme theme;
    uv_timer_t tick;            /* redraw each second: ages and countdowns move */
    struct grid *grid[LAYOUT_PANEL_COUNT];
    struct layout_rect placed[LAYOUT_PANEL_COUNT]; /* the last frame's places */
    struct help_key help_keys[KEYMAP_HELP_MAX];     /* the keys bound in this mode */
    int help_count;
    int spinner;
    char link_note[320];
    struct commands cmd;        /* what the keys changed: prompt, message, views */
    int exit_code;
    bool quitting;
    uv_timer_t play;            /* replay: advances the timeline's clock */
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

/* What the commands act through, lent for one call. */
static struct commands_env env_of(struct console *c)
{
    return (struct commands_env){.model = c->model, .link = c->link, .screen = c->screen,
                                 .theme = &c->theme, .mode = c->mode, .step = c->opt->step,
                                 .note = c->opt->note, .recording = c->cast != NULL};
}

/* ---- drawing ----------------------------------------------------------- */

/* The chart's place shows the messages while m is on, the failures view
 * (or a failure's log lines) while f is on. */
static void draw_chart(struct console *c, struct grid *g)
{
    if (c->cmd.messages_view) {
        struct announce an;
        announce_latest(c->model, &an);
        struct messages_opts o = {.last = c->link_note[0] ? c->link_note : c->cmd.message,
                                  .server = &an, .now = console_now(c)};
        messages_draw(c->model, g, &o);
    } else if (c->cmd.failures_view && c->cmd.detail_open) {
        failures_detail_draw(&c->cmd.detail, g);
    } else if (c->cmd.failures_view) {
        struct failures_opts o = {.now = console_now(c), .selected = c->cmd.selected};
        failures_draw(c->model, g, &o);
    } else {
        struct chart_opts o = {.span_s = c->cmd.span_s, .utf8 = screen_utf8(c->screen),
                               .now = console_now(c)};
        chart_draw(c->model, g, &o);
    }
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

/* "2x 02:15:31 (1:12 of 9:40)" and paused or done: where the replay is. */
static void replay_position(const struct console *c, char *buf, size_t len)
{
    const struct replay *r = c->opt->replay;
    const struct commands *k = &c->cmd;
    time_t t = (time_t)replay_now(r);
    struct tm tm;
    char clock[16];
    localtime_r(&t, &tm);
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    int at = (int)(replay_now(r) - replay_start(r)), total = (int)(replay_end(r) - replay_start(r));
    snprintf(buf, len, "%s %gx %s (%d:%02d of %d:%02d)%s%s%s", replay_name(r), k->speed, clock,
             at / 60, at % 60, total / 60, total % 60,
             replay_done(r) ? "  end" : k->paused ? "  paused" : "", k->message[0] ? "  " : "",
             k->message);
}

/* The status line's pieces; typed and where are the caller's buffers
 * (TYPED_LEN and WHERE_LEN bytes) the message may point into. */
#define TYPED_LEN 2000
#define WHERE_LEN 1900
static struct status_opts status_opts_of(struct console *c, char *typed, char *where)
{
    const struct commands *k = &c->cmd;
    bool control = commands_in_control(c->model);
    const char *keys = c->opt->replay ? "space pause  < > speed  g next event  ? help  q quit"
                     : c->opt->watch || !control ? "? help  1/2/3 span  t theme  q quit"
                                                 : "]/[ step  r reload  R rollback  ? help  q quit";
    /* The refusal stays in view while the operator decides: the prompt
     * first (it must fit), then why the step was refused. */
    snprintf(typed, TYPED_LEN, "> %s_  (override <why> + Enter forces it; Esc keeps it refused)  %s",
             k->input, k->message);
    /* While the server decides a step, its progress is the sentence that
     * matters: on the status line, wrapped whole (the weights panel's busy
     * row is half the width). */
    const char *msg = k->typing ? typed
                    : k->pending != KEYMAP_ACT_NONE ? k->pending_text
                    : c->link_note[0] ? c->link_note
                    : commands_step_deciding(c->model) ? c->model->busy_text : k->message;
    if (c->opt->replay) {
        replay_position(c, where, WHERE_LEN);
        msg = where;
    }
    enum status_mode mode = c->opt->replay ? STATUS_REPLAY : control ? STATUS_CONTROL : STATUS_WATCH;
    return (struct status_opts){.host = c->opt->host, .mode = mode, .keys = keys, .message = msg,
                                .now = console_now(c)};
}

static void draw_status(struct console *c, struct grid *g)
{
    char typed[TYPED_LEN], where[WHERE_LEN];
    struct status_opts o = status_opts_of(c, typed, where);
    status_draw(c->model, g, &o);
}

static void draw_banner(struct console *c, struct grid *g)
{
    struct announce an;
    if (commands_banner(&c->cmd, c->model, console_now(c), &an))
        banner_draw(&an, g);
    else
        grid_clear(g);
}

static void draw_help(struct console *c, struct grid *g)
{
    struct help_opts o = {.keys = c->help_keys, .count = c->help_count,
                          .utf8 = screen_utf8(c->screen), .now = console_now(c)};
    help_draw(c->model, g, &o);
}

/* Each place of the layout and what draws into it. */
static void (*const drawers[LAYOUT_PANEL_COUNT])(struct console *c, struct grid *g) = {
    [LAYOUT_CHART] = draw_chart,   [LAYOUT_WEIGHTS] = draw_weights, [LAYOUT_GUARDS] = draw_guards,
    [LAYOUT_EVENTS] = draw_events, [LAYOUT_STATUS] = draw_status,   [LAYOUT_HELP] = draw_help,
    [LAYOUT_BANNER] = draw_banner,
};

/* The panel's grid, sized to its place (kept between frames), drawn and
 * copied to the screen. */
static void blit(struct console *c, enum layout_panel p, const struct layout_rect *at)
{
    struct grid **g = &c->grid[p];
    if (at->w <= 0 || at->h <= 0)
        return;
    if (!*g)
        *g = grid_new(at->w, at->h);
    else if (grid_width(*g) != at->w || grid_height(*g) != at->h)
        grid_resize(*g, at->w, at->h);
    if (!*g)
        return;
    drawers[p](c, *g);
    screen_blit(c->screen, *g, at->y, at->x);
}

/* Too small a screen: one line asks for room instead of a broken layout. */
static void draw_too_small(struct console *c, int cols, int rows)
{
    char text[80];
    struct grid *g = grid_new(cols > 0 ? cols : 1, 1);
    if (!g)
        return;
    snprintf(text, sizeof text, "cutover needs at least %dx%d: make the window larger",
             LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
    grid_put_text(g, 0, 0, text, cols, ROLE_ALERT);
    screen_erase(c->screen);
    screen_blit(c->screen, g, rows > 1 ? rows / 2 : 0, 0);
    grid_free(g);
}

/* What the panels ask the layout for: the help's size, the banner's and
 * the message's rows (the banner's at the width the layout gives it). */
static bool place(struct console *c, int cols, int rows, struct layout_rect at[LAYOUT_PANEL_COUNT])
{
    struct layout_want want = {.status_rows = 1};
    char typed[TYPED_LEN], where[WHERE_LEN];
    struct announce an;
    if (c->cmd.help) {
        struct help_opts o = {.keys = c->help_keys, .count = c->help_count};
        help_size(&o, &want.help_w, &want.help_h);
    }
    struct status_opts so = status_opts_of(c, typed, where);
    want.status_rows = status_rows(c->model, &so, cols);
    bool banner = commands_banner(&c->cmd, c->model, console_now(c), &an);
    want.banner_rows = banner ? banner_rows(&an, cols) : 0;
    if (!layout_place_with(cols, rows, &want, at))
        return false;
    if (banner && at[LAYOUT_BANNER].w > 0 && at[LAYOUT_BANNER].w < cols) {
        want.banner_rows = banner_rows(&an, at[LAYOUT_BANNER].w);
        layout_place_with(cols, rows, &want, at);
    }
    return true;
}

static void redraw(struct console *c)
{
    int cols, rows;
    struct layout_rect at[LAYOUT_PANEL_COUNT];
    if (!c->screen)
        return;
    screen_size(c->screen, &cols, &rows);
    if (!place(c, cols, rows, at)) {
        draw_too_small(c, cols, rows);
        return;
    }
    /* A banner or a wrapped message moves the panels: the columns between
     * them would keep the old frame's glyphs. */
    if (memcmp(at, c->placed, sizeof c->placed) != 0) {
        screen_erase(c->screen);
        memcpy(c->placed, at, sizeof c->placed);
    }
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        blit(c, (enum layout_panel)p, &at[p]);
}

/* ---- keys and the terminal ---------------------------------------------- */

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
        snprintf(c->cmd.message, sizeof c->cmd.message, "no event left");
        return;
    }
    c->cmd.message[0] = '\0';
    replay_advance(c->opt->replay, t, on_line, c);
}

static void on_play(uv_timer_t *t)
{
    struct console *c = t->data;
    struct replay *r = c->opt->replay;
    if (c->cmd.paused || replay_done(r))
        return;
    replay_advance(r, replay_now(r) + c->cmd.speed * PLAY_TICK_MS / 1000.0, on_line, c);
    redraw(c);
}

static void on_key(void *ud, int key)
{
    struct console *c = ud;
    struct commands_env env = env_of(c);
    switch (commands_key(&c->cmd, &env, key)) {
    case COMMANDS_QUIT:
        quit(c);
        return;
    case COMMANDS_NEXT_EVENT:
        replay_jump(c);
        break;
    case COMMANDS_REDRAW:
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

/* Every journal event is a marker in the recording: a trainer jumps
 * between "shift 90/10 -> 80/20" and "auto-rollback 50/50 -> 100/0: green
 * 5xx ..." with them. The event is the line's own (the model's newest may
 * be another: an intent is not kept). */
static void mark_event(struct console *c, const char *line, size_t len)
{
    if (!c->cast)
        return;
    cJSON *o = cJSON_ParseWithLength(line, len);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "event");
    struct model_event ev;
    char label[1400];
    bool mark = cJSON_IsObject(j);
    if (mark) {
        model_decode_event(j, &ev);
        mark = castmark_label(&ev, label, sizeof label);
    }
    cJSON_Delete(o);
    if (!mark)
        return;
    cast_marker(c->cast, label);
    if (cast_error(c->cast) && !c->cast_error_shown) {
        c->cast_error_shown = true;
        snprintf(c->cmd.message, sizeof c->cmd.message, "%.190s", cast_error(c->cast));
    }
}

static void on_line(const char *line, size_t len, void *data)
{
    struct console *c = data;
    struct commands_env env = env_of(c);
    char err[200];
    if (len > 9 && strncmp(line, "{\"reply\"", 8) == 0) {
        commands_reply(&c->cmd, &env, line, len);
    } else if (len > 9 && strncmp(line, "{\"error\"", 8) == 0) {
        snprintf(c->cmd.message, sizeof c->cmd.message, "server: %.180s", line);
    } else {
        if (model_apply_line(c->model, line, len, err, sizeof err) == MODEL_MSG_EVENT)
            mark_event(c, line, len);
        commands_notice(&c->cmd, &env, line);
    }
    redraw(c);
}

static void on_link_state(enum link_state st, const char *why, void *data)
{
    struct console *c = data;
    if (st == LINK_LOST && c->opt->watch && !c->model->hello.have)
        snprintf(c->link_note, sizeof c->link_note,
                 "waiting for the cutover server on %.100s (--watch starts none; cutover "
                 "without --watch or cutover server start does)", c->opt->socket_path);
    else if (st == LINK_LOST)
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

static void free_grids(struct console *c)
{
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++)
        grid_free(c->grid[p]);
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
        snprintf(c->cmd.message, sizeof c->cmd.message, "%.190s", err);
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
    c->mode = opt->replay ? KEYMAP_REPLAY : opt->watch ? KEYMAP_WATCH : KEYMAP_CONTROL;
    commands_init(&c->cmd, opt->replay_speed > 0 ? opt->replay_speed : 1);
    if (opt->note)
        snprintf(c->cmd.message, sizeof c->cmd.message, "%s", opt->note);
    c->help_count = keymap_help(c->mode, c->help_keys, KEYMAP_HELP_MAX);
    uv_loop_init(&c->loop);
    if (theme_load(opt->theme, &c->theme, err, sizeof err) != 0)
        snprintf(c->cmd.message, sizeof c->cmd.message, "%.120s (using %.60s)", err, c->theme.name);
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

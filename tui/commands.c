/* commands: the actions behind the keys, the y/n prompt and the override line. */
#include "tui/commands.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/weights.h"
#include "themes/theme.h"
#include "tui/link.h"
#include "view/announce.h"
#include "view/model.h"
#include "tui/screen.h"

#define OVERRIDE_WORD "override"

bool commands_in_control(const struct model *m)
{
    return m->hello.have && m->control.holder_client_id == m->hello.client_id &&
           strcmp(m->control.state, "held") == 0;
}

void commands_init(struct commands *k, double speed)
{
    memset(k, 0, sizeof *k);
    k->pending = KEYMAP_ACT_NONE;
    k->span_s = 300;
    k->speed = speed;
}

static void send_cmd(struct commands *k, const struct commands_env *env, struct protocol_cmd *cmd)
{
    cmd->id = ++k->next_id;
    if (cmd->name == CMD_SHIFT) {
        k->last_shift_id = cmd->id;
        k->refused_shift = *cmd;
    }
    char *line = protocol_encode_command(cmd);
    if (!line || link_send(env->link, line) != 0)
        snprintf(k->message, sizeof k->message, "not connected to the server: nothing was sent");
    free(line);
}

/* ---- moves: asked with y, then sent ------------------------------------- */

static const char *stable_name(const struct model *m)
{
    return m->stable >= 0 ? color_name((enum color)m->stable) : "the stable color";
}

/* Each prompt fills pending_text with what the move will do, or refuses
 * with a message and -1. */
static int prompt_step_up(struct commands *k, const struct commands_env *env)
{
    const struct model *m = env->model;
    int next[COLOR_COUNT];
    if (weights_next_step(m, env->step, next) != 0) {
        snprintf(k->message, sizeof k->message, "no step toward the candidate from here");
        return -1;
    }
    /* After Complete the color at 0 is the old build: a step toward it is a
     * step back, and the prompt says so before the weights. */
    if (strcmp(m->phase, "Complete") == 0 && m->candidate >= 0) {
        const char *old = color_name((enum color)m->candidate);
        snprintf(k->pending_text, sizeof k->pending_text,
                 "send %d%% back to %s, the old build? (blue %d / green %d -> blue %d / green %d) "
                 "y/n", next[m->candidate], old, m->weight[COLOR_BLUE], m->weight[COLOR_GREEN],
                 next[COLOR_BLUE], next[COLOR_GREEN]);
        return 0;
    }
    snprintf(k->pending_text, sizeof k->pending_text,
             "shift blue %d / green %d -> blue %d / green %d ? y/n", m->weight[COLOR_BLUE],
             m->weight[COLOR_GREEN], next[COLOR_BLUE], next[COLOR_GREEN]);
    return 0;
}

static int prompt_step_down(struct commands *k, const struct commands_env *env)
{
    const struct model *m = env->model;
    snprintf(k->pending_text, sizeof k->pending_text,
             "step back toward %s (blue %d / green %d now) ? y/n", stable_name(m),
             m->weight[COLOR_BLUE], m->weight[COLOR_GREEN]);
    return 0;
}

static int prompt_rollback(struct commands *k, const struct commands_env *env)
{
    const struct model *m = env->model;
    snprintf(k->pending_text, sizeof k->pending_text, "ROLLBACK: all weight to %s, stop %s ? y/n",
             stable_name(m),
             m->candidate >= 0 ? color_name((enum color)m->candidate) : "the candidate");
    return 0;
}

static int prompt_reload(struct commands *k, const struct commands_env *env)
{
    (void)env;
    snprintf(k->pending_text, sizeof k->pending_text, "nginx -t and reload the current file ? y/n");
    return 0;
}

static int prompt_take_control(struct commands *k, const struct commands_env *env)
{
    const struct model *m = env->model;
    snprintf(k->pending_text, sizeof k->pending_text, "take control from %s ? y/n",
             m->control.holder_user[0] ? m->control.holder_user : "nobody");
    return 0;
}

/* A move: its prompt (NULL: never asked by a key, only offered) and the
 * command y sends. */
struct move {
    int (*prompt)(struct commands *k, const struct commands_env *env);
    enum protocol_command name;
    int sign;                   /* shifts: +1 toward the candidate, -1 back, times step */
    bool steal;
    bool anytime;               /* asked while busy and while watching */
};

static const struct move moves[KEYMAP_ACT_COUNT] = {
    [KEYMAP_ACT_STEP_UP] = {prompt_step_up, CMD_SHIFT, +1, false, false},
    [KEYMAP_ACT_STEP_DOWN] = {prompt_step_down, CMD_SHIFT, -1, false, false},
    [KEYMAP_ACT_ROLLBACK] = {prompt_rollback, CMD_ROLLBACK, 0, false, false},
    [KEYMAP_ACT_RELOAD] = {prompt_reload, CMD_RELOAD, 0, false, false},
    [KEYMAP_ACT_TAKE_CONTROL] = {prompt_take_control, CMD_TAKE_CONTROL, 0, true, true},
    [KEYMAP_ACT_RETIRE] = {NULL, CMD_RETIRE, 0, false, false},
};

/* Shows what a moving key will do and waits for y. */
static enum commands_reaction ask(struct commands *k, const struct commands_env *env,
                                  enum keymap_action a)
{
    const struct move *mv = &moves[a];
    k->message[0] = '\0';
    if (env->model->busy && !mv->anytime) {
        snprintf(k->message, sizeof k->message, "refused: %s is running; not queued",
                 env->model->busy_text);
        return COMMANDS_REDRAW;
    }
    if (!mv->anytime && !commands_in_control(env->model)) {
        snprintf(k->message, sizeof k->message, "refused: you are watching (T takes control)");
        return COMMANDS_REDRAW;
    }
    if (mv->prompt && mv->prompt(k, env) == 0)
        k->pending = a;
    return COMMANDS_REDRAW;
}

static void confirmed(struct commands *k, const struct commands_env *env, enum keymap_action a)
{
    const struct move *mv = &moves[a];
    if (mv->name == CMD_NONE)
        return;
    struct protocol_cmd cmd = {.stable = COLOR_NONE, .name = mv->name, .amount = mv->sign * env->step,
                               .steal = mv->steal};
    send_cmd(k, env, &cmd);
    snprintf(k->message, sizeof k->message, "sent: %s", protocol_command_name(cmd.name));
}

/* ---- what the operator sees ------------------------------------------- */

static enum commands_reaction toggle_help(struct commands *k, const struct commands_env *env,
                                          enum keymap_action a)
{
    (void)a;
    k->help = !k->help;
    if (k->help && env->note)
        snprintf(k->message, sizeof k->message, "%s", env->note);
    if (env->screen)
        screen_erase(env->screen);
    return COMMANDS_REDRAW;
}

static enum commands_reaction next_theme(struct commands *k, const struct commands_env *env,
                                         enum keymap_action a)
{
    (void)a;
    char err[200];
    theme_load(theme_next(env->theme->name), env->theme, err, sizeof err);
    screen_set_theme(env->screen, env->theme);
    snprintf(k->message, sizeof k->message, "theme %s", env->theme->name);
    return COMMANDS_REDRAW;
}

static const int span_of[KEYMAP_ACT_COUNT] = {
    [KEYMAP_ACT_SPAN_5M] = 300, [KEYMAP_ACT_SPAN_15M] = 900, [KEYMAP_ACT_SPAN_1H] = 3600,
};

static enum commands_reaction set_span(struct commands *k, const struct commands_env *env,
                                       enum keymap_action a)
{
    (void)env;
    k->span_s = span_of[a];
    return COMMANDS_REDRAW;
}

/* The row shown selected is the one followed from now on (none while the
 * list is empty). */
static void pick_selected(struct commands *k, const struct model *m)
{
    k->have_picked = k->selected >= 0 && k->selected < m->failure_count;
    if (k->have_picked)
        k->picked = m->failure[k->selected];
}

static enum commands_reaction toggle_failures(struct commands *k, const struct commands_env *env,
                                              enum keymap_action a)
{
    (void)a;
    k->failures_view = !k->failures_view;
    k->messages_view = false;
    k->detail_open = false;
    k->selected = 0;            /* the newest when the view opens */
    pick_selected(k, env->model);
    return COMMANDS_REDRAW;
}

static enum commands_reaction toggle_messages(struct commands *k, const struct commands_env *env,
                                              enum keymap_action a)
{
    (void)env;
    (void)a;
    k->messages_view = !k->messages_view;
    k->failures_view = false;
    return COMMANDS_REDRAW;
}

static enum commands_reaction select_failure(struct commands *k, const struct commands_env *env,
                                             enum keymap_action a)
{
    int n = env->model->failure_count;
    k->selected += a == KEYMAP_ACT_SEL_UP ? -1 : 1;
    if (k->selected >= n)
        k->selected = n - 1;
    if (k->selected < 0)
        k->selected = 0;
    pick_selected(k, env->model);
    return COMMANDS_REDRAW;
}

/* After a snapshot: the selection goes where its row now is; a row gone
 * from the list leaves the selection at its place (clamped to the list),
 * and the row there is followed from then on. */
static void follow_pick(struct commands *k, const struct model *m)
{
    int at = k->have_picked ? model_failure_find(m, &k->picked) : -1;
    if (at >= 0)
        k->selected = at;
    else if (k->selected >= m->failure_count)
        k->selected = m->failure_count > 0 ? m->failure_count - 1 : 0;
    pick_selected(k, m);
}

/* Enter on a failure: ask the server for that color's log lines holding
 * its id (a 5xx's request id, a probe's run id) and those logged around
 * its time, errors first; an in-stream failure has only its time. */
static enum commands_reaction lookup(struct commands *k, const struct commands_env *env,
                                     enum keymap_action a)
{
    (void)a;
    const struct model *m = env->model;
    if (!k->failures_view || k->selected < 0 || k->selected >= m->failure_count)
        return COMMANDS_REDRAW;
    const struct model_failure *f = &m->failure[k->selected];
    const char *id = f->rid[0] ? f->rid : f->run;
    if (f->color < 0 || (!protocol_rid_valid(id) && !(f->time > 0))) {
        snprintf(k->message, sizeof k->message, "this failure has no id and no time to look up");
        return COMMANDS_REDRAW;
    }
    struct protocol_cmd cmd = {.name = CMD_LOOKUP, .stable = COLOR_NONE, .color = f->color,
                               .time = f->time > 0 ? f->time : 0};
    if (protocol_rid_valid(id))
        snprintf(cmd.rid, sizeof cmd.rid, "%s", id);
    send_cmd(k, env, &cmd);
    k->lookup_id = cmd.id;
    k->detail_open = true;
    k->detail.count = 0;
    k->detail.asking = true;
    k->detail.refused = false;
    k->detail.withheld = false;
    snprintf(k->detail.title, sizeof k->detail.title, "%s %s: asking the server...",
             color_name((enum color)f->color), cmd.rid[0] ? cmd.rid : "failure");
    return COMMANDS_REDRAW;
}

bool commands_step_deciding(const struct model *m)
{
    return m->busy && strncmp(m->busy_text, "deciding the step", 17) == 0;
}

static enum commands_reaction close_overlay(struct commands *k, const struct commands_env *env,
                                            enum keymap_action a)
{
    (void)a;
    /* Esc gives up a step that is still deciding: the operator asked for
     * it, so the operator may stop waiting for it. */
    if (env->mode == KEYMAP_CONTROL && commands_step_deciding(env->model)) {
        struct protocol_cmd cmd = {.name = CMD_CANCEL, .stable = COLOR_NONE};
        send_cmd(k, env, &cmd);
        snprintf(k->message, sizeof k->message, "cancelling the step (it was still deciding)");
        return COMMANDS_REDRAW;
    }
    struct announce an;
    announce_latest(env->model, &an);
    if (an.have)
        k->banner_closed = an.time;
    k->messages_view = false;
    k->detail_open = false;
    if (k->help && env->screen)
        screen_erase(env->screen);
    k->help = false;
    return COMMANDS_REDRAW;
}

/* ---- replay and quitting ----------------------------------------------- */

static enum commands_reaction pause_play(struct commands *k, const struct commands_env *env,
                                         enum keymap_action a)
{
    (void)env;
    (void)a;
    k->paused = !k->paused;
    return COMMANDS_REDRAW;
}

/* 1/4x to 64x, halving or doubling. */
static enum commands_reaction change_speed(struct commands *k, const struct commands_env *env,
                                           enum keymap_action a)
{
    (void)env;
    if (a == KEYMAP_ACT_SLOWER)
        k->speed = k->speed > 0.25 ? k->speed / 2 : 0.25;
    else
        k->speed = k->speed < 64 ? k->speed * 2 : 64;
    return COMMANDS_REDRAW;
}

static enum commands_reaction next_event(struct commands *k, const struct commands_env *env,
                                         enum keymap_action a)
{
    (void)k;
    (void)env;
    (void)a;
    return COMMANDS_NEXT_EVENT;
}

/* The server finishes a move in flight anyway; the operator is told so. */
static enum commands_reaction quit(struct commands *k, const struct commands_env *env,
                                   enum keymap_action a)
{
    (void)a;
    if (!env->model->busy)
        return COMMANDS_QUIT;
    k->pending = KEYMAP_ACT_QUIT;
    snprintf(k->pending_text, sizeof k->pending_text,
             "%.100s is running (the server finishes it): quit anyway ? y/n", env->model->busy_text);
    return COMMANDS_REDRAW;
}

typedef enum commands_reaction (*action_fn)(struct commands *k, const struct commands_env *env,
                                            enum keymap_action a);

/* What each action does: the keymap says which key, this table what. */
static const action_fn actions[KEYMAP_ACT_COUNT] = {
    [KEYMAP_ACT_STEP_UP] = ask,
    [KEYMAP_ACT_STEP_DOWN] = ask,
    [KEYMAP_ACT_RELOAD] = ask,
    [KEYMAP_ACT_ROLLBACK] = ask,
    [KEYMAP_ACT_TAKE_CONTROL] = ask,
    [KEYMAP_ACT_HELP] = toggle_help,
    [KEYMAP_ACT_THEME] = next_theme,
    [KEYMAP_ACT_SPAN_5M] = set_span,
    [KEYMAP_ACT_SPAN_15M] = set_span,
    [KEYMAP_ACT_SPAN_1H] = set_span,
    [KEYMAP_ACT_QUIT] = quit,
    [KEYMAP_ACT_FAILURES] = toggle_failures,
    [KEYMAP_ACT_SEL_UP] = select_failure,
    [KEYMAP_ACT_SEL_DOWN] = select_failure,
    [KEYMAP_ACT_LOOKUP] = lookup,
    [KEYMAP_ACT_CLOSE] = close_overlay,
    [KEYMAP_ACT_PAUSE] = pause_play,
    [KEYMAP_ACT_SLOWER] = change_speed,
    [KEYMAP_ACT_FASTER] = change_speed,
    [KEYMAP_ACT_NEXT_EVENT] = next_event,
    [KEYMAP_ACT_MESSAGES] = toggle_messages,
};

/* ---- keys -------------------------------------------------------------- */

/* "override <reason>" + Enter forces the refused shift; anything else keeps
 * it refused. The word must be typed: no single key overrides a guard. */
static void submit_override(struct commands *k, const struct commands_env *env)
{
    size_t word = strlen(OVERRIDE_WORD);
    const char *reason = k->input + word;
    while (*reason == ' ')
        reason++;
    if (strncmp(k->input, OVERRIDE_WORD, word) != 0 || !*reason) {
        snprintf(k->message, sizeof k->message, "not sent: type the word override and a reason");
        return;
    }
    struct protocol_cmd cmd = k->refused_shift;
    cmd.force = true;
    snprintf(cmd.reason, sizeof cmd.reason, "%s", reason);
    send_cmd(k, env, &cmd);
    snprintf(k->message, sizeof k->message, "sent: shift with override (journaled)");
}

static void override_key(struct commands *k, const struct commands_env *env, int key)
{
    switch (keymap_edit(key)) {
    case KEYMAP_EDIT_CANCEL:
        k->typing = false;
        snprintf(k->message, sizeof k->message, "override cancelled: the shift stays refused");
        break;
    case KEYMAP_EDIT_SUBMIT:
        k->typing = false;
        submit_override(k, env);
        break;
    case KEYMAP_EDIT_ERASE:
        if (k->input_len > 0)
            k->input[--k->input_len] = '\0';
        break;
    case KEYMAP_EDIT_TYPE:
        if (k->input_len + 1 < sizeof k->input) {
            k->input[k->input_len++] = (char)key;
            k->input[k->input_len] = '\0';
        }
        break;
    case KEYMAP_EDIT_IGNORE:
        break;
    }
}

/* The prompt takes one key: y does the action asked about, any other key
 * cancels it. */
static enum commands_reaction answer(struct commands *k, const struct commands_env *env, int key)
{
    enum keymap_action a = k->pending;
    k->pending = KEYMAP_ACT_NONE;
    if (!keymap_yes(key)) {
        snprintf(k->message, sizeof k->message, "cancelled");
        return COMMANDS_REDRAW;
    }
    if (a == KEYMAP_ACT_QUIT)
        return COMMANDS_QUIT;
    confirmed(k, env, a);
    return COMMANDS_REDRAW;
}

enum commands_reaction commands_key(struct commands *k, const struct commands_env *env, int key)
{
    if (k->typing) {
        override_key(k, env, key);
        return COMMANDS_REDRAW;
    }
    if (k->pending != KEYMAP_ACT_NONE)
        return answer(k, env, key);
    enum keymap_action a = keymap_lookup(env->mode, key);
    if (a == KEYMAP_ACT_NONE && env->mode != KEYMAP_CONTROL && keymap_is_move(key)) {
        snprintf(k->message, sizeof k->message, "%s",
                 env->mode == KEYMAP_WATCH
                     ? "read-only: watching (--watch); run cutover without --watch to control"
                     : "read-only: a replay moves nothing");
        return COMMANDS_REDRAW;
    }
    if (a == KEYMAP_ACT_NONE || !actions[a])
        return COMMANDS_REDRAW;
    return actions[a](k, env, a);
}

/* ---- the server's answers ---------------------------------------------- */

/* The lookup's answer: its message as the title, its lines verbatim; but
 * while recording, no line is kept: they may hold users' conversations,
 * and everything drawn goes into the cast file. */
static void show_lines(struct commands *k, const cJSON *r, bool recording)
{
    const cJSON *m = cJSON_GetObjectItem(r, "message"), *l;
    snprintf(k->detail.title, sizeof k->detail.title, "%s",
             cJSON_IsString(m) ? m->valuestring : "?");
    k->detail.count = 0;
    k->detail.asking = false;
    k->detail.refused = !cJSON_IsTrue(cJSON_GetObjectItem(r, "ok"));
    k->detail.withheld = recording && !k->detail.refused;
    if (k->detail.withheld)
        return;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(r, "lines")) {
        if (k->detail.count == FAILURES_DETAIL_LINES)
            break;
        if (cJSON_IsString(l))
            snprintf(k->detail.line[k->detail.count++], sizeof k->detail.line[0], "%s",
                     l->valuestring);
    }
}

void commands_reply(struct commands *k, const struct commands_env *env, const char *line,
                    size_t len)
{
    cJSON *j = cJSON_ParseWithLength(line, len);
    const cJSON *r = cJSON_GetObjectItem(j, "reply");
    const cJSON *m = cJSON_GetObjectItem(r, "message");
    const cJSON *id = cJSON_GetObjectItem(r, "id");
    if (cJSON_IsString(m))
        snprintf(k->message, sizeof k->message, "%s", m->valuestring);
    if (cJSON_IsNumber(id) && k->lookup_id && (long long)id->valuedouble == k->lookup_id) {
        show_lines(k, r, env->recording);
        cJSON_Delete(j);
        return;
    }
    /* Our move's answer means it is over; the next snapshot would say so a
     * second later, and keys pressed meanwhile would be refused as busy. */
    if (cJSON_IsNumber(id) && (long long)id->valuedouble == k->next_id)
        env->model->busy = false;
    /* A guard's or preflight's refusal of our shift can be overridden. */
    if (cJSON_IsNumber(id) && (long long)id->valuedouble == k->last_shift_id &&
        cJSON_IsString(m) && strstr(m->valuestring, "override: --force") &&
        commands_in_control(env->model)) {
        k->typing = true;
        k->input[0] = '\0';
        k->input_len = 0;
    }
    cJSON_Delete(j);
}

bool commands_banner(const struct commands *k, const struct model *m, double now,
                     struct announce *out)
{
    announce_latest(m, out);
    return out->have && out->time > k->banner_closed &&
           (out->standing || now - out->time < ANNOUNCE_KEEP_S);
}

/* Something the server did alone, new to this console: the bell (the
 * operator may be looking elsewhere), its line in place of the last
 * reply (which told of weights that no longer hold), and a prompt about
 * those weights withdrawn. */
static void announce_new(struct commands *k, const struct commands_env *env)
{
    const struct model *m = env->model;
    struct announce an;
    announce_latest(m, &an);
    if (!an.have || an.time <= k->announce_seen)
        return;
    k->announce_seen = an.time;
    double now = m->have_snapshot && m->at > an.time ? m->at : an.time;
    if (!an.standing && now - an.time >= ANNOUNCE_KEEP_S)
        return;
    screen_beep(env->screen);
    snprintf(k->message, sizeof k->message, "%s", an.line);
    if (k->pending != KEYMAP_ACT_NONE && k->pending != KEYMAP_ACT_QUIT) {
        k->pending = KEYMAP_ACT_NONE;
        snprintf(k->message, sizeof k->message, "%.160s (your prompt was withdrawn)", an.line);
    }
    k->typing = false;
}

void commands_notice(struct commands *k, const struct commands_env *env, const char *line)
{
    const struct model *m = env->model;
    (void)line;
    announce_new(k, env);
    follow_pick(k, m);
    /* Only the old color after a completed cutover: in Steady the color at 0
     * is the next candidate, and a rollback already stopped its candidate. */
    bool drained = strcmp(m->drain, "drained") == 0 && strcmp(m->phase, "Complete") == 0;
    if (!drained)
        k->retire_offered = false;
    if (drained && !k->retire_offered && commands_in_control(m) &&
        k->pending == KEYMAP_ACT_NONE && !k->typing && m->candidate >= 0 &&
        env->mode == KEYMAP_CONTROL) {
        k->retire_offered = true;
        k->pending = KEYMAP_ACT_RETIRE;
        snprintf(k->pending_text, sizeof k->pending_text,
                 "%s is drained: retire it (its stop command) ? y/n",
                 color_name((enum color)m->candidate));
    }
}

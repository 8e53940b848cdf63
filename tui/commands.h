/* commands: what a bound key does. A key either changes what the console
 * shows (help, theme, span, the failures view, the replay's speed), or
 * opens the "? y/n" prompt for a move and, on y, sends it to the server
 * (shift, rollback, reload, take-control, retire); a guard's refusal opens
 * the override line. The server's replies and journal lines close the
 * prompts they answer.
 *
 * struct commands is that state. The console embeds it and its drawing reads
 * the fields; only commands_* functions change them. What the actions act
 * through (the model, the link, the screen, the theme) stays the console's
 * and is lent for each call in a struct commands_env. */
#ifndef CUTOVER_TUI_COMMANDS_H
#define CUTOVER_TUI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/protocol.h"
#include "panels/failures.h"
#include "tui/keymap.h"

struct announce;
struct link;
struct model;
struct screen;
struct theme;

struct commands {
    int span_s;                 /* the chart's span */
    bool help;                  /* the help overlay is open */
    /* The failures view replaces the chart: it needs rows, and an operator
     * chasing a failing request is not reading the chart meanwhile. */
    bool failures_view;
    int selected;               /* index into model->failure */
    /* The row shown selected (the newest when the view opens, or the one
     * j/k chose), followed as new failures push it down: Enter must look up
     * the failure the operator sees selected. */
    struct model_failure picked;
    bool have_picked;
    bool messages_view;         /* m: the deciding sentences, whole, in the chart's place */
    bool detail_open;
    struct failures_detail detail;
    bool paused;                /* replay: the timeline's clock runs at speed unless paused */
    double speed;
    enum keymap_action pending; /* an action waiting for y, or KEYMAP_ACT_NONE */
    char pending_text[160];
    char message[1600];         /* whole: a preflight failure runs long; the status
                                   wraps it, m shows it all */
    /* A guard or preflight refused our shift: the operator may type
     * "override <reason>" to force it (journaled by the server). */
    bool typing;
    char input[220];
    size_t input_len;
    struct protocol_cmd refused_shift;
    long long next_id;          /* the last command id sent */
    long long last_shift_id;
    long long lookup_id;        /* the lookup whose reply fills detail */
    bool retire_offered;        /* once per drained episode */
    /* What the server did alone (view/announce): rung for once, its banner
     * shown until Esc closes it. Both hold the announcement's time. */
    double announce_seen;
    double banner_closed;
};

struct commands_env {
    struct model *model;        /* read; the answer to our move clears its busy */
    struct link *link;          /* where commands go (NULL: nothing is sent) */
    struct screen *screen;      /* NULL once closed */
    struct theme *theme;        /* the console's; t loads the next one into it */
    enum keymap_mode mode;
    int step;                   /* rollout.step: one key's shift */
    const char *note;           /* NULL, or what ? shows besides the keys (the demo's sandbox) */
    bool recording;             /* --record: a lookup's log lines are never drawn */
};

/* What the console does after a key, besides what the command did. */
enum commands_reaction {
    COMMANDS_REDRAW,            /* draw again */
    COMMANDS_QUIT,              /* quit now (nothing more to draw) */
    COMMANDS_NEXT_EVENT         /* replay: play up to the next event, then draw */
};

/* No prompt, 5 min span, the replay at speed. */
void commands_init(struct commands *k, double speed);

/* One key from the terminal: the override line takes it while open, else
 * the prompt (y or anything else), else the keymap's action for env->mode. */
enum commands_reaction commands_key(struct commands *k, const struct commands_env *env, int key);

/* A {"reply":...} line from the server: its message is shown; it may end
 * our move, answer a lookup, or refuse our shift (opening the override). */
void commands_reply(struct commands *k, const struct commands_env *env, const char *line,
                    size_t len);

/* Any other server line, once the model has it: alarms ring the bell and a
 * drained color is offered for retirement, once. */
void commands_notice(struct commands *k, const struct commands_env *env, const char *line);

/* The banner to show now, if any: the newest announcement, unless Esc
 * closed it or it is older than ANNOUNCE_KEEP_S. */
bool commands_banner(const struct commands *k, const struct model *m, double now,
                     struct announce *out);

/* Whether this console holds control (as the last hello and control said). */
bool commands_in_control(const struct model *m);
/* Whether the server is holding a step while it decides its verdict (its
 * busy line says so; see runtime/decider.h). */
bool commands_step_deciding(const struct model *m);

#endif

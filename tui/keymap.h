/* keymap: which key does what, in which mode. One const table binds keys to
 * actions; the console looks a key up in it and the help overlay lists the
 * same table, so the two cannot drift. The prompt's keys (y to confirm, the
 * override line's editing keys) are tables too. Pure: no state, no ncurses
 * (the few ncurses key codes the tables need are spelled out here). */
#ifndef CUTOVER_TUI_KEYMAP_H
#define CUTOVER_TUI_KEYMAP_H

#include <stdbool.h>

#include "panels/help.h"

/* ncurses key codes, without including ncurses (only the screen does). */
#define KEYMAP_KEY_DOWN 0402
#define KEYMAP_KEY_UP 0403
#define KEYMAP_KEY_BACKSPACE 0407
#define KEYMAP_KEY_ENTER 0527
#define KEYMAP_KEY_ESC 27

/* What a bound key asks for; tui/commands says what each one does. */
enum keymap_action {
    KEYMAP_ACT_NONE = -1,       /* the key is not bound in this mode */
    KEYMAP_ACT_STEP_UP, KEYMAP_ACT_STEP_DOWN, KEYMAP_ACT_RELOAD, KEYMAP_ACT_ROLLBACK,
    KEYMAP_ACT_TAKE_CONTROL, KEYMAP_ACT_RETIRE, KEYMAP_ACT_HELP, KEYMAP_ACT_THEME,
    KEYMAP_ACT_SPAN_5M, KEYMAP_ACT_SPAN_15M, KEYMAP_ACT_SPAN_1H, KEYMAP_ACT_QUIT,
    KEYMAP_ACT_FAILURES, KEYMAP_ACT_SEL_UP, KEYMAP_ACT_SEL_DOWN, KEYMAP_ACT_LOOKUP,
    KEYMAP_ACT_CLOSE, KEYMAP_ACT_PAUSE, KEYMAP_ACT_SLOWER, KEYMAP_ACT_FASTER,
    KEYMAP_ACT_NEXT_EVENT, KEYMAP_ACT_MESSAGES,
    KEYMAP_ACT_COUNT
};

/* The console's mode decides which rows of the table are bound: moving
 * keys only with control possible, replay keys only in replay. */
enum keymap_mode { KEYMAP_CONTROL, KEYMAP_WATCH, KEYMAP_REPLAY };

/* What a key does on the override line (typed after a guard's refusal). */
enum keymap_edit {
    KEYMAP_EDIT_IGNORE,         /* neither printable nor an editing key */
    KEYMAP_EDIT_CANCEL,
    KEYMAP_EDIT_SUBMIT,
    KEYMAP_EDIT_ERASE,
    KEYMAP_EDIT_TYPE            /* a printable ASCII character */
};

/* At least the number of named rows in the table (checked in keymap.c). */
#define KEYMAP_HELP_MAX 32

/* The action key is bound to in mode, or KEYMAP_ACT_NONE: in --watch the
 * moving keys are not bound at all. */
enum keymap_action keymap_lookup(enum keymap_mode mode, int key);

/* Fills out with the keys bound in mode, one row per help line (a watcher's
 * help does not offer moves); returns how many (at most cap). The strings
 * are the table's own. */
int keymap_help(enum keymap_mode mode, struct help_key *out, int cap);

/* Whether key answers a "? y/n" prompt with yes. */
bool keymap_yes(int key);

/* True when the key moves traffic or takes control in CONTROL mode: in
 * WATCH and REPLAY it is unbound, and the console says it is read-only
 * rather than ignore it. */
bool keymap_is_move(int key);

enum keymap_edit keymap_edit(int key);

#endif

/* keymap: the key tables and their lookups. */
#include "tui/keymap.h"

#include <stddef.h>

enum bind_kind {
    VIEW,                       /* bound everywhere */
    MOVES,                      /* changes traffic: confirmed with y, not bound in --watch or replay */
    REPLAY                      /* bound in replay only */
};

/* One row per key; a row with a name starts a help line, the rows after it
 * without one are the same action's other keys. */
struct binding {
    int key;
    const char *name;
    const char *desc;
    enum keymap_action action;
    enum bind_kind kind;
};

static const struct binding bindings[] = {
    {']', "] or +", "one step toward the candidate (asks y)", KEYMAP_ACT_STEP_UP, MOVES},
    {'+', NULL, NULL, KEYMAP_ACT_STEP_UP, MOVES},
    {'[', "[ or -", "one step back toward the stable color (asks y)", KEYMAP_ACT_STEP_DOWN, MOVES},
    {'-', NULL, NULL, KEYMAP_ACT_STEP_DOWN, MOVES},
    {'r', "r", "run nginx -t and reload the current file (asks y)", KEYMAP_ACT_RELOAD, MOVES},
    {'R', "R", "rollback: all weight to the stable color, candidate stopped (asks y)",
     KEYMAP_ACT_ROLLBACK, MOVES},
    {'T', "T", "take control from whoever holds it (asks y, journaled)", KEYMAP_ACT_TAKE_CONTROL,
     MOVES},
    {'?', "?", "this help", KEYMAP_ACT_HELP, VIEW},
    {'t', "t", "next theme", KEYMAP_ACT_THEME, VIEW},
    {'1', "1 2 3", "chart span: 5 min, 15 min, 1 h", KEYMAP_ACT_SPAN_5M, VIEW},
    {'2', NULL, NULL, KEYMAP_ACT_SPAN_15M, VIEW},
    {'3', NULL, NULL, KEYMAP_ACT_SPAN_1H, VIEW},
    {'f', "f", "failures: recent 5xx and failed probes in place of the chart", KEYMAP_ACT_FAILURES,
     VIEW},
    {'k', "j k or arrows", "select a failure", KEYMAP_ACT_SEL_UP, VIEW},
    {KEYMAP_KEY_UP, NULL, NULL, KEYMAP_ACT_SEL_UP, VIEW},
    {'j', NULL, NULL, KEYMAP_ACT_SEL_DOWN, VIEW},
    {KEYMAP_KEY_DOWN, NULL, NULL, KEYMAP_ACT_SEL_DOWN, VIEW},
    {'\r', "Enter", "the selected failure's lines in its color's log_file", KEYMAP_ACT_LOOKUP, VIEW},
    {'\n', NULL, NULL, KEYMAP_ACT_LOOKUP, VIEW},
    {KEYMAP_KEY_ENTER, NULL, NULL, KEYMAP_ACT_LOOKUP, VIEW},
    {'m', "m", "messages: the last verdicts, refusal, preflight and drill texts, whole",
     KEYMAP_ACT_MESSAGES, VIEW},
    {KEYMAP_KEY_ESC, "Esc", "cancel a step still deciding the step; close the help, the banner, the messages or the log lines",
     KEYMAP_ACT_CLOSE, VIEW},
    {' ', "space", "replay: pause / play", KEYMAP_ACT_PAUSE, REPLAY},
    {'<', "< >", "replay: slower / faster (1/4x to 64x)", KEYMAP_ACT_SLOWER, REPLAY},
    {'>', NULL, NULL, KEYMAP_ACT_FASTER, REPLAY},
    {'g', "g", "replay: jump to the next event", KEYMAP_ACT_NEXT_EVENT, REPLAY},
    {'q', "q", "quit (asks while a move is in flight); the server goes on", KEYMAP_ACT_QUIT, VIEW},
};
#define BINDING_COUNT (sizeof bindings / sizeof bindings[0])

/* Every row fits a help array of KEYMAP_HELP_MAX, named or not. */
_Static_assert(sizeof bindings / sizeof bindings[0] <= KEYMAP_HELP_MAX,
               "KEYMAP_HELP_MAX is smaller than the key table");

/* The override line's editing keys; printable keys are typed. */
static const struct {
    int key;
    enum keymap_edit edit;
} edit_keys[] = {
    {KEYMAP_KEY_ESC, KEYMAP_EDIT_CANCEL},
    {'\r', KEYMAP_EDIT_SUBMIT},
    {'\n', KEYMAP_EDIT_SUBMIT},
    {KEYMAP_KEY_ENTER, KEYMAP_EDIT_SUBMIT},
    {127, KEYMAP_EDIT_ERASE},               /* DEL, what most terminals send */
    {8, KEYMAP_EDIT_ERASE},                 /* ^H */
    {KEYMAP_KEY_BACKSPACE, KEYMAP_EDIT_ERASE},
};

static const int yes_keys[] = {'y', 'Y'};

static bool bound(enum keymap_mode mode, const struct binding *b)
{
    if (b->kind == REPLAY)
        return mode == KEYMAP_REPLAY;
    return b->kind == VIEW || mode == KEYMAP_CONTROL;
}

enum keymap_action keymap_lookup(enum keymap_mode mode, int key)
{
    for (size_t i = 0; i < BINDING_COUNT; i++)
        if (bindings[i].key == key && bound(mode, &bindings[i]))
            return bindings[i].action;
    return KEYMAP_ACT_NONE;
}

int keymap_help(enum keymap_mode mode, struct help_key *out, int cap)
{
    int n = 0;
    for (size_t i = 0; i < BINDING_COUNT && n < cap; i++)
        if (bindings[i].name && bound(mode, &bindings[i]))
            out[n++] = (struct help_key){bindings[i].name, bindings[i].desc};
    return n;
}

bool keymap_is_move(int key)
{
    for (size_t i = 0; i < BINDING_COUNT; i++)
        if (bindings[i].key == key && bindings[i].kind == MOVES)
            return true;
    return false;
}

bool keymap_yes(int key)
{
    for (size_t i = 0; i < sizeof yes_keys / sizeof yes_keys[0]; i++)
        if (yes_keys[i] == key)
            return true;
    return false;
}

enum keymap_edit keymap_edit(int key)
{
    for (size_t i = 0; i < sizeof edit_keys / sizeof edit_keys[0]; i++)
        if (edit_keys[i].key == key)
            return edit_keys[i].edit;
    return key >= 32 && key < 127 ? KEYMAP_EDIT_TYPE : KEYMAP_EDIT_IGNORE;
}

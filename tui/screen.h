/* screen: the console's terminal on the libuv loop. It opens /dev/tty with
 * newterm (stdin/stdout stay untouched, so O_NONBLOCK from polling never
 * leaks to the shell), reads keys when the tty is readable, follows SIGWINCH,
 * blits grids with the theme's role attributes, and flushes at most one
 * doupdate() per loop turn (from a uv_prepare_t) when something was drawn.
 * The terminal is restored by screen_close, at exit, and on SIGSEGV/SIGABRT/
 * SIGBUS/SIGFPE/SIGILL. One screen per process. The screen owns its handles
 * and frees itself once the loop has run their close callbacks. */
#ifndef CUTOVER_TUI_SCREEN_H
#define CUTOVER_TUI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "view/grid.h"
#include "themes/theme.h"

struct screen;

struct screen_callbacks {
    /* One call per key: a byte 0-255 (UTF-8 input comes byte by byte) or
     * an ncurses KEY_* code (>= 0400). KEY_RESIZE is never delivered. */
    void (*on_key)(void *ud, int key);
    /* After SIGWINCH and resizeterm: the new size; everything on screen is
     * stale, draw it all again. */
    void (*on_resize)(void *ud, int cols, int rows);
    /* The terminal went away (SSH dropped): keys stop; the console should
     * close the screen and quit, the server goes on. May be NULL. */
    void (*on_hangup)(void *ud);
    void *ud;
};

struct cast;

/* Sets the locale from the environment (setlocale(LC_ALL, "")), opens the
 * terminal, applies the theme (copied). With record (NULL: none; it must
 * outlive the screen) everything the terminal is sent is also recorded,
 * resizes included: ncurses then draws into a pty this screen copies to the
 * terminal. 0, or -1 with err filled and the terminal untouched (handles
 * already made are closed; run the loop to free them). */
int screen_open(uv_loop_t *loop, const struct theme *theme, const struct screen_callbacks *cb,
                struct cast *record, struct screen **out, char *err, size_t errlen);

/* Whether the locale is UTF-8 (else panels should draw ASCII only). */
bool screen_utf8(const struct screen *s);
/* Whether roles get colors: the terminal has them and the theme sets them. */
bool screen_colors(const struct screen *s);
void screen_size(const struct screen *s, int *cols, int *rows);

/* Switches theme (copied) and marks the whole screen for repainting. */
void screen_set_theme(struct screen *s, const struct theme *theme);

/* Draws the grid with its top-left corner at row y, column x, clipped to
 * the screen. Cells whose glyph cannot be shown (non-ASCII without a UTF-8
 * locale, or not one column wide) show '?'. Output waits for the flush. */
void screen_blit(struct screen *s, const struct grid *g, int y, int x);
/* Blanks the whole screen (before a redraw after resize). */
void screen_erase(struct screen *s);

/* The terminal's bell: an alarm the operator may not be looking at. */
void screen_beep(struct screen *s);

/* Writes what changed now instead of at the end of the loop turn. */
void screen_flush(struct screen *s);

/* Restores the terminal now (endwin), stops reading keys and closes the
 * handles; the memory goes once the loop runs the close callbacks. */
void screen_close(struct screen *s);

#endif

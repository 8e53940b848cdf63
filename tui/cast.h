/* cast: a terminal recording in asciicast v2 (the format asciinema plays):
 * a header line {"version": 2, "width", "height", "timestamp", "title",
 * "env": {"TERM", "SHELL"}}, then one line per event: [seconds, "o", data]
 * for output, [seconds, "r", "COLSxROWS"] for a resize, [seconds, "m",
 * label] for a marker. Each line is written with one write(2) as it
 * happens, so a session killed or hung up at any moment leaves a file that
 * plays up to its last whole line. Only what the terminal was sent is ever
 * recorded: keys never reach it. Safe to call from two threads (the screen
 * copies output on its own). */
#ifndef CUTOVER_TUI_CAST_H
#define CUTOVER_TUI_CAST_H

#include <stddef.h>

struct cast;

/* Creates (truncates) path, mode 0600: a recording shows a production
 * console. The header waits for cast_begin. 0, or -1 with err. */
int cast_open(const char *path, const char *title, struct cast **out, char *err, size_t errlen);
/* Writes the header with the terminal's size; time 0 is now. */
void cast_begin(struct cast *c, int cols, int rows);
/* Output bytes as sent to the terminal. A UTF-8 sequence cut at the end
 * waits for the rest; bytes that are not UTF-8 are recorded as U+FFFD. */
void cast_output(struct cast *c, const char *data, size_t len);
void cast_resize(struct cast *c, int cols, int rows);
void cast_marker(struct cast *c, const char *label);
/* The first write error, or NULL: a full disk is said once, not per frame. */
const char *cast_error(struct cast *c);
void cast_close(struct cast *c);

#endif

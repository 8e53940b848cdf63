/* ptyrec: the pty between ncurses and the terminal while recording.
 * ncurses draws into the pty; a thread copies what comes out to the real
 * terminal and to the cast, so the cast holds exactly the bytes the
 * terminal got. Keys are read from the real terminal and never pass through
 * the pty, so the real terminal is put in raw mode here (ncurses only sees
 * the pty's). The screen owns the ptyrec; the cast must outlive it. */
#ifndef CUTOVER_TUI_PTYREC_H
#define CUTOVER_TUI_PTYREC_H

#include <stdio.h>
#include <sys/ioctl.h>

struct cast;
struct ptyrec;

/* Opens a pty with the modes of in_fd's terminal and the size of out_fd's
 * (the real terminal's two opens). 0, or -1 with err filled and nothing
 * left open. */
int ptyrec_open(int in_fd, int out_fd, struct cast *rec, struct ptyrec **out, char *err,
                size_t errlen);

/* Where ncurses writes (the pty's slave side); NULL once stopped. */
FILE *ptyrec_output(const struct ptyrec *p);

/* The real terminal's new size, so ncurses (asking the pty) follows it. */
void ptyrec_set_size(struct ptyrec *p, const struct winsize *ws);

/* After newterm: starts the copying thread, puts the real terminal in raw
 * mode, arms the crash rescue for it and starts the cast at cols x rows.
 * 0, or -1 with err filled (ptyrec_stop then undoes what was done). */
int ptyrec_start(struct ptyrec *p, int cols, int rows, char *err, size_t errlen);

/* The terminal was resized to cols x rows (a cast event). */
void ptyrec_resized(struct ptyrec *p, int cols, int rows);

/* After endwin: its last bytes reach the terminal and the cast (the thread
 * reads them before the closed slave ends it), then the real terminal gets
 * its modes back. */
void ptyrec_stop(struct ptyrec *p);

/* Closes the pty; p may be NULL. */
void ptyrec_free(struct ptyrec *p);

#endif

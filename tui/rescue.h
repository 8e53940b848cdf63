/* rescue: the terminal's last line of defence. While armed, a crash
 * (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) or exit() restores the
 * terminal before the process goes: endwin(), or while recording, the
 * real terminal's modes and exit sequence written straight to it. Signal
 * handlers and atexit hooks take no pointer, so this module's state is
 * file-scope: the reason there is one screen per process. Only tui/screen
 * and tui/ptyrec call it. */
#ifndef CUTOVER_TUI_RESCUE_H
#define CUTOVER_TUI_RESCUE_H

#include <stdbool.h>
#include <termios.h>

/* Once ncurses owns the terminal: installs the crash handlers (and, once
 * per process, the atexit hook). */
void rescue_arm(void);

/* Before a normal endwin(): nothing left to rescue, the handlers that were
 * there before are back. */
void rescue_disarm(void);

/* Recording: ncurses writes into a pty, so a rescue must restore the real
 * terminal itself: real_fd's modes to saved, and the terminal's exit
 * sequence (read from terminfo now) written to out_fd. master is the pty
 * whose copying thread is told to stop first. */
void rescue_recording(int real_fd, const struct termios *saved, int out_fd, int master);

/* The recording is over (its normal stop restores the terminal itself). */
void rescue_recording_end(void);

/* Whether a rescue has begun: the copying thread sends no more frames. */
bool rescue_pump_stopped(void);

#endif

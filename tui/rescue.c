/* rescue: crash handlers and the atexit hook that restore the terminal. */
#include "tui/rescue.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Whether a terminal is to be restored: the one thing the handlers need
 * that cannot be handed to them. */
static volatile sig_atomic_t armed;
/* While recording, the real terminal's fd and modes and the pty master, so
 * a crash still restores the terminal and passes on endwin's last bytes. */
static int real_fd = -1, out_fd = -1, pty_master = -1;
static struct termios real_termios;
/* What endwin would send the real terminal (leave the alternate screen,
 * show the cursor, plain attributes), ready for a crash handler's write. */
static char exit_seq[256];
static size_t exit_len;
static volatile sig_atomic_t pump_stop;     /* set by a crash: no more frames */
static bool atexit_done;
static const int crash_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
#define CRASH_COUNT (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction crash_old[CRASH_COUNT];

/* While recording, endwin would only write into the pty, whose reader (the
 * copying thread) may be the one the signal interrupted: the real terminal
 * gets its exit sequence and its modes straight (write and tcsetattr are
 * signal-safe). */
static void restore_once(void)
{
    if (!armed)
        return;
    armed = 0;
    if (pty_master >= 0 && real_fd >= 0) {
        /* The copying thread stops writing; a write of its already under way
         * ends first (a tty serialises write calls), then CAN cancels any
         * escape sequence a frame left half-sent. */
        pump_stop = 1;
        struct timespec wait = {0, 20 * 1000 * 1000};
        nanosleep(&wait, NULL);
        if (write(out_fd, "\x18", 1) < 0 || write(out_fd, exit_seq, exit_len) < 0) {
            /* nothing more can be done for a terminal that is gone */
        }
        tcsetattr(real_fd, TCSADRAIN, &real_termios);
        return;
    }
    endwin();
}

/* endwin() is not async-signal-safe, but the process is dying anyway and a
 * terminal left in raw mode on the alternate screen is worse. Then the
 * previous handler (the default, or a sanitizer's) gets the signal again. */
static void crash_handler(int sig)
{
    restore_once();
    for (size_t i = 0; i < CRASH_COUNT; i++)
        if (crash_signals[i] == sig)
            sigaction(sig, &crash_old[i], NULL);
    raise(sig);
}

void rescue_arm(void)
{
    armed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crash_handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < CRASH_COUNT; i++)
        sigaction(crash_signals[i], &sa, &crash_old[i]);
    if (!atexit_done)
        atexit_done = atexit(restore_once) == 0;
}

void rescue_disarm(void)
{
    armed = 0;
    for (size_t i = 0; i < CRASH_COUNT; i++)
        sigaction(crash_signals[i], &crash_old[i], NULL);
}

/* For the crash handler: the terminal's own words for leaving the
 * alternate screen, showing the cursor and plain attributes. */
static void keep_exit_sequence(void)
{
    static const char *const caps[] = {"sgr0", "cnorm", "rmcup"};
    exit_len = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const char *v = tigetstr(caps[i]);
        size_t n = v && v != (char *)-1 ? strlen(v) : 0;
        if (exit_len + n >= sizeof exit_seq)
            break;
        memcpy(exit_seq + exit_len, v, n);
        exit_len += n;
    }
}

void rescue_recording(int fd, const struct termios *saved, int out, int master)
{
    real_fd = fd;
    real_termios = *saved;
    pump_stop = 0;
    out_fd = out;           /* the modes go through the reading fd, the bytes through out */
    pty_master = master;
    keep_exit_sequence();
}

void rescue_recording_end(void)
{
    pty_master = real_fd = -1;
}

bool rescue_pump_stopped(void)
{
    return pump_stop != 0;
}

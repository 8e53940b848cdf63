/* screen: ncurses on the libuv loop, on its own /dev/tty. Drawing cells is
 * tui/paint's, the recording pty tui/ptyrec's, the crash rescue tui/rescue's;
 * this file opens and closes the terminal and runs its watchers. */
#include "tui/screen.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tui/paint.h"
#include "tui/ptyrec.h"
#include "tui/rescue.h"

#define ESC_DELAY_MS 25     /* long enough for ESC sequences over slow SSH */

/* SIGINT, SIGTERM, SIGHUP: quit through the normal path, so the terminal
 * (and a recording's real terminal) is restored. */
static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define QUIT_SIGNAL_COUNT (sizeof quit_signals / sizeof quit_signals[0])

struct screen {
    uv_loop_t *loop;
    uv_poll_t poll;
    uv_signal_t winch;
    uv_prepare_t prepare;
    int handles;            /* initialised handles whose close_cb is pending */
    FILE *in, *out;         /* two opens of /dev/tty: only `in` goes O_NONBLOCK */
    SCREEN *term;
    struct ptyrec *pty;     /* NULL unless recording */
    uv_signal_t quit_sig[QUIT_SIGNAL_COUNT];
    int quit_sigs;          /* how many were initialised */
    struct paint paint;     /* theme, size, utf8, colors */
    struct screen_callbacks cb;
    bool dirty, closing;
};

/* Cells drawn before keep their old look unless repainted in full. */
static void apply_theme(struct screen *s, const struct theme *theme)
{
    paint_set_theme(&s->paint, theme);
    clearok(curscr, TRUE);
    s->dirty = true;
}

void screen_blit(struct screen *s, const struct grid *g, int y, int x)
{
    if (!s || s->closing || !g)
        return;
    paint_grid(&s->paint, g, y, x);
    s->dirty = true;
}

void screen_erase(struct screen *s)
{
    if (!s || s->closing)
        return;
    werase(stdscr);
    s->dirty = true;
}

void screen_beep(struct screen *s)
{
    if (s && !s->closing)
        beep();
}

void screen_flush(struct screen *s)
{
    if (!s || s->closing || !s->dirty)
        return;
    wnoutrefresh(stdscr);
    doupdate();
    s->dirty = false;
}

static void on_prepare(uv_prepare_t *h)
{
    screen_flush(h->data);
}

static void read_terminal_size(struct screen *s)
{
    struct winsize ws;
    if (ioctl(fileno(s->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        if (s->pty)         /* ncurses asks the pty: it follows the terminal */
            ptyrec_set_size(s->pty, &ws);
        if (ws.ws_row != LINES || ws.ws_col != COLS)
            resizeterm(ws.ws_row, ws.ws_col);
    }
    s->paint.rows = LINES;
    s->paint.cols = COLS;
}

static void on_winch(uv_signal_t *h, int signum)
{
    struct screen *s = h->data;
    if (s->closing)
        return;
    read_terminal_size(s);
    if (s->pty)
        ptyrec_resized(s->pty, s->paint.cols, s->paint.rows);
    /* Terminals (and tmux) reflow or keep old content differently on a
     * resize; one full repaint is the only safe picture. */
    clearok(curscr, TRUE);
    werase(stdscr);
    s->dirty = true;
    if (s->cb.on_resize)
        s->cb.on_resize(s->cb.ud, s->paint.cols, s->paint.rows);
}

/* ncurses returned nothing although the fd polled readable: either a
 * hangup (EOF, EIO) or bytes it did not take. Take one byte to tell; a byte
 * goes back to ncurses. */
static bool hung_up(struct screen *s)
{
    unsigned char b;
    ssize_t n = read(fileno(s->in), &b, 1);
    if (n == 1) {
        ungetch(b);
        return false;
    }
    return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void hangup(struct screen *s)
{
    uv_poll_stop(&s->poll);
    if (s->cb.on_hangup)
        s->cb.on_hangup(s->cb.ud);
}

static void on_quit_signal(uv_signal_t *h, int signum)
{
    (void)signum;
    struct screen *s = h->data;
    if (!s->closing)
        hangup(s);
}

/* Ours before newterm, so ncurses installs no handler that would restore
 * only its own terminal and _exit. */
static int watch_quit_signals(struct screen *s)
{
    for (size_t i = 0; i < QUIT_SIGNAL_COUNT; i++) {
        uv_signal_init(s->loop, &s->quit_sig[i]);
        s->quit_sig[i].data = s;
        s->quit_sigs++;
        if (uv_signal_start(&s->quit_sig[i], on_quit_signal, quit_signals[i]) < 0)
            return -1;
        uv_unref((uv_handle_t *)&s->quit_sig[i]);
    }
    return 0;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    struct screen *s = h->data;
    if (status < 0 || (events & UV_DISCONNECT)) {
        hangup(s);
        return;
    }
    for (int round = 0; round < 2; round++) {
        int got = 0, ch;
        /* Until ERR: ncurses may have buffered bytes the fd will not
         * signal again. A key handler may close the screen. */
        while (!s->closing && (ch = wgetch(stdscr)) != ERR) {
            got++;
            if (ch != KEY_RESIZE && s->cb.on_key)
                s->cb.on_key(s->cb.ud, ch);
        }
        if (got || s->closing)
            return;
        if (hung_up(s)) {
            hangup(s);
            return;
        }
    }
}

static void on_closed(uv_handle_t *h)
{
    struct screen *s = h->data;
    if (--s->handles > 0)
        return;
    if (s->in)
        fclose(s->in);
    if (s->out)
        fclose(s->out);
    ptyrec_free(s->pty);
    free(s);
}

static void teardown(struct screen *s)
{
    s->closing = true;
    if (s->term) {
        rescue_disarm();
        endwin();
        delscreen(s->term);
        s->term = NULL;
    }
    if (s->pty)
        ptyrec_stop(s->pty);
    /* screen_open counts a handle only once it is initialised; the signal
     * handle always is by the time anything calls this. */
    int n = s->handles;
    if (n >= 1)
        uv_close((uv_handle_t *)&s->winch, on_closed);
    if (n >= 2)
        uv_close((uv_handle_t *)&s->poll, on_closed);
    if (n >= 3)
        uv_close((uv_handle_t *)&s->prepare, on_closed);
    for (int i = 0; i < s->quit_sigs; i++) {
        s->handles++;
        uv_close((uv_handle_t *)&s->quit_sig[i], on_closed);
    }
    s->quit_sigs = 0;
}

void screen_close(struct screen *s)
{
    if (s && !s->closing)
        teardown(s);
}

static int fail(struct screen *s, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "terminal: %s", what);
    teardown(s);
    return -1;
}

static int open_tty(struct screen *s, char *err, size_t errlen)
{
    int in = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
    int out = in < 0 ? -1 : open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    s->in = in < 0 ? NULL : fdopen(in, "r");
    s->out = out < 0 ? NULL : fdopen(out, "w");
    if (s->in && s->out)
        return 0;
    snprintf(err, errlen, "cannot open /dev/tty: %s", strerror(errno));
    if (!s->in && in >= 0)
        close(in);
    if (!s->out && out >= 0)
        close(out);
    return -1;
}

static void setup_curses(struct screen *s)
{
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    leaveok(stdscr, TRUE);      /* no cursor moves after drawing: fewer bytes */
    curs_set(0);
    set_escdelay(ESC_DELAY_MS);
    read_terminal_size(s);
}

int screen_open(uv_loop_t *loop, const struct theme *theme, const struct screen_callbacks *cb,
                struct cast *record, struct screen **out, char *err, size_t errlen)
{
    *out = NULL;
    struct screen *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "terminal: out of memory");
        return -1;
    }
    s->loop = loop;
    if (cb)
        s->cb = *cb;
    s->winch.data = s->poll.data = s->prepare.data = s;
    if (open_tty(s, err, errlen) < 0) {
        free(s);
        return -1;
    }
    if (record && ptyrec_open(fileno(s->in), fileno(s->out), record, &s->pty, err, errlen) < 0) {
        fclose(s->in);
        fclose(s->out);
        free(s);
        return -1;
    }
    setlocale(LC_ALL, "");
    s->paint.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    /* SIGWINCH is ours before newterm, so ncurses installs no handler. */
    uv_signal_init(loop, &s->winch);
    s->handles = 1;
    if (uv_signal_start(&s->winch, on_winch, SIGWINCH) < 0)
        return fail(s, err, errlen, "cannot watch SIGWINCH");
    uv_unref((uv_handle_t *)&s->winch);
    if (watch_quit_signals(s) < 0)
        return fail(s, err, errlen, "cannot watch SIGINT/SIGTERM/SIGHUP");
    s->term = newterm(NULL, s->pty ? ptyrec_output(s->pty) : s->out, s->in);
    if (!s->term) {
        const char *t = getenv("TERM");
        char msg[160];
        snprintf(msg, sizeof msg, "unknown terminal type '%s' (set TERM)", t ? t : "");
        return fail(s, err, errlen, msg);
    }
    set_term(s->term);
    rescue_arm();
    setup_curses(s);
    if (s->pty && ptyrec_start(s->pty, s->paint.cols, s->paint.rows, err, errlen) != 0) {
        teardown(s);
        return -1;
    }
    apply_theme(s, theme);
    if (uv_poll_init(loop, &s->poll, fileno(s->in)) < 0)
        return fail(s, err, errlen, "cannot poll /dev/tty");
    s->handles = 2;
    uv_prepare_init(loop, &s->prepare);
    s->handles = 3;
    if (uv_poll_start(&s->poll, UV_READABLE | UV_DISCONNECT, on_readable) < 0 ||
        uv_prepare_start(&s->prepare, on_prepare) < 0)
        return fail(s, err, errlen, "cannot start the terminal watchers");
    /* The flush alone must not keep the loop running. */
    uv_unref((uv_handle_t *)&s->prepare);
    *out = s;
    return 0;
}

bool screen_utf8(const struct screen *s)
{
    return s->paint.utf8;
}

bool screen_colors(const struct screen *s)
{
    return s->paint.colors;
}

void screen_size(const struct screen *s, int *cols, int *rows)
{
    if (cols)
        *cols = s->paint.cols;
    if (rows)
        *rows = s->paint.rows;
}

void screen_set_theme(struct screen *s, const struct theme *theme)
{
    if (!s || s->closing)
        return;
    apply_theme(s, theme);
}

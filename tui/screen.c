/* screen: ncurses on the libuv loop, on its own /dev/tty. */
#define NCURSES_WIDECHAR 1
#include "tui/screen.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tui/cast.h"
#include <wchar.h>

#define ESC_DELAY_MS 25     /* long enough for ESC sequences over slow SSH */

struct screen {
    uv_loop_t *loop;
    uv_poll_t poll;
    uv_signal_t winch;
    uv_prepare_t prepare;
    int handles;            /* initialised handles whose close_cb is pending */
    FILE *in, *out;         /* two opens of /dev/tty: only `in` goes O_NONBLOCK */
    SCREEN *term;
    /* Recording: ncurses draws into a pty whose output we copy to the real
     * terminal and to the cast, so the cast holds exactly the bytes the
     * terminal got; keys are read from the real terminal and never pass
     * through the pty. */
    struct cast *rec;
    FILE *pty_out;          /* the pty's slave side: ncurses's output */
    int master;             /* -1 when not recording */
    /* The copy runs on its own thread: ncurses's writes into the pty block
     * when its buffer is full, and the loop thread is the one writing. */
    uv_thread_t pump;
    bool pumping;
    struct termios real_saved;  /* the real terminal as we found it */
    bool real_raw;
    /* SIGINT, SIGTERM, SIGHUP: quit through the normal path, so the
     * terminal (and a recording's real terminal) is restored. */
    uv_signal_t quit_sig[3];
    int quit_sigs;          /* how many were initialised */
    struct theme theme;
    struct screen_callbacks cb;
    bool utf8, colors, default_colors, dirty, closing;
    int cols, rows;
};

/* The crash handlers and the atexit hook cannot be handed a pointer, so the
 * one thing they need (is a terminal to be restored?) lives here; the only
 * mutable file-scope state, and why there is one screen per process. */
static volatile sig_atomic_t restore_armed;
/* While recording, the real terminal's fd and modes and the pty master, so
 * a crash still restores the terminal and passes on endwin's last bytes. */
static int restore_real_fd = -1, restore_out_fd = -1, restore_master = -1;
static struct termios restore_real_termios;
/* What endwin would send the real terminal (leave the alternate screen,
 * show the cursor, plain attributes), ready for a crash handler's write. */
static char restore_exit_seq[256];
static size_t restore_exit_len;
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
    if (!restore_armed)
        return;
    restore_armed = 0;
    if (restore_master >= 0 && restore_real_fd >= 0) {
        /* The copying thread stops writing; a write of its already under way
         * ends first (a tty serialises write calls), then CAN cancels any
         * escape sequence a frame left half-sent. */
        pump_stop = 1;
        struct timespec wait = {0, 20 * 1000 * 1000};
        nanosleep(&wait, NULL);
        if (write(restore_out_fd, "\x18", 1) < 0 ||
            write(restore_out_fd, restore_exit_seq, restore_exit_len) < 0) {
            /* nothing more can be done for a terminal that is gone */
        }
        tcsetattr(restore_real_fd, TCSADRAIN, &restore_real_termios);
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

static void crash_handlers_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crash_handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < CRASH_COUNT; i++)
        sigaction(crash_signals[i], &sa, &crash_old[i]);
    if (!atexit_done)
        atexit_done = atexit(restore_once) == 0;
}

static void crash_handlers_remove(void)
{
    for (size_t i = 0; i < CRASH_COUNT; i++)
        sigaction(crash_signals[i], &crash_old[i], NULL);
}

/* A 256-color index on a terminal with fewer colors: the nearest of the
 * eight ANSI ones, so themes written for 256 colors still tell roles apart. */
static short fit_color(int c, bool default_ok, bool is_bg)
{
    if (c < 0)
        return default_ok ? -1 : (short)(is_bg ? COLOR_BLACK : COLOR_WHITE);
    if (c < COLORS)
        return (short)c;
    if (c < 16)
        return (short)(c - 8);
    if (c >= 232)
        return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
    int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
    return (short)((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0));
}

static void apply_theme(struct screen *s)
{
    s->colors = s->theme.color && has_colors();
    if (s->colors) {
        start_color();
        s->default_colors = use_default_colors() == OK;
        for (int r = 0; r < ROLE_COUNT; r++)
            init_pair((short)(r + 1), fit_color(s->theme.role[r].fg, s->default_colors, false),
                      fit_color(s->theme.role[r].bg, s->default_colors, true));
    }
    /* Cells drawn before keep their old look unless repainted in full. */
    clearok(curscr, TRUE);
    s->dirty = true;
}

static attr_t role_attrs(const struct theme *t, int role)
{
    unsigned a = t->role[role].attrs;
    return (a & THEME_BOLD ? A_BOLD : 0) | (a & THEME_DIM ? A_DIM : 0) |
           (a & THEME_REVERSE ? A_REVERSE : 0) | (a & THEME_UNDERLINE ? A_UNDERLINE : 0);
}

/* The code point of a cell's glyph, or '?' when the terminal cannot show
 * it in exactly one column. */
static wchar_t cell_char(const struct screen *s, const char *glyph)
{
    const unsigned char *u = (const unsigned char *)glyph;
    int n = grid_utf8_len(glyph);
    if (n <= 0)
        return L'?';
    uint32_t cp = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
    for (int i = 1; i < n; i++)
        cp = (cp << 6) | (u[i] & 0x3Fu);
    if (cp < 0x20 || cp == 0x7F)
        return L'?';
    if (cp < 0x80)
        return (wchar_t)cp;
    if (!s->utf8 || wcwidth((wchar_t)cp) != 1)
        return L'?';
    return (wchar_t)cp;
}

void screen_blit(struct screen *s, const struct grid *g, int y, int x)
{
    if (!s || s->closing || !g)
        return;
    int gw = grid_width(g), gh = grid_height(g);
    for (int row = 0; row < gh; row++) {
        int sy = y + row;
        if (sy < 0 || sy >= s->rows)
            continue;
        for (int col = 0; col < gw; col++) {
            int sx = x + col;
            if (sx < 0 || sx >= s->cols)
                continue;
            const struct grid_cell *c = grid_cell(g, col, row);
            int role = c->role < ROLE_COUNT ? c->role : ROLE_TEXT;
            wchar_t wch[2] = {cell_char(s, c->glyph), L'\0'};
            cchar_t cc;
            setcchar(&cc, wch, role_attrs(&s->theme, role),
                     (short)(s->colors ? role + 1 : 0), NULL);
            /* The bottom-right cell returns ERR (the cursor cannot advance)
             * but is drawn. */
            mvwadd_wch(stdscr, sy, sx, &cc);
        }
    }
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
        if (s->master >= 0)     /* ncurses asks the pty: it follows the terminal */
            ioctl(s->master, TIOCSWINSZ, &ws);
        if (ws.ws_row != LINES || ws.ws_col != COLS)
            resizeterm(ws.ws_row, ws.ws_col);
    }
    s->rows = LINES;
    s->cols = COLS;
}

static void on_winch(uv_signal_t *h, int signum)
{
    struct screen *s = h->data;
    if (s->closing)
        return;
    read_terminal_size(s);
    cast_resize(s->rec, s->cols, s->rows);
    /* Terminals (and tmux) reflow or keep old content differently on a
     * resize; one full repaint is the only safe picture. */
    clearok(curscr, TRUE);
    werase(stdscr);
    s->dirty = true;
    if (s->cb.on_resize)
        s->cb.on_resize(s->cb.ud, s->cols, s->rows);
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
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        uv_signal_init(s->loop, &s->quit_sig[i]);
        s->quit_sig[i].data = s;
        s->quit_sigs++;
        if (uv_signal_start(&s->quit_sig[i], on_quit_signal, sigs[i]) < 0)
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
    if (s->pty_out)
        fclose(s->pty_out);
    if (s->master >= 0)
        close(s->master);
    free(s);
}

/* ---- recording: the pty between ncurses and the terminal ---- */

static void write_real(struct screen *s, const char *buf, size_t n)
{
    int fd = fileno(s->out);
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;             /* the terminal is gone: the hangup path follows */
        buf += w;
        n -= (size_t)w;
    }
}

/* For the crash handler: the terminal's own words for leaving the
 * alternate screen, showing the cursor and plain attributes. */
static void keep_exit_sequence(void)
{
    static const char *const caps[] = {"sgr0", "cnorm", "rmcup"};
    restore_exit_len = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const char *v = tigetstr(caps[i]);
        size_t n = v && v != (char *)-1 ? strlen(v) : 0;
        if (restore_exit_len + n >= sizeof restore_exit_seq)
            break;
        memcpy(restore_exit_seq + restore_exit_len, v, n);
        restore_exit_len += n;
    }
}

/* The pump: the pty's output to the real terminal and the cast, until
 * the slave side closes (read gives EIO or 0). */
static void pump_thread(void *arg)
{
    struct screen *s = arg;
    char buf[16384];
    /* Signals are the loop thread's: a handler run here would stop the only
     * reader of the pty that ncurses may be blocked writing into. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        ssize_t n = read(s->master, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || pump_stop)
            return;
        write_real(s, buf, (size_t)n);
        cast_output(s->rec, buf, (size_t)n);
    }
}

/* What cbreak/noecho/nonl would have done to the real terminal, which
 * ncurses now never sees; output passes untouched (the pty processed it). */
static int real_terminal_raw(struct screen *s)
{
    int fd = fileno(s->in);
    struct termios t;
    if (tcgetattr(fd, &s->real_saved) != 0)
        return -1;
    t = s->real_saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
    t.c_iflag &= ~(tcflag_t)ICRNL;
    t.c_oflag &= ~(tcflag_t)OPOST;
    /* Ctrl-Z would stop us with the terminal raw: the console has q. */
    t.c_cc[VSUSP] = _POSIX_VDISABLE;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSADRAIN, &t) != 0)
        return -1;
    s->real_raw = true;
    restore_real_fd = fd;
    restore_real_termios = s->real_saved;
    return 0;
}

/* A pty sized and set up like the real terminal (POSIX calls only). */
static int open_pty(struct screen *s, char *err, size_t errlen)
{
    s->master = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = s->master < 0 || grantpt(s->master) != 0 || unlockpt(s->master) != 0
                           ? NULL : ptsname(s->master);
    int slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (slave < 0 || !(s->pty_out = fdopen(slave, "w"))) {
        snprintf(err, errlen, "recording: cannot open a pty: %s", strerror(errno));
        if (slave >= 0)
            close(slave);
        return -1;
    }
    fcntl(s->master, F_SETFD, FD_CLOEXEC);
    struct termios t;
    struct winsize ws;
    if (tcgetattr(fileno(s->in), &t) == 0)
        tcsetattr(slave, TCSANOW, &t);
    if (ioctl(fileno(s->out), TIOCGWINSZ, &ws) == 0)
        ioctl(s->master, TIOCSWINSZ, &ws);
    return 0;
}

static int recording_start(struct screen *s, char *err, size_t errlen)
{
    if (uv_thread_create(&s->pump, pump_thread, s) != 0) {
        snprintf(err, errlen, "recording: cannot start the copying thread");
        return -1;
    }
    s->pumping = true;
    if (real_terminal_raw(s) != 0) {
        snprintf(err, errlen, "recording: cannot set the terminal's modes: %s", strerror(errno));
        return -1;
    }
    pump_stop = 0;
    restore_out_fd = fileno(s->out);   /* the modes go through `in`, the bytes through `out` */
    restore_master = s->master;
    keep_exit_sequence();
    cast_begin(s->rec, s->cols, s->rows);
    return 0;
}

/* endwin's last bytes reach the terminal and the cast (the pump reads
 * them before the closed slave ends it), then the terminal's modes. */
static void recording_stop(struct screen *s)
{
    if (s->master < 0)
        return;
    restore_master = restore_real_fd = -1;
    if (s->pty_out) {
        tcdrain(fileno(s->pty_out));
        fclose(s->pty_out);
        s->pty_out = NULL;
    }
    if (s->pumping)
        uv_thread_join(&s->pump);
    s->pumping = false;
    if (s->real_raw)
        tcsetattr(fileno(s->in), TCSADRAIN, &s->real_saved);
    s->real_raw = false;
}

static void teardown(struct screen *s)
{
    s->closing = true;
    if (s->term) {
        restore_armed = 0;
        endwin();
        crash_handlers_remove();
        delscreen(s->term);
        s->term = NULL;
    }
    recording_stop(s);
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
    s->theme = *theme;
    s->master = -1;
    s->rec = record;
    if (cb)
        s->cb = *cb;
    s->winch.data = s->poll.data = s->prepare.data = s;
    if (open_tty(s, err, errlen) < 0) {
        free(s);
        return -1;
    }
    if (record && open_pty(s, err, errlen) < 0) {
        fclose(s->in);
        fclose(s->out);
        if (s->master >= 0)
            close(s->master);
        free(s);
        return -1;
    }
    setlocale(LC_ALL, "");
    s->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    /* SIGWINCH is ours before newterm, so ncurses installs no handler. */
    uv_signal_init(loop, &s->winch);
    s->handles = 1;
    if (uv_signal_start(&s->winch, on_winch, SIGWINCH) < 0)
        return fail(s, err, errlen, "cannot watch SIGWINCH");
    uv_unref((uv_handle_t *)&s->winch);
    if (watch_quit_signals(s) < 0)
        return fail(s, err, errlen, "cannot watch SIGINT/SIGTERM/SIGHUP");
    s->term = newterm(NULL, s->pty_out ? s->pty_out : s->out, s->in);
    if (!s->term) {
        const char *t = getenv("TERM");
        char msg[160];
        snprintf(msg, sizeof msg, "unknown terminal type '%s' (set TERM)", t ? t : "");
        return fail(s, err, errlen, msg);
    }
    set_term(s->term);
    restore_armed = 1;
    crash_handlers_install();
    setup_curses(s);
    if (record && recording_start(s, err, errlen) != 0) {
        teardown(s);
        return -1;
    }
    apply_theme(s);
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
    return s->utf8;
}

bool screen_colors(const struct screen *s)
{
    return s->colors;
}

void screen_size(const struct screen *s, int *cols, int *rows)
{
    if (cols)
        *cols = s->cols;
    if (rows)
        *rows = s->rows;
}

void screen_set_theme(struct screen *s, const struct theme *theme)
{
    if (!s || s->closing)
        return;
    s->theme = *theme;
    apply_theme(s);
}

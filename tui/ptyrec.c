/* ptyrec: the recording pty and its copying thread. */
#include "tui/ptyrec.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <uv.h>

#include "tui/cast.h"
#include "tui/rescue.h"

struct ptyrec {
    int in_fd, out_fd;          /* the real terminal: keys and modes, bytes */
    struct cast *rec;
    FILE *pty_out;              /* the pty's slave side: ncurses's output */
    int master;
    /* The copy runs on its own thread: ncurses's writes into the pty block
     * when its buffer is full, and the loop thread is the one writing. */
    uv_thread_t pump;
    bool pumping;
    struct termios real_saved;  /* the real terminal as we found it */
    bool real_raw;
};

static void write_real(struct ptyrec *p, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(p->out_fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;             /* the terminal is gone: the hangup path follows */
        buf += w;
        n -= (size_t)w;
    }
}

/* The pump: the pty's output to the real terminal and the cast, until
 * the slave side closes (read gives EIO or 0). */
static void pump_thread(void *arg)
{
    struct ptyrec *p = arg;
    char buf[16384];
    /* Signals are the loop thread's: a handler run here would stop the only
     * reader of the pty that ncurses may be blocked writing into. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        ssize_t n = read(p->master, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || rescue_pump_stopped())
            return;
        write_real(p, buf, (size_t)n);
        cast_output(p->rec, buf, (size_t)n);
    }
}

/* What cbreak/noecho/nonl would have done to the real terminal, which
 * ncurses now never sees; output passes untouched (the pty processed it). */
static int real_terminal_raw(struct ptyrec *p)
{
    struct termios t;
    if (tcgetattr(p->in_fd, &p->real_saved) != 0)
        return -1;
    t = p->real_saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
    t.c_iflag &= ~(tcflag_t)ICRNL;
    t.c_oflag &= ~(tcflag_t)OPOST;
    /* Ctrl-Z would stop us with the terminal raw: the console has q. */
    t.c_cc[VSUSP] = _POSIX_VDISABLE;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(p->in_fd, TCSADRAIN, &t) != 0)
        return -1;
    p->real_raw = true;
    return 0;
}

/* A pty sized and set up like the real terminal (POSIX calls only). */
int ptyrec_open(int in_fd, int out_fd, struct cast *rec, struct ptyrec **out, char *err,
                size_t errlen)
{
    struct ptyrec *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p) {
        snprintf(err, errlen, "recording: out of memory");
        return -1;
    }
    p->in_fd = in_fd;
    p->out_fd = out_fd;
    p->rec = rec;
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0
                           ? NULL : ptsname(p->master);
    int slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (slave < 0 || !(p->pty_out = fdopen(slave, "w"))) {
        snprintf(err, errlen, "recording: cannot open a pty: %s", strerror(errno));
        if (slave >= 0)
            close(slave);
        ptyrec_free(p);
        return -1;
    }
    fcntl(p->master, F_SETFD, FD_CLOEXEC);
    struct termios t;
    struct winsize ws;
    if (tcgetattr(in_fd, &t) == 0)
        tcsetattr(slave, TCSANOW, &t);
    if (ioctl(out_fd, TIOCGWINSZ, &ws) == 0)
        ioctl(p->master, TIOCSWINSZ, &ws);
    *out = p;
    return 0;
}

FILE *ptyrec_output(const struct ptyrec *p)
{
    return p->pty_out;
}

void ptyrec_set_size(struct ptyrec *p, const struct winsize *ws)
{
    ioctl(p->master, TIOCSWINSZ, ws);
}

int ptyrec_start(struct ptyrec *p, int cols, int rows, char *err, size_t errlen)
{
    if (uv_thread_create(&p->pump, pump_thread, p) != 0) {
        snprintf(err, errlen, "recording: cannot start the copying thread");
        return -1;
    }
    p->pumping = true;
    if (real_terminal_raw(p) != 0) {
        snprintf(err, errlen, "recording: cannot set the terminal's modes: %s", strerror(errno));
        return -1;
    }
    rescue_recording(p->in_fd, &p->real_saved, p->out_fd, p->master);
    cast_begin(p->rec, cols, rows);
    return 0;
}

void ptyrec_resized(struct ptyrec *p, int cols, int rows)
{
    cast_resize(p->rec, cols, rows);
}

void ptyrec_stop(struct ptyrec *p)
{
    rescue_recording_end();
    if (p->pty_out) {
        tcdrain(fileno(p->pty_out));
        fclose(p->pty_out);
        p->pty_out = NULL;
    }
    if (p->pumping)
        uv_thread_join(&p->pump);
    p->pumping = false;
    if (p->real_raw)
        tcsetattr(p->in_fd, TCSADRAIN, &p->real_saved);
    p->real_raw = false;
}

void ptyrec_free(struct ptyrec *p)
{
    if (!p)
        return;
    if (p->pty_out)
        fclose(p->pty_out);
    if (p->master >= 0)
        close(p->master);
    free(p);
}

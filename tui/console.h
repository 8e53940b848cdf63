/* console: the operator's screen. A client of `cutover server`: it draws the
 * server's snapshots (chart, weights, guards, events, status line) and sends
 * the operator's commands; it never touches nginx. One console per process;
 * console_run returns when the operator quits or the terminal goes away. */
#ifndef CUTOVER_TUI_CONSOLE_H
#define CUTOVER_TUI_CONSOLE_H

#include <stdbool.h>

struct replay;

struct console_options {
    const char *socket_path;    /* the server's socket */
    const char *host;           /* shown in the status line */
    const char *theme;          /* NULL: default (mono with NO_COLOR) */
    bool watch;                 /* never ask for control; moving keys unbound */
    int step;                   /* rollout.step, for the next-step text */
    const char *record_path;    /* NULL, or an asciicast v2 file to record into */
    struct replay *replay;      /* non-NULL: REPLAY mode, read-only, no server */
    double replay_speed;        /* the replay's starting speed (0: 1x) */
    const char *note;           /* NULL, or a line shown at the start and with ? (the
                                   demo: where its sandbox is, the command to watch it) */
};

/* Returns a process exit code (0 on quit). Prints why on stderr if the
 * terminal could not be opened. */
int console_run(const struct console_options *opt);

#endif

/* server: the `cutover server` process. One per state_dir: a pid file held
 * with an fcntl lock (so a crashed server's file is recognised as stale),
 * the engine on its own loop, SIGTERM/SIGINT for a clean stop. */
#ifndef CUTOVER_SERVER_SERVER_H
#define CUTOVER_SERVER_SERVER_H

#include <stddef.h>
#include <sys/types.h>
#include "core/config.h"

/* Runs until signalled. Returns 0 or a negative errcode (ERRCODE_REFUSED
 * when a server already runs for this state_dir). Messages go to stderr, which is the
 * log file when started in the background. */
int server_run(const struct config *cfg);

/* Starts `exe -c config_path server --foreground` detached (new session, no
 * terminal, output appended to state_dir/server.log) and waits up to
 * wait_ms for its socket to answer. Returns 0, or -1 with msg. */
int server_spawn(const char *exe, const char *config_path, const struct config *cfg, int wait_ms,
                 char *msg, size_t msglen);

/* The pid of the server holding state_dir's pid lock, or 0 when none. */
pid_t server_running_pid(const char *state_dir);

#endif

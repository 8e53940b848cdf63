/* engine: the server's brain on its loop. It owns the collector (signals),
 * the control lock, the connected clients and the move in flight; it sends
 * every client a snapshot each second and every journal line as it is
 * written, and runs the clients' commands through the mover.
 *
 * Ownership: engine_start keeps cfg (it must outlive the engine);
 * engine_stop closes everything and frees the engine once the loop has run
 * the close callbacks; on_stopped is called then. */
#ifndef CUTOVER_SERVER_ENGINE_H
#define CUTOVER_SERVER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include "core/config.h"

struct engine;

struct engine_options {
    const char *socket_path;     /* the listener's path (in state_dir) */
    const char *owner_user;      /* the server's own user: may command */
    void (*on_stopped)(void *data);
    void *data;
};

int engine_start(uv_loop_t *loop, const struct config *cfg, const struct engine_options *opt,
                 struct engine **out, char *msg, size_t msglen);
/* True while a move runs or the weights are between the two ends: stopping
 * the server then would leave a cutover unguarded. */
bool engine_cutover_in_progress(const struct engine *e);
void engine_stop(struct engine *e);

/* Path of the server's socket and pid file for a state folder. */
void engine_socket_path(const char *state_dir, char *buf, size_t len);
void engine_pid_path(const char *state_dir, char *buf, size_t len);

#endif

/* listener: the server's Unix socket in state_dir. It refuses to start over
 * a live server, replaces the socket file a crashed one left behind, keeps
 * the file private (0600) or open to one group (0660, server.watch_group),
 * and turns each accepted client into a struct conn with its peer
 * credentials already read.
 *
 * Ownership: the listener owns its handle and, while it lives, the socket
 * file; listener_close unlinks the file (if it is still ours) and the loop
 * frees the listener once the close callback has run. Accepted conns belong
 * to the callback from the moment it is called. */
#ifndef CUTOVER_SERVER_LISTENER_H
#define CUTOVER_SERVER_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <uv.h>
#include "server/conn.h"

struct listener;

/* Exactly one of c and error is set. With c, call conn_start (or
 * conn_close). error says why a connection could not be taken. */
typedef void (*listener_conn_cb)(struct conn *c, const char *error, void *data);

/* mode: 0 for the default (0600, or 0660 with a group). group: a group name
 * (server.watch_group) whose members may connect, or NULL. Returns 0, or -1
 * with msg: the path too long for a socket, an unknown group, a server
 * already running there, or the bind/listen failure. On failure nothing is
 * left on the loop, except when libuv itself refuses the socket: then a
 * closing handle remains, freed by the next loop run. */
int listener_open(uv_loop_t *loop, const char *path, mode_t mode, const char *group,
                  listener_conn_cb cb, void *data, struct listener **out,
                  char *msg, size_t len);

/* True when listener_open removed a stale socket (or a non-socket file) at
 * the path first, so the server can log "replaced a stale socket". */
bool listener_replaced_stale(const struct listener *l);
const char *listener_path(const struct listener *l);

void listener_close(struct listener *l);

#endif

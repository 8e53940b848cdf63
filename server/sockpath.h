/* sockpath: the Unix socket's address, outside any event loop. Used by the
 * listener to tell a live server from a stale socket file before binding,
 * and by the CLI for a plain blocking connection to a running server.
 *
 * Ownership: sockpath_connect returns an fd the caller closes. */
#ifndef CUTOVER_SERVER_SOCKPATH_H
#define CUTOVER_SERVER_SOCKPATH_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Longest path a socket address holds here (107 on Linux, 103 on macOS). */
size_t sockpath_max(void);

/* Fills sa for path. Returns 0, or -1 with msg when the path is empty or too
 * long: sun_path is fixed-size, and a truncated path would silently bind or
 * connect somewhere else. */
int sockpath_addr(const char *path, struct sockaddr_un *sa, char *msg, size_t len);

enum sockpath_state {
    SOCKPATH_ABSENT,   /* nothing at path */
    SOCKPATH_LIVE,     /* something accepts connections there */
    SOCKPATH_STALE     /* a socket nobody listens on, or not a socket at all */
};

/* Looks at path without blocking: a live listener answers a non-blocking
 * connect at once (or has a full backlog, which is alive too). Returns 0 with
 * *state, or -1 with msg when it cannot tell (no permission, path too long). */
int sockpath_probe(const char *path, enum sockpath_state *state, char *msg, size_t len);

/* Blocking connect. Returns the fd (close-on-exec), or a negative errno with
 * msg: -ENOENT or -ECONNREFUSED mean no server runs there, -ENAMETOOLONG a
 * path sun_path cannot hold. */
int sockpath_connect(const char *path, char *msg, size_t len);

#endif

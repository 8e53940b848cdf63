/* sockets: active connections per color = ESTABLISHED TCP connections whose
 * LOCAL port is the color's port (connections the gateway accepted, from nginx
 * or anyone), and the addresses a port listens on. Two implementations behind
 * one table of functions:
 *   procnet  Linux: reads /proc/net/tcp and /proc/net/tcp6. Sees every socket
 *            in this process's network namespace, whoever owns it, including
 *            connections still waiting in a listener's accept queue.
 *   lsof     portable (macOS): runs `lsof -nP -w -iTCP:PORTS -sTCP:STATE -F`
 *            as a child with a timeout. lsof sees only sockets some process
 *            holds open (not the accept queue), and as a non-root user only
 *            that user's processes: run cutover as the user the gateways run
 *            as (on macOS, the operator). Its output is captured up to spawn's
 *            64 KiB cap (about a thousand connections); past it the count is
 *            refused with an error rather than reported short.
 * A struct sockets is owned by its creator (sockets_free). An async count owns
 * its own state, so sockets_free may come before its callback. */
#ifndef CUTOVER_BACKENDS_SOCKETS_H
#define CUTOVER_BACKENDS_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "core/color.h"

enum sockets_impl {
    SOCKETS_AUTO = 0,           /* procnet on Linux, lsof elsewhere */
    SOCKETS_PROCNET,
    SOCKETS_LSOF
};

struct sockets;

/* A local address some socket listens on. */
struct sockets_listener {
    char addr[64];              /* numeric: "127.0.0.1", "::1", "0.0.0.0", "::";
                                 * IPv4-mapped IPv6 is shown as IPv4 */
    int port;
    bool loopback;              /* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 */
};

/* "auto", "procnet", "lsof" -> the enum (for a config override); -1 otherwise. */
int sockets_impl_parse(const char *name);

/* timeout_ms limits each lsof run (<= 0: none). Returns NULL with msg when the
 * implementation is not available here (procnet off Linux). */
struct sockets *sockets_new(uv_loop_t *loop, enum sockets_impl impl, int timeout_ms,
                            char *msg, size_t msglen);
void sockets_free(struct sockets *s);
/* "procnet" or "lsof": which one AUTO chose. */
const char *sockets_name(const struct sockets *s);

/* One-shot count, for the CLI (lsof: turns the loop until lsof is done).
 * counts_out[c] = connections on ports[c], or -1 where ports[c] <= 0 (a color
 * on a unix socket: not a TCP port). Returns 0, or -1 with msg. */
int sockets_count(struct sockets *s, const int ports[COLOR_COUNT], int counts_out[COLOR_COUNT],
                  char *msg, size_t msglen);

/* status 0 with counts, or negative with msg (counts then all -1). */
typedef void (*sockets_count_cb)(int status, const int counts[COLOR_COUNT], const char *msg,
                                 void *data);

/* The same count without blocking the loop (lsof as a child process, procnet
 * on libuv's thread pool). Returns 0 (cb called exactly once, later, from the
 * loop) or -1 with msg (cb not called). */
int sockets_count_async(struct sockets *s, const int ports[COLOR_COUNT], sockets_count_cb cb,
                        void *data, char *msg, size_t msglen);

/* The distinct local addresses listening on TCP `port`, at most max of them
 * into out; *n_out gets how many were stored. Returns 0, or -1 with msg. */
int sockets_listeners(struct sockets *s, int port, struct sockets_listener *out, int max,
                      int *n_out, char *msg, size_t msglen);

/* --- For the implementations (sockets_procnet.c, sockets_lsof.c) only. --- */

struct sockets_ops {
    const char *name;
    int (*count)(uv_loop_t *loop, int timeout_ms, const int ports[COLOR_COUNT],
                 int counts[COLOR_COUNT], char *msg, size_t msglen);
    int (*count_async)(uv_loop_t *loop, int timeout_ms, const int ports[COLOR_COUNT],
                       sockets_count_cb cb, void *data, char *msg, size_t msglen);
    int (*listeners)(uv_loop_t *loop, int timeout_ms, int port, struct sockets_listener *out,
                     int max, int *n_out, char *msg, size_t msglen);
};

extern const struct sockets_ops sockets_procnet_ops;   /* Linux builds only */
extern const struct sockets_ops sockets_lsof_ops;

/* Adds an address (af AF_INET/AF_INET6, bytes in network order) to out unless
 * it is already there: one rule for formatting and loopback in both
 * implementations. Returns 1 added, 0 duplicate or no room. */
int sockets_listener_add(struct sockets_listener *out, int max, int *n, int af,
                         const void *addr, int port);

#endif

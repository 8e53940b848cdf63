/* conn: one accepted client of the server. It frames the byte stream into
 * lines (split on '\n', a trailing '\r' stripped) and hands each to on_line;
 * it writes lines back without ever blocking the loop, and drops a client
 * whose unread output passes a bound instead of buffering without end.
 *
 * Ownership: the conn owns itself. Whoever accepted it (the listener) hands
 * it over; after conn_start, on_close runs exactly once, after the socket is
 * closed, and the conn is freed right after on_close returns. Until then
 * the pointer stays valid, so conn_close and conn_send may be called from
 * any callback, on_line included; both are no-ops once closing. */
#ifndef CUTOVER_SERVER_CONN_H
#define CUTOVER_SERVER_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "server/peercred.h"

/* A client that leaves this much of our output unread is dropped. */
#define CONN_MAX_OUTPUT_DEFAULT ((size_t)1024 * 1024)

struct conn;

/* line is NUL-terminated at line[len], without its '\n' (or "\r\n"). */
typedef void (*conn_line_cb)(struct conn *c, const char *line, size_t len);
/* reason: "disconnected", "too slow: 1 MiB of output not read",
 * "line over 65536 bytes", "read: ...", or what conn_close was given. */
typedef void (*conn_close_cb)(struct conn *c, const char *reason);

struct conn_options {
    conn_line_cb on_line;
    conn_close_cb on_close;
    void *data;              /* returned by conn_data */
    size_t max_output;       /* 0: CONN_MAX_OUTPUT_DEFAULT */
    size_t max_line;         /* 0: PROTOCOL_MAX_LINE */
};

/* Accepts one pending connection on server and reads its peer credentials.
 * id is the caller's (monotonic) number for it. Returns 0, or -1 with msg
 * (the half-made connection is closed and freed by the loop). */
int conn_accept(uv_stream_t *server, uint64_t id, struct conn **out, char *msg, size_t len);

/* Starts reading. From here on_close is guaranteed: if reading cannot start,
 * the conn is closed (-1 with msg) and on_close still runs. */
int conn_start(struct conn *c, const struct conn_options *opt, char *msg, size_t len);

/* Queues line plus '\n' (the data is copied). Returns 0, or -1 when the conn
 * is closing, the line holds a '\n', or the line would push the unread
 * output past max_output: then the client is dropped as too slow. */
int conn_send(struct conn *c, const char *line);
int conn_send_len(struct conn *c, const char *line, size_t len);

/* Closes with reason (the first reason given wins). Idempotent. */
void conn_close(struct conn *c, const char *reason);

bool conn_is_closing(const struct conn *c);
const struct peercred *conn_peer(const struct conn *c);
uint64_t conn_id(const struct conn *c);
void *conn_data(const struct conn *c);
/* Output bytes accepted by conn_send and not yet handed to the kernel. */
size_t conn_queued(const struct conn *c);

#endif

/* client: a blocking connection to a running `cutover server`, for one-shot
 * commands (status, shift, rollback) and `cutover attach`. Lines in, lines
 * out, with timeouts; the console (tui/) will drive the same protocol on
 * its loop. */
#ifndef CUTOVER_CLI_CLIENT_H
#define CUTOVER_CLI_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"
#include "core/protocol.h"

struct client {
    int fd;
    char *buf;
    size_t len, cap;
    cJSON *hello;               /* the server's hello (owned) */
    /* Sees every message a wait skips (snapshots, events), e.g. to show a
     * move's progress while its reply is awaited. NULL: none. */
    void (*on_skipped)(const cJSON *message, void *data);
    void *on_skipped_data;
};

/* Is a server answering for this state_dir? */
bool client_server_live(const struct config *cfg);

/* Connects and says hello. Returns 0, or -1 with msg (no server, refused). */
int client_open(struct client *c, const struct config *cfg, bool want_control, char *msg,
                size_t msglen);
void client_close(struct client *c);

/* Next line from the server as JSON (owned by the caller), or NULL on EOF,
 * timeout or a bad line (msg says which). */
cJSON *client_read(struct client *c, int timeout_ms, char *msg, size_t msglen);

/* Sends a command and waits for its reply, skipping snapshots and events.
 * Returns the reply object (owned by the caller) or NULL with msg. */
cJSON *client_call(struct client *c, const struct protocol_cmd *cmd, int timeout_ms, char *msg,
                   size_t msglen);

/* Waits for the next message with this top-level key ("snapshot"). */
cJSON *client_wait_for(struct client *c, const char *key, int timeout_ms, char *msg, size_t msglen);

#endif

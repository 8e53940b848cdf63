/* link: the console's connection to `cutover server` on the console's libuv
 * loop. It connects, says hello, hands every line the server sends to a
 * callback, sends command lines, and when the server goes away says so and
 * reconnects every second. The link owns its handles; link_stop closes them
 * and the link is freed once the loop has run the close callbacks. */
#ifndef CUTOVER_TUI_LINK_H
#define CUTOVER_TUI_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

enum link_state { LINK_CONNECTING, LINK_CONNECTED, LINK_LOST };

struct link_options {
    const char *socket_path;
    bool want_control;          /* asked in every hello (a reconnect asks again) */
    const char *ssh_client;     /* $SSH_CLIENT or "" */
    void (*on_line)(const char *line, size_t len, void *data);
    void (*on_state)(enum link_state st, const char *why, void *data);
    void *data;
};

struct link;

int link_start(uv_loop_t *loop, const struct link_options *opt, struct link **out,
               char *msg, size_t msglen);
/* Queues one line (a newline is added). Returns 0, or -1 when not connected. */
int link_send(struct link *l, const char *line);
enum link_state link_state(const struct link *l);
void link_stop(struct link *l);

#endif

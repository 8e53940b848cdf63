/* The simulated OpenClaw gateway: chat completions, health, and the /_sim/ control endpoints,
 * on one httpd. The gateway owns its server, chats, counters and quit timer; the caller owns
 * the loop and the log, and frees the gateway after `closed` has been called. */
#ifndef SIM_GATEWAY_H
#define SIM_GATEWAY_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "sim/simlog.h"
#include "sim/tunables.h"

struct gateway;

struct gateway_opts {
    const char *listen; /* HOST:PORT */
    const char *name;
    const char *version;
    struct sim_tunables tun;
    uint64_t seed;
    struct simlog *log; /* may be NULL */
    void (*closed)(void *arg); /* every handle closed after a quit */
    void *arg;
};

/* Starts listening. On failure returns -1 with a message; run the loop, then free. */
int gateway_new(uv_loop_t *loop, const struct gateway_opts *opts, struct gateway **out,
                char *err, size_t errlen);
int gateway_local_addr(const struct gateway *gw, char *buf, size_t len);
/* Graceful exit: draining, stop accepting, let open chats end (at most 30 s), close. */
void gateway_quit(struct gateway *gw);
void gateway_toggle_draining(struct gateway *gw);
void gateway_free(struct gateway *gw);

#endif

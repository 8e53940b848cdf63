/* One simulated chat completion, paced by a uv timer: headers at once, the first content
 * after ttft, a token every token_ms, then [DONE]. Each chat owns itself and frees itself
 * once it has ended; the environment must outlive every chat started with it. */
#ifndef SIM_CHAT_H
#define SIM_CHAT_H

#include <uv.h>

#include "sim/httpd.h"
#include "sim/rng.h"
#include "sim/simlog.h"
#include "sim/tunables.h"

struct chat_env {
    uv_loop_t *loop;
    const struct sim_tunables *tun; /* read when a chat starts */
    struct sim_rng *rng;
    struct simlog *log;
    const char *name;
    const char *version;
    void (*on_end)(void *arg); /* once per started chat: completed, failed or aborted */
    void *arg;
};

/* Starts answering req on conn: SSE when stream is set, one JSON body otherwise. With
 * fail_in_stream the first content is "Error: upstream model failed". Returns 0, or -1 when
 * out of memory (then it has answered 500 itself and on_end will not be called). */
int chat_start(const struct chat_env *env, struct httpd_conn *conn, const struct httpd_req *req,
               int stream, int fail_in_stream);

/* A delay with +-jitter_pct percent spread, never below 0. */
long chat_jitter(struct sim_rng *rng, long ms, double jitter_pct);

#endif

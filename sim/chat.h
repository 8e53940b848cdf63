/* One simulated chat completion, paced by a uv timer: headers and the role chunk at once, the
 * first content after ttft, a token every token_ms, the finish chunk (and usage when asked),
 * then [DONE]. The chunks are OpenAI's chat.completion.chunk objects, so the sim serves both
 * as a gateway (cutover probes it) and as the model provider of a real OpenClaw gateway. Each
 * chat owns itself and frees itself once it has ended; the environment must outlive every
 * chat started with it. */
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

/* What the request asked for (read from its JSON body by the caller). */
struct chat_ask {
    int stream;
    int include_usage;   /* stream_options.include_usage: a usage chunk before [DONE] */
    long max_tokens;     /* max_tokens or max_completion_tokens; 0 when not given */
    long prompt_tokens;  /* a rough count for usage: the body's length / 4 */
    const char *model;   /* echoed in every chunk; NULL means "cutover-sim" */
};

/* Starts answering req on conn. With fail_in_stream the stream fails after the tunable
 * stream_error_after content chunks: data: {"error":{...}} then [DONE], or an "Error: ..."
 * content chunk with stream_error_text. Returns 0, or -1 when out of memory (then it has
 * answered 500 itself and on_end will not be called). */
int chat_start(const struct chat_env *env, struct httpd_conn *conn, const struct httpd_req *req,
               const struct chat_ask *ask, int fail_in_stream);

/* A delay with +-jitter_pct percent spread, never below 0. */
long chat_jitter(struct sim_rng *rng, long ms, double jitter_pct);
/* The delay to the first content: lognormal when the tunables ask for it. */
long chat_ttft_delay(struct sim_rng *rng, const struct sim_tunables *tun);

#endif

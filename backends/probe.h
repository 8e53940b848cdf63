/* probe: every interval, one streaming chat request straight to each color's
 * address, timed to the first SSE event that carries content (TTFT), not to
 * the response headers nor the role chunk (the gateway sends 200 and the
 * role before the model answers). Every answer is read to its end (the
 * stream to data: [DONE]): a probe that hung up at the first token made the
 * real gateway log errors, and missed failures after it; so the body should
 * ask for a few tokens (max_tokens). Errors are classified per target:
 * refused, timeout, non-2xx, a stream that ends without content, and an
 * in-stream failure inside a 200 stream, which nginx's 5xx count cannot see:
 * a data: {"error":{...}} event (OpenAI's, and OpenClaw 2026.9's after its
 * role chunk) or an "Error:" content chunk, before or after content. A
 * failure's message keeps the gateway's own words (its error message,
 * printable ASCII, cut short) for the failures view and the journal.
 *
 * Ownership: probe_new copies everything in the params, so the caller may
 * free them at once. Steady rounds send one probe per target at a time; a
 * burst round (probe_round) may keep up to PROBE_MAX_SLOTS in flight, each
 * in its own slot, whose number replaces "{slot}" in the body (so parallel
 * probes can be distinct users: the real gateway serialises one user's
 * session). A target at its limit is skipped for the round and counted, so
 * a slow or dead color never delays the other nor piles up requests. Header values (which may hold secrets, after
 * ${ENV} expansion) never appear in any message. The caller should ignore
 * SIGPIPE. Linking needs $(CURL_LIBS), $(CJSON_LIBS) (via libcore.a's sse)
 * and $(LIBUV_LIBS). */
#ifndef CUTOVER_BACKENDS_PROBE_H
#define CUTOVER_BACKENDS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "core/metric.h"

#define PROBE_MAX_TARGETS 8
#define PROBE_MAX_SLOTS 16

struct probe_target {
    const char *name;       /* "blue": names results, replaces "{color}" in body */
    const char *address;    /* "127.0.0.1:8787", "[::1]:8788" or "unix:/path" */
};

struct probe_params {
    double interval_s;      /* > 0: time between rounds */
    double timeout_s;       /* > 0: limit for a whole request */
    const char *path;       /* "/v1/chat/completions" */
    const char *body;       /* JSON text; every "{color}" becomes the target's name,
                               every "{slot}" the number of the probe's slot */
    int header_count;
    const char *const *header_names;
    const char *const *header_values;  /* ${NAME} expands from the environment
                                          when each probe is sent */
    int target_count;       /* 1..PROBE_MAX_TARGETS */
    const struct probe_target *targets;
    /* The time a result's sent_at is stamped with; NULL means the wall clock
     * in unix seconds (what core/window takes). */
    double (*clock)(void *clock_data);
    void *clock_data;
};

enum probe_outcome {
    PROBE_OK = 0,           /* content, then [DONE] (or the end): ttft_us is valid */
    PROBE_REFUSED,          /* could not connect */
    PROBE_TIMEOUT,          /* no [DONE] within timeout_s (message: content or not) */
    PROBE_HTTP_STATUS,      /* a non-2xx answer: http_status says which */
    PROBE_NO_CONTENT,       /* a 2xx stream that ended without any content */
    PROBE_STREAM_ERROR,     /* 200, but the stream reported a failure */
    PROBE_NOT_SENT,         /* a header's ${NAME} is not set (or the like) */
    PROBE_FAILED,           /* any other transport failure */
};

struct probe_result {
    int target;             /* index into params.targets */
    const char *name;       /* the target's name (owned by the probe) */
    double sent_at;         /* params.clock when the request was started */
    enum probe_outcome outcome;
    int http_status;        /* 0 when no response came */
    uint64_t ttft_us;       /* send to the first content (or to an in-stream
                               failure before any); 0 when neither came */
    uint64_t total_us;      /* send to the end of the answer */
    uint64_t skipped;       /* rounds skipped so far for this target */
    char run_id[65];        /* the stream's first chunk "id" (chatcmpl_...): the run
                               the gateway's log names; "" when none (core/sse) */
    char message[160];      /* "" when OK; short, never a header value: "HTTP 503:
                               <the body's error message>", "in-stream error:
                               <the gateway's message> (<its type>)", ... */
};

/* Called from the loop for every probe that ends (or cannot be sent). The
 * result is only valid during the call. */
typedef void (*probe_result_cb)(const struct probe_result *r, void *data);

struct probe;

/* Checks and copies params. Returns 0, or -1 with err filled. Nothing is
 * sent before probe_start or probe_round. */
int probe_new(uv_loop_t *loop, const struct probe_params *params, probe_result_cb cb,
              void *data, struct probe **out, char *err, size_t errlen);

/* Starts rounds: the first on the next loop turn, then every interval_s. */
void probe_start(struct probe *p);
/* No more rounds; probes in flight still finish and report. */
void probe_stop(struct probe *p);

/* Sends one round now: a probe to each target with fewer than max_in_flight
 * (1..PROBE_MAX_SLOTS) in flight; the others are skipped. The steady rounds
 * of probe_start use 1. A probe that cannot be sent reports PROBE_NOT_SENT
 * from within this call. */
void probe_round(struct probe *p, int max_in_flight);

/* Probes in flight now, libuv handles open now (the round timer plus curl's
 * watchers), and rounds skipped for a target because its probe still ran. */
int probe_in_flight(const struct probe *p);
int probe_handles(const struct probe *p);
uint64_t probe_skipped(const struct probe *p, int target);
/* Probes to this target in flight now (each holds a connection to the
 * target, which a connection count should not take for traffic), and sent
 * so far: a count that takes time may see any probe that ran meanwhile. */
int probe_target_in_flight(const struct probe *p, int target);
uint64_t probe_sent(const struct probe *p, int target);

/* "ok", "refused", "timeout", "http status", "no content", "stream error",
 * "not sent", "failed". */
const char *probe_outcome_name(enum probe_outcome o);
/* The signals one probe brings (core/metric.h): a probe, a failure or the
 * measures of a success. */
void probe_result_sample(const struct probe_result *r, struct metric_sample *out);

/* Stops everything without further callbacks; memory is released once the
 * loop has run the close callbacks. NULL is fine. Safe inside the callback. */
void probe_free(struct probe *p);

#endif

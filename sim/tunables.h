/* The gateway's live tunables: what a test or the demo turns to make trouble. Plain values,
 * owned by whoever embeds the struct; the setters validate before they touch anything. */
#ifndef SIM_TUNABLES_H
#define SIM_TUNABLES_H

#include <stddef.h>

struct sim_tunables {
    long ttft_ms;             /* delay before the first content chunk */
    long token_ms;            /* delay between content chunks */
    long tokens;              /* content chunks per answer */
    double error_rate;        /* share of chats answered 500/503 at once */
    double stream_error_rate; /* share of chats that fail inside their 200 stream */
    long stream_error_after;  /* content chunks a failing stream sends before its error */
    int stream_error_text;    /* the failure as an "Error: ..." content chunk (OpenClaw before
                                 2026.9) instead of OpenClaw 2026.9's and OpenAI's
                                 data: {"error":{...}} event */
    double jitter_pct;        /* +- spread applied to every delay */
    double ttft_sigma;        /* > 0: TTFT is lognormal, median ttft_ms, this sd of its log
                                 (model latency is heavy-tailed; replaces jitter for TTFT) */
    int draining;             /* health answers 503 */
    int starting;             /* /readyz and /startupz answer 503 as OpenClaw's do while
                                 its startup sidecars are pending (/health stays 200) */
    int catch_all_html;       /* every unknown path answers 200 text/html, as OpenClaw's
                                 Control UI does */
};

void tunables_default(struct sim_tunables *t);

/* Sets one tunable by name ("ttft_ms" or "ttft-ms"). Returns 0, or -1 with a message. */
int tunables_set(struct sim_tunables *t, const char *key, const char *value, char *err,
                 size_t errlen);

/* Applies "k=v&k=v" (URL query, %XX decoded) all or nothing. Returns 0, or -1 with a message. */
int tunables_set_query(struct sim_tunables *t, const char *query, char *err, size_t errlen);

#endif

/* The load generator's tally: status counts, errors, TTFT samples, and the one-line JSON
 * summary. Pure; the caller embeds the struct and calls loadstats_free. */
#ifndef SIM_LOADSTATS_H
#define SIM_LOADSTATS_H

#include <stddef.h>

#define LOADSTATS_MAX_STATUS 600

struct loadstats {
    long completed;        /* transfers that got a whole HTTP answer */
    long transport_errors; /* connect failures, resets, timeouts */
    long stream_errors;    /* 200 streams that reported a failure inside */
    long aborted;          /* cut off by a second signal */
    long status[LOADSTATS_MAX_STATUS];
    double *ttft;          /* ms, successful streams only */
    size_t nttft, cap;
};

void loadstats_response(struct loadstats *s, long status, int have_content, int is_error,
                        double ttft_ms);
void loadstats_transport_error(struct loadstats *s);
/* Nearest-rank percentile (0 < p <= 1) of the TTFT samples; sorts them; -1 when none. */
double loadstats_ttft_pct(struct loadstats *s, double p);
/* {"sent":..,"completed":..,"status":{..},...}; caller frees with cJSON_free(). NULL if no memory. */
char *loadstats_json(struct loadstats *s, long sent);
void loadstats_free(struct loadstats *s);

#endif

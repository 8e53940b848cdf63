/* Tally of a load run. TTFT is kept for successful streams only: an in-stream failure answers
 * fast and would flatter the percentiles exactly when things go wrong. */
#include "sim/loadstats.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void loadstats_response(struct loadstats *s, long status, int have_content, int is_error,
                        double ttft_ms)
{
    s->completed++;
    if (status >= 0 && status < LOADSTATS_MAX_STATUS)
        s->status[status]++;
    if (status != 200 || !(have_content || is_error))
        return;
    if (is_error) {
        s->stream_errors++;
        return;
    }
    if (s->nttft == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        double *n = realloc(s->ttft, cap * sizeof *n);
        if (!n)
            return; /* a lost sample beats a lost run */
        s->ttft = n;
        s->cap = cap;
    }
    s->ttft[s->nttft++] = ttft_ms;
}

void loadstats_transport_error(struct loadstats *s)
{
    s->transport_errors++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double loadstats_ttft_pct(struct loadstats *s, double p)
{
    if (s->nttft == 0)
        return -1;
    qsort(s->ttft, s->nttft, sizeof *s->ttft, cmp_double);
    size_t rank = (size_t)ceil(p * (double)s->nttft);
    return s->ttft[rank > 0 ? rank - 1 : 0];
}

static void add_pct(cJSON *o, const char *name, double v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, round(v * 10) / 10);
}

char *loadstats_json(struct loadstats *s, long sent)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sent", (double)sent);
    cJSON_AddNumberToObject(o, "completed", (double)s->completed);
    cJSON *st = cJSON_AddObjectToObject(o, "status");
    for (int i = 0; i < LOADSTATS_MAX_STATUS; i++) {
        char key[8];
        if (!s->status[i])
            continue;
        snprintf(key, sizeof key, "%d", i);
        cJSON_AddNumberToObject(st, key, (double)s->status[i]);
    }
    cJSON_AddNumberToObject(o, "transport_errors", (double)s->transport_errors);
    cJSON_AddNumberToObject(o, "stream_errors", (double)s->stream_errors);
    cJSON_AddNumberToObject(o, "aborted", (double)s->aborted);
    cJSON *t = cJSON_AddObjectToObject(o, "ttft_ms");
    add_pct(t, "p50", loadstats_ttft_pct(s, 0.50));
    add_pct(t, "p95", loadstats_ttft_pct(s, 0.95));
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

void loadstats_free(struct loadstats *s)
{
    free(s->ttft);
    s->ttft = NULL;
    s->nttft = s->cap = 0;
}

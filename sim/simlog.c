/* JSON lines through cJSON so names and request ids are always escaped correctly. Headers are
 * never logged wholesale, so an Authorization header cannot leak into the file. */
#include "sim/simlog.h"
#include "sim/oclog.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

struct simlog {
    FILE *f;            /* the request log; NULL without --log */
    struct oclog *oc;   /* the OpenClaw-format log; NULL without --gateway-log */
};

int simlog_open(const char *path, struct simlog **out, char *err, size_t errlen)
{
    *out = NULL;
    struct simlog *log = calloc(1, sizeof *log);
    if (!log) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    log->f = fopen(path, "a");
    if (!log->f) {
        snprintf(err, errlen, "cannot open log %s: %s", path, strerror(errno));
        free(log);
        return -1;
    }
    *out = log;
    return 0;
}

void simlog_utc_time(char *buf, size_t len, const char *zone)
{
    uv_timeval64_t tv;
    struct tm tm;
    uv_gettimeofday(&tv);
    time_t secs = (time_t)tv.tv_sec;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03d%s", (int)(tv.tv_usec / 1000), zone);
}

int simlog_open_gateway(const char *path, struct simlog **log, char *err, size_t errlen)
{
    if (!*log && !(*log = calloc(1, sizeof **log))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return oclog_open(path, &(*log)->oc, err, errlen);
}

/* A chat in OpenClaw's words: level "error" is a failed model (in the 200
 * stream, or a 500), "info" a completed chat; a client that hung up
 * ("warn") is no failure of the model. */
static void write_gateway(struct simlog *log, const struct simlog_entry *e)
{
    if (!log->oc || strncmp(e->path, "/v1/chat/completions", 20) != 0 ||
        strcmp(e->level, "warn") == 0)
        return;
    oclog_chat(log->oc, e->run_id, e->status, strcmp(e->level, "error") == 0,
               "upstream model failed");
}

void simlog_write(struct simlog *log, const struct simlog_entry *e)
{
    if (!log)
        return;
    write_gateway(log, e);
    if (!log->f)
        return;
    char when[40];
    simlog_utc_time(when, sizeof when, "Z");
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "level", e->level);
    cJSON_AddStringToObject(o, "color", e->color);
    cJSON_AddStringToObject(o, "version", e->version);
    if (e->rid)
        cJSON_AddStringToObject(o, "rid", e->rid);
    else
        cJSON_AddNullToObject(o, "rid");
    cJSON_AddStringToObject(o, "method", e->method);
    cJSON_AddStringToObject(o, "path", e->path);
    cJSON_AddNumberToObject(o, "status", e->status);
    if (e->ttft_ms >= 0)
        cJSON_AddNumberToObject(o, "ttft_ms", (double)(long long)(e->ttft_ms * 1000.0 + 0.5) / 1000.0);
    else
        cJSON_AddNullToObject(o, "ttft_ms");
    cJSON_AddStringToObject(o, "msg", e->msg);
    char *line = cJSON_PrintUnformatted(o);
    if (line) {
        fprintf(log->f, "%s\n", line);
        fflush(log->f); /* the operator tails this file live */
        cJSON_free(line);
    }
    cJSON_Delete(o);
}

void simlog_close(struct simlog *log)
{
    if (!log)
        return;
    if (log->f)
        fclose(log->f);
    oclog_close(log->oc);
    free(log);
}

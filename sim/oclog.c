/* oclog: OpenClaw-shaped log lines, built with cJSON so every text is
 * escaped as the real gateway's JSON is. */
#include "sim/oclog.h"
#include "sim/simlog.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

struct oclog {
    FILE *f;
    unsigned long lane;     /* a made-up lane number per chat, as the real log has */
};

int oclog_open(const char *path, struct oclog **out, char *err, size_t errlen)
{
    *out = NULL;
    struct oclog *log = calloc(1, sizeof *log);
    if (!log) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    log->f = fopen(path, "a");
    if (!log->f) {
        snprintf(err, errlen, "cannot open gateway log %s: %s", path, strerror(errno));
        free(log);
        return -1;
    }
    *out = log;
    return 0;
}

/* "2026-12-02T14:03:22.123+00:00", OpenClaw's long style (in UTC here). */
static void long_time(char *buf, size_t len)
{
    simlog_utc_time(buf, len, "+00:00");
}

/* One line: a subsystem logger's ("0" its name object, "1" the text), or
 * a plain one ("0" the text) when subsystem is NULL. */
static void line(struct oclog *log, const char *level, int level_id, const char *subsystem,
                 const char *text)
{
    char when[48], name[96];
    long_time(when, sizeof when);
    cJSON *o = cJSON_CreateObject(), *meta;
    if (!o)
        return;
    if (subsystem) {
        snprintf(name, sizeof name, "{\"subsystem\":\"%s\"}", subsystem);
        cJSON_AddStringToObject(o, "0", name);
        cJSON_AddStringToObject(o, "1", text);
    } else {
        cJSON_AddStringToObject(o, "0", text);
    }
    meta = cJSON_AddObjectToObject(o, "_meta");
    if (meta) {
        cJSON_AddStringToObject(meta, "runtime", "node");
        cJSON_AddStringToObject(meta, "name", subsystem ? name : "openclaw");
        cJSON_AddNumberToObject(meta, "logLevelId", level_id);
        cJSON_AddStringToObject(meta, "logLevelName", level);
    }
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "message", text);
    char *s = cJSON_PrintUnformatted(o);
    if (s) {
        fprintf(log->f, "%s\n", s);
        cJSON_free(s);
    }
    cJSON_Delete(o);
}

void oclog_chat(struct oclog *log, const char *run_id, int status, int failed, const char *why)
{
    char text[512];
    if (!log)
        return;
    unsigned long lane = ++log->lane;
    /* The model call's line names the run, whatever became of it. */
    snprintf(text, sizeof text, "[model-fetch] response provider=cutover-sim status=200 "
             "elapsedMs=1 runId=%s", run_id ? run_id : "-");
    line(log, "INFO", 3, NULL, text);
    if (failed && status == 200) {
        snprintf(text, sizeof text, "lane task error: lane=session:agent:main:openai-user:%lu "
                 "durationMs=1 error=\"Error: %s\"", lane, why);
        line(log, "ERROR", 5, NULL, text);
        line(log, "WARN", 4, "model-fallback",
             "model fallback chain stopped: reason=error candidate=cutover-sim/sim");
        snprintf(text, sizeof text, "streaming chat completion failed: Error: %s", why);
        line(log, "WARN", 4, "openai-compat", text);
    } else if (failed) {
        snprintf(text, sizeof text, "chat completion failed: Error: %s", why);
        line(log, "WARN", 4, "openai-compat", text);
    }
    fflush(log->f);     /* cutover tails it live */
}

void oclog_close(struct oclog *log)
{
    if (!log)
        return;
    fclose(log->f);
    free(log);
}

/* The sim's request log: one JSON line per request, appended to a file, the way the real
 * gateway logs; and, with --gateway-log, each chat's lines in OpenClaw's own log format
 * (sim/oclog.h). The log owns its files; a NULL log (neither option) writes nothing. */
#ifndef SIM_SIMLOG_H
#define SIM_SIMLOG_H

#include <stddef.h>

struct simlog;

struct simlog_entry {
    const char *level;   /* "info", "warn", "error" */
    const char *color;   /* the sim's --name */
    const char *version;
    const char *rid;     /* X-Request-Id, NULL when absent */
    const char *run_id;  /* the chat's "id" in its chunks (chatcmpl_...), NULL when none */
    const char *method;
    const char *path;
    int status;
    double ttft_ms;      /* measured, not the set value; < 0: none (not a chat, or no content sent) */
    const char *msg;
};

/* Opens FILE for appending. Returns 0, or -1 with a message. */
int simlog_open(const char *path, struct simlog **out, char *err, size_t errlen);
/* Also writes each chat to FILE as OpenClaw would (*log is created when NULL,
 * writing no request log then). Returns 0, or -1 with a message. */
int simlog_open_gateway(const char *path, struct simlog **log, char *err, size_t errlen);
void simlog_write(struct simlog *log, const struct simlog_entry *e);
void simlog_close(struct simlog *log);
/* Now in UTC with milliseconds, "2026-12-02T14:03:22.123" then zone ("Z",
 * "+00:00"): the sim's log and its OpenClaw-format log differ only there. */
void simlog_utc_time(char *buf, size_t len, const char *zone);

#endif

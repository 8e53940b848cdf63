/* The sim's request log: one JSON line per request, appended to a file, the way the real
 * gateway logs. The log owns its FILE; a NULL log (no --log) writes nothing. */
#ifndef SIM_SIMLOG_H
#define SIM_SIMLOG_H

#include <stddef.h>

struct simlog;

struct simlog_entry {
    const char *level;   /* "info", "warn", "error" */
    const char *color;   /* the sim's --name */
    const char *version;
    const char *rid;     /* X-Request-Id, NULL when absent */
    const char *method;
    const char *path;
    int status;
    double ttft_ms;      /* measured, not the set value; < 0: none (not a chat, or no content sent) */
    const char *msg;
};

/* Opens FILE for appending. Returns 0, or -1 with a message. */
int simlog_open(const char *path, struct simlog **out, char *err, size_t errlen);
void simlog_write(struct simlog *log, const struct simlog_entry *e);
void simlog_close(struct simlog *log);

#endif

/* oclog: the sim's chats written the way OpenClaw 2026.9.6 writes its own
 * log (tslog JSON lines: the subsystem logger's "0"/"1", `message`,
 * `_meta.logLevelName`, `time`), so cutover's gateway-log reader can be
 * tested without the real gateway. Per chat: the INFO "[model-fetch]"
 * line naming its run (runId=, the id its chunks carry); for one that
 * failed inside its 200 stream, then the lines the real
 * gateway writes for it: ERROR "lane task error", WARN "model fallback
 * chain stopped" and the WARN "streaming chat completion failed" (the one
 * a failure is counted by); for one that failed with 500 (no stream), the
 * WARN "chat completion failed". The file is owned here. */
#ifndef SIM_OCLOG_H
#define SIM_OCLOG_H

#include <stddef.h>

struct oclog;

/* Opens FILE for appending. Returns 0, or -1 with a message. */
int oclog_open(const char *path, struct oclog **out, char *err, size_t errlen);
/* One chat's lines: run_id its chunks' id, status what the client got,
 * failed whether the model failed (in the stream when status is 200). NULL
 * log: nothing. */
void oclog_chat(struct oclog *log, const char *run_id, int status, int failed, const char *why);
void oclog_close(struct oclog *log);

#endif

/* loadsse: the load generator's incremental reader of an OpenAI-style SSE chat stream. It finds
 * the first content chunk (the TTFT moment) and whether the stream reports a failure: an
 * "Error:" content chunk or a data: {"error":{...}} event, before or after content.
 * Pure; the caller embeds the struct. The sim links nothing from core/, so it does not use
 * core/sse.h (the probe's reader). */
#ifndef SIM_LOADSSE_H
#define SIM_LOADSSE_H

#include <stddef.h>

#define LOADSSE_MAX_LINE 16384

struct loadsse {
    char line[LOADSSE_MAX_LINE];
    size_t len;
    int overflow;      /* skipping the rest of an over-long line */
    int have_content;  /* the first content chunk has been seen */
    int is_error;      /* a failure was reported in the stream */
    int done;          /* data: [DONE] seen */
};

void loadsse_init(struct loadsse *s);
/* Feeds bytes as they arrive. Returns 1 on the call that saw the first content chunk. */
int loadsse_feed(struct loadsse *s, const char *data, size_t len);

#endif

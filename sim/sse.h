/* Incremental reader of an OpenAI-style SSE chat stream, for the load generator: it finds the
 * first content chunk (the TTFT moment) and whether it reports an agent failure ("Error:").
 * Pure; the caller embeds the struct. */
#ifndef SIM_SSE_H
#define SIM_SSE_H

#include <stddef.h>

#define SSE_MAX_LINE 16384

struct sse {
    char line[SSE_MAX_LINE];
    size_t len;
    int overflow;      /* skipping the rest of an over-long line */
    int have_content;  /* the first content chunk has been seen */
    int is_error;      /* ... and it started with "Error:" */
    int done;          /* data: [DONE] seen */
};

void sse_init(struct sse *s);
/* Feeds bytes as they arrive. Returns 1 on the call that saw the first content chunk. */
int sse_feed(struct sse *s, const char *data, size_t len);

#endif

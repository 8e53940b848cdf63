/* sse: finds the first content of an OpenAI-style chat stream (server-sent
 * events), fed in whatever pieces the network delivers. It is what a probe
 * times: the first `data: {...}` event whose choices[0].delta.content is a
 * non-empty string, and whether that content reports an agent failure
 * ("Error: ..."), which the gateway sends inside an HTTP 200 stream.
 *
 * Pure and allocation-free apart from parsing one event's JSON: the caller
 * embeds struct sse_reader (about 16 KiB) and owns it. Handles events split
 * across reads, "\r\n", "\n" and "\r" line ends, multi-line data, comments,
 * other fields, and `data: [DONE]`. An event larger than SSE_READER_MAX is
 * skipped, never truncated and misread. */
#ifndef CUTOVER_CORE_SSE_H
#define CUTOVER_CORE_SSE_H

#include <stdbool.h>
#include <stddef.h>

#define SSE_READER_MAX 16384
#define SSE_READER_FIELD 16
#define SSE_READER_SNIPPET 96

enum sse_outcome {
    SSE_PENDING = 0,     /* nothing decided yet: feed more */
    SSE_CONTENT,         /* first content seen */
    SSE_CONTENT_ERROR,   /* first content seen, and it starts with "Error:" */
    SSE_DONE_EMPTY,      /* data: [DONE] came before any content */
};

struct sse_reader {
    enum sse_outcome outcome;
    int state;                        /* where in a line the last byte left us */
    bool after_cr;                    /* a "\n" right after "\r" ends nothing */
    bool event_too_big;
    char field[SSE_READER_FIELD + 1];
    size_t field_len;
    char data[SSE_READER_MAX + 1];    /* the current event's data lines */
    size_t data_len;
    unsigned events;                  /* events dispatched so far */
    char snippet[SSE_READER_SNIPPET]; /* the first content's start, NUL-ended */
};

void sse_reader_init(struct sse_reader *r);

/* Feeds the next bytes of the stream. Returns the outcome so far; once it is
 * no longer SSE_PENDING it stays, and further bytes are ignored. */
enum sse_outcome sse_reader_feed(struct sse_reader *r, const char *buf, size_t len);

/* "content", "content Error:", "[DONE] without content", "pending". */
const char *sse_outcome_name(enum sse_outcome o);

#endif

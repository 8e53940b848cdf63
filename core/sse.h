/* sse: reads an OpenAI-style chat stream (server-sent events) to its
 * `data: [DONE]`, fed in whatever pieces the network delivers. It is what a
 * probe times and judges: the first `data: {...}` event whose
 * choices[0].delta.content is a non-empty string (the role chunk before it is
 * not content), and whether the stream reports a failure, which the gateway
 * sends inside an HTTP 200 stream: an error event `data: {"error":{...}}`
 * (OpenAI's and OpenClaw 2026.9's shape, right after the role chunk or after
 * some content) or a content chunk starting "Error:" (older OpenClaw builds).
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
#define SSE_READER_MESSAGE 128
#define SSE_READER_ID 64

/* The verdict so far; `done` says whether the stream has ended. */
enum sse_outcome {
    SSE_PENDING = 0,     /* no content, failure or [DONE] yet */
    SSE_CONTENT,         /* content came, and no failure so far */
    SSE_ERROR,           /* the stream reported a failure (sticks): see message */
    SSE_DONE_EMPTY,      /* data: [DONE] came before any content or failure */
};

struct sse_reader {
    enum sse_outcome outcome;
    bool has_content;                 /* a content chunk came ("Error:" ones too) */
    bool done;                        /* data: [DONE] came: later bytes are ignored */
    int state;                        /* where in a line the last byte left us */
    bool after_cr;                    /* a "\n" right after "\r" ends nothing */
    bool event_too_big;
    char field[SSE_READER_FIELD + 1];
    size_t field_len;
    char data[SSE_READER_MAX + 1];    /* the current event's data lines */
    size_t data_len;
    unsigned events;                  /* events dispatched so far */
    char snippet[SSE_READER_SNIPPET]; /* the first content's start, NUL-ended */
    char message[SSE_READER_MESSAGE]; /* the first failure's text, "" when none */
    /* The first chunk's "id" ("chatcmpl_..."), the run the gateway's log
     * names: "" when none came, or it was longer than SSE_READER_ID or held
     * a byte other than [A-Za-z0-9_-] (it is shown and searched for). */
    char id[SSE_READER_ID + 1];
};

void sse_reader_init(struct sse_reader *r);

/* Feeds the next bytes of the stream. Returns the verdict so far: content
 * may still turn into an error; an error stays; after [DONE] nothing
 * changes and further bytes are ignored. */
enum sse_outcome sse_reader_feed(struct sse_reader *r, const char *buf, size_t len);

/* The failure an error object reports, as one clean line in out (printable
 * ASCII, cut to outlen): `{"error":{"message":M,"type":T}}` gives "M (T)",
 * `{"error":"M"}` gives "M". Returns whether json is such an object. Also
 * reads the body of a non-2xx answer. */
bool sse_error_text(const char *json, size_t len, char *out, size_t outlen);

/* "content", "error", "[DONE] without content", "pending". */
const char *sse_outcome_name(enum sse_outcome o);

#endif

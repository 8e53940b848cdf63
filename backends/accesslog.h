/* accesslog: follows nginx's live access log on the libuv loop and hands each
 * whole line to a callback (pointer + length into the tailer's own buffer, no
 * allocation per line). Survives rotation (rename + new file: the old file is
 * read to its end, then the new one from offset 0) and truncation
 * (copytruncate: restart at 0). A missing file is retried until it appears.
 * The tailer owns its buffers and handles; accesslog_stop() releases them. */
#ifndef CUTOVER_BACKENDS_ACCESSLOG_H
#define CUTOVER_BACKENDS_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct accesslog;

/* line: the line without its '\n', valid only during the call. The callback
 * may call accesslog_stop(); no line is delivered after that. */
typedef void (*accesslog_line_cb)(const char *line, size_t len, void *data);

struct accesslog_options {
    const char *path;          /* copied */
    accesslog_line_cb on_line;
    void *data;
    /* 0: start at the end. N: start N bytes before the end, at the next line
     * start (back-fill). Applies to the file found at start only; a file that
     * appears later, or after a rotation, is read from its beginning. */
    uint64_t backfill_bytes;
    unsigned poll_ms;          /* safety-net poll; 0 means 250 */
    size_t max_line;           /* longer lines count as too_long; 0 means 64 KiB */
    /* After a rotation the old file is still read until it has been quiet
     * this long, for writers that reopen late (nginx -s reopen, postrotate);
     * 0 means 5000. */
    unsigned rotate_grace_ms;
};

enum accesslog_state {
    ACCESSLOG_WAITING,    /* the file does not exist (yet) */
    ACCESSLOG_FOLLOWING,  /* open and being followed */
    ACCESSLOG_FAILING,    /* exists but cannot be opened or read; retried */
};

struct accesslog_counters {
    uint64_t lines;          /* delivered to the callback */
    uint64_t bytes;          /* read from the file(s), newlines included */
    uint64_t rotations;      /* switched to a new file at the path */
    uint64_t truncations;    /* the file shrank or was rewritten under us */
    uint64_t too_long;       /* lines over max_line, skipped */
    uint64_t partial_dropped;/* unfinished last lines lost to a truncation or rotation */
};

/* Opens (or starts waiting for) the file and arms the watchers. Returns 0
 * with *out set, or a negative libuv error with msg filled. */
int accesslog_start(uv_loop_t *loop, const struct accesslog_options *opt,
                    struct accesslog **out, char *msg, size_t msglen);

/* Reads whatever is new right now (also done by the watchers and the poll);
 * for a caller that wants every written line before it looks, e.g. at exit. */
void accesslog_poll(struct accesslog *al);

enum accesslog_state accesslog_state(const struct accesslog *al);
const char *accesslog_state_name(enum accesslog_state s);
/* Why the file is failing ("open: permission denied"), or "". */
const char *accesslog_error(const struct accesslog *al);
void accesslog_get_counters(const struct accesslog *al, struct accesslog_counters *out);

/* Closes every handle and file; the memory is freed once libuv has closed the
 * handles, so run the loop afterwards. al must not be used after this. */
void accesslog_stop(struct accesslog *al);

#endif

/* logparse: one line of cutover's access-log format -> a record. Pure, no
 * allocation: every string in the record points into the caller's line, so
 * the record is valid only while that line is. The format (cli/snippets.c):
 *
 *   $remote_addr - $remote_user [$time_local] "$request" $status
 *   $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time
 *   uct="$upstream_connect_time" uht="$upstream_header_time"
 *   urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status"
 *   rid=$request_id msec=$msec
 *
 * The upstream fields are lists with one item per ATTEMPT: ", " separates
 * retries inside one upstream group, " : " separates internal redirects;
 * "-" alone means nginx answered without any upstream. */
#ifndef CUTOVER_CORE_LOGPARSE_H
#define CUTOVER_CORE_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/metric.h"

/* More attempts than this in one line: the first ones are kept and
 * rec->attempts_truncated is set (nginx's own default is far below). */
#define LOGPARSE_MAX_ATTEMPTS 16

/* Why a line did not parse; tests assert on it, `stats` only counts. */
enum logparse_reason {
    LOGPARSE_OK = 0,
    LOGPARSE_E_EMPTY,          /* nothing but a line ending */
    LOGPARSE_E_PREFIX,         /* remote address, user or [time] missing */
    LOGPARSE_E_QUOTED,         /* a quoted field is missing or unterminated */
    LOGPARSE_E_STATUS,         /* $status or $body_bytes_sent not a number */
    LOGPARSE_E_FIELD,          /* a key=value field is malformed */
    LOGPARSE_E_NUMBER,         /* a time, status or msec value is not a number */
    LOGPARSE_E_LIST,           /* an upstream list is malformed */
    LOGPARSE_E_MISMATCH,       /* upstream lists disagree on the attempt count */
    LOGPARSE_E_MISSING         /* a required key (rt..msec) is absent: truncated */
};

struct logparse_str {
    const char *p;
    size_t len;
};

struct logparse_attempt {
    /* "127.0.0.1:8787", "[::1]:8788", "unix:/run/gw.sock", or the upstream
     * group's name when nginx found no live server. */
    struct logparse_str addr;
    int status;                /* -1 when nginx logged "-" */
    int64_t header_us;         /* $upstream_header_time; -1 for "-" */
    int64_t connect_us;        /* $upstream_connect_time; -1 for "-" */
    bool after_redirect;       /* the first attempt after a " : " */
};

struct logparse_record {
    int status;                /* $status: what the client got */
    int64_t request_us;        /* $request_time */
    int64_t msec;              /* $msec in milliseconds since the epoch */
    struct logparse_str remote_addr;
    struct logparse_str method;   /* "" when $request is "-" or garbage */
    struct logparse_str path;
    struct logparse_str rid;
    int n_attempts;            /* 0 when nginx answered itself */
    bool attempts_truncated;
    struct logparse_attempt attempt[LOGPARSE_MAX_ATTEMPTS];
    enum logparse_reason reason;
};

/* Parses line[0..len) (a trailing "\n" or "\r\n" is allowed). Returns 0, or
 * -1 with rec->reason set; never reads outside the given bytes. Unknown
 * key=value fields after the known ones are tolerated. */
int logparse_line(const char *line, size_t len, struct logparse_record *rec);

/* A short English name for a reason ("unterminated quoted field"). */
const char *logparse_reason_text(enum logparse_reason r);

/* The signals one upstream attempt brings (core/metric.h): a request,
 * a 5xx when its status is one, its header time when nginx logged one. */
void logparse_attempt_sample(const struct logparse_attempt *a, struct metric_sample *out);

/* Which of `addrs` (count n, exact text as in the config) an attempt went
 * to; -1 when none (another address or an upstream group name). */
int logparse_addr_index(struct logparse_str addr, const char *const *addrs,
                        const size_t *addr_lens, int n);

#endif

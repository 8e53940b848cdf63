/* gwlook: which lines of a color's gateway log to show for one failure.
 * OpenClaw's log carries no request id (nginx's X-Request-Id never reaches
 * it) and its failure lines carry no run id either, so a failure is chased
 * two ways: by an id when there is one (a probe's `chatcmpl_` run id, which
 * the gateway's INFO "[model-fetch] ... runId=chatcmpl_..." line holds, or
 * an X-Request-Id a gateway does log), and by time: the lines whose tslog
 * `time` lies within GWLOOK_BEFORE_S before to GWLOOK_AFTER_S after the
 * failure, errors first (FATAL/ERROR, then WARN, then the rest; time order
 * within a level).
 *
 * Pure: gwlook_select reads a buffer of lines and names the chosen ones by
 * offset and length; it allocates nothing. */
#ifndef CUTOVER_CORE_GWLOOK_H
#define CUTOVER_CORE_GWLOOK_H

#include <stdbool.h>
#include <stddef.h>

#define GWLOOK_BEFORE_S 5.0
#define GWLOOK_AFTER_S 5.0
#define GWLOOK_MAX_PICKS 20
/* A shown line's most bytes. OpenClaw's lines run 600-3000 bytes (its
 * `_meta` and `time` sit at the end), and it logs reply text at INFO, so
 * one line can run to many KB: the lookup's reply, its 20 lines in one
 * protocol line, must stay well under PROTOCOL_MAX_LINE. */
#define GWLOOK_LINE_MAX 2000

/* "2026-12-02T14:03:22.123+01:00", "...Z", "...+0100", fraction optional ->
 * unix seconds. Reads only the first n bytes of s. Returns 0, or -1 when it
 * is not such a time. */
int gwlook_parse_time(const char *s, size_t n, double *out);

/* 0 for FATAL and ERROR, 1 for WARN, 2 for anything else (NULL too). */
int gwlook_level_rank(const char *level);

/* Whether line[0..n) holds id as a whole token: the bytes either side of it
 * are not [A-Za-z0-9_-], so "abc" is not found inside "xabc1". */
bool gwlook_has_id(const char *line, size_t n, const char *id);

/* How many of line[0..n)'s bytes to keep within max: all of them when they
 * fit, else max or fewer, never cutting a UTF-8 character. */
size_t gwlook_clip(const char *line, size_t n, size_t max);

struct gwlook_query {
    const char *id;     /* NULL or "": chase by time only */
    double time;        /* unix seconds of the failure; <= 0: by id only */
};

enum gwlook_why { GWLOOK_BY_ID, GWLOOK_BY_TIME };

struct gwlook_pick {
    size_t off, len;    /* the line in the buffer, without its newline */
    enum gwlook_why why;
    int rank;           /* gwlook_level_rank of its level */
    double time;        /* its own time, 0 when it has none */
};

/* Picks at most max (<= GWLOOK_MAX_PICKS) lines of buf[0..n): first the
 * newest lines holding the id (file order), then, in the room left, the
 * window's lines (not already picked) in display order; when the window
 * holds more than fits, errors and the lines nearest the failure stay.
 * The first line may be cut (a tail's offset): it counts only if it still
 * parses. Returns the number of picks, *by_id how many came by the id. */
int gwlook_select(const char *buf, size_t n, const struct gwlook_query *q,
                  struct gwlook_pick *out, int max, int *by_id);

#endif

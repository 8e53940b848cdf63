/* timeline: the lines of a cutover's timeline file (docs/timeline.md) as
 * pure helpers: a reader that turns a file's text into its header, samples,
 * events and end line, and the encoders the server's writer uses.
 *
 * Ownership: struct timeline owns every cJSON tree in it until
 * timeline_free(); the encoders return trees (or strings) the caller frees.
 * Pure: no I/O, time is always passed in. */
#ifndef CUTOVER_CORE_TIMELINE_H
#define CUTOVER_CORE_TIMELINE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/color.h"
#include "core/config.h"
#include "core/window.h"

#define TIMELINE_VERSION 1
#define TIMELINE_DIR "timelines"     /* under state_dir */
#define TIMELINE_ID_LEN 32           /* "cutover-YYYYMMDDTHHMMSSZ" and its NUL fit */

/* A parsed timeline file. Samples are sorted by "at", events by their
 * journal "time" (a stable sort: equal times keep the file's order). */
struct timeline {
    cJSON *header;       /* the "timeline" line; NULL when the file has none */
    cJSON **sample;      /* the "sample" lines, whole ({"type":"sample","at":...}) */
    size_t n_samples;
    cJSON **event;       /* the "event" lines, whole ({"type":"event","event":{...}}) */
    size_t n_events;
    cJSON *end;          /* the "end" line; NULL while the cutover is unfinished */
    int malformed;       /* lines skipped: not JSON, not an object, no known type,
                            a second header or end, a torn last line */
};

/* Parses a whole file's text (need not be NUL-terminated). Blank lines are
 * ignored; bad lines are counted, never fatal. Returns 0, or -1 with err on
 * out of memory or when not one line is a timeline line. out is always
 * safe to pass to timeline_free afterwards. */
int timeline_parse(const char *text, size_t len, struct timeline *out, char *err, size_t errlen);
void timeline_free(struct timeline *t);

/* When a line happened: a sample's or end's "at", an event's journal
 * "time", a header's "started"; 0 when it has none. */
double timeline_line_time(const cJSON *line);
/* An event line's journal event object ({"time","user","action",...}). */
const cJSON *timeline_event_body(const cJSON *event_line);

/* ---- encoders (the server's writer) ------------------------------------ */

/* "cutover-YYYYMMDDTHHMMSSZ" for a UTC start time. */
void timeline_id(double started, char out[TIMELINE_ID_LEN]);

/* The first line: {"type":"timeline","version":1,"id",...,"rules":{...}}. */
cJSON *timeline_header_json(const char *id, const char *host, double started, enum color stable,
                            enum color candidate, const struct config *cfg);

/* A sample from one of the server's snapshot objects ({"seq","at","weights",
 * ...,"signals","guards","series"}). NULL when the snapshot has no "at".
 * *sec gets the second the sample stands for (its row's "sec"). */
cJSON *timeline_sample_json(const cJSON *snapshot, int64_t *sec);

/* A sample made from history alone (pre-roll, or a second the server's tick
 * skipped): rows[c] is color c's closed second; weights, stable, candidate
 * and phase are copied from `like` (a sample or snapshot), when given.
 * flag names the kind ("preroll" or "filled") and is set true. */
cJSON *timeline_history_sample_json(const struct window_second rows[COLOR_COUNT],
                                    const cJSON *like, const char *flag);

/* An event line for a journal line as written ({"type":"event","event":LINE},
 * the line's bytes unchanged); NULL when line is not a JSON object. */
char *timeline_event_line(const char *line);

/* The same, marked where the line came from:
 * {"type":"event","event":LINE,"from":"journal"} for a line replayed from
 * the journal at a server's start (a move made while none ran). */
char *timeline_event_line_from(const char *line, const char *from);

/* {"type":"end","at":at,"outcome":outcome,"weights":weights}. */
cJSON *timeline_end_json(double at, const char *outcome, const cJSON *weights);

/* Does this journal event move or try to move traffic (and so, in an open
 * file, restart the post-roll)? shift, rollback, reload, auto-rollback and
 * override, any outcome. */
bool timeline_event_moves(const cJSON *journal_event);
/* Does this journal event start a cutover's file: a move that changed the
 * weights, or an override that went through (its forced step follows)?
 * A refusal or a rollback already at the stable color does not. */
bool timeline_event_opens(const cJSON *journal_event);
/* Was this a move that changed the weights (outcome "ok", "after" not
 * "before")? */
bool timeline_event_applied(const cJSON *journal_event);
/* Did this journal event bring all weight back to stable by a rollback? */
bool timeline_event_is_rollback(const cJSON *journal_event);

/* The color at 100 in a {"blue":N,"green":N} object, or COLOR_NONE. */
int timeline_weights_end(const cJSON *weights);
/* "complete", "rolled-back" or "abandoned" for weights at an end; NULL when
 * no color is at 100. */
const char *timeline_outcome(const cJSON *weights, enum color stable, enum color candidate,
                             bool rolled_back);

#endif

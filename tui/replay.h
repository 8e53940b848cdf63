/* replay: a cutover's timeline (docs/timeline.md) played back as the
 * messages a live server would have sent, so the console, its model and
 * every panel show what the operator saw then. The player keeps a clock in
 * the timeline's own time: replay_advance emits everything up to a moment,
 * in order (a snapshot per sample, an event message per journal event). */
#ifndef CUTOVER_TUI_REPLAY_H
#define CUTOVER_TUI_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

struct replay;

typedef void (*replay_emit_cb)(const char *line, size_t len, void *data);

/* Parses a timeline file's text. 0, or -1 with err (nothing to play). */
int replay_open(const char *text, size_t len, const char *name, struct replay **out, char *err,
                size_t errlen);
void replay_free(struct replay *r);

/* The first and last moments in the file (unix seconds). */
double replay_start(const struct replay *r);
double replay_end(const struct replay *r);
/* The moment played up to. */
double replay_now(const struct replay *r);
/* The timeline's id ("cutover-20261125T021500Z"), or the name given. */
const char *replay_name(const struct replay *r);
/* The host the cutover ran on (the header's), or "". */
const char *replay_host(const struct replay *r);
/* Lines the file had that could not be read (a torn last line). */
int replay_malformed(const struct replay *r);

/* Emits every sample and event after the current moment up to t (clamped
 * to the end) and moves there. Returns how many messages it emitted. */
int replay_advance(struct replay *r, double t, replay_emit_cb emit, void *data);
/* The time of the first journal event after the current moment, or a
 * negative number when none is left. */
double replay_next_event(const struct replay *r);
bool replay_done(const struct replay *r);

#endif

/* timeline_priv: the timeline writer's state, shared by the writer
 * (server/timeline.c: opening, samples, events, ends) and the folder it
 * writes into (server/timeline_dir.c: listing, trimming to keep_mb,
 * resuming after a restart). Not for other modules. */
#ifndef CUTOVER_RUNTIME_TIMELINE_PRIV_H
#define CUTOVER_RUNTIME_TIMELINE_PRIV_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/color.h"
#include "core/config.h"
#include "core/window.h"

#define RECENT_LINES 16

struct timeline_writer {
    const struct config *cfg;
    char dir[1024];
    char host[256];
    double opened_at;               /* journal lines older than this are history */
    const struct window *window;    /* the one the last second came with */
    cJSON *last;                    /* the last live sample, written or not */

    int fd;                         /* the open file; -1 when none */
    char path[1400];
    off_t size;                     /* bytes in the open file */
    off_t cap;                      /* past this the file goes on in a new one */
    double started;
    enum color stable, candidate;
    int64_t last_sec;               /* the newest second written; -1 none */
    double last_move_at;            /* the newest move's journal time */
    double end_since;               /* when the weights reached an end; 0 not there */
    bool rolled_back;               /* the last applied move was a rollback */
    int moved_to[COLOR_COUNT];      /* the weights the last applied move left */
    bool resumed;
    char **seen;                    /* a resumed file's events, to skip the journal's replay */
    size_t n_seen;
    int since_rotate;
    /* Journal lines while no file is open (take-control, preflight, a
     * refusal): the ones within the pre-roll go into the file it opens. */
    struct { double at; char *line; } recent[RECENT_LINES];
    int n_recent;
};

/* Removes the oldest files until the folder is within timeline.keep_mb
 * (never the open one). */
void timeline_dir_rotate(struct timeline_writer *t);
/* A server restarted mid-cutover goes on in the newest file without an
 * end: opens it for appending and takes up its state. */
void timeline_dir_resume(struct timeline_writer *t);
/* When the newest file's record stops: its last event's journal time or
 * its end line's, whichever is later; 0 without any file. */
double timeline_dir_recorded_until(const struct timeline_writer *t);

/* One journal line, as timeline_writer_event; from_journal marks a line
 * replayed from the journal at start (a move made while no server ran),
 * which history rules do not skip. */
void timeline_writer_event_from(struct timeline_writer *t, const char *line, bool from_journal);
/* At open: the journal's lines newer than the timelines' record and older
 * than this server, written as they would have been (runtime/timeline_replay.c). */
void timeline_replay_journal(struct timeline_writer *t);

/* The weights a move left (the post-roll's clock starts at an end): one
 * rule for moves as they come and for a resumed file's past ones. */
void timeline_writer_note_move(struct timeline_writer *t, const cJSON *ev, double at);

#endif

/* timeline: the server's record of every cutover, for replay and report.
 * One JSON-lines file per cutover in state_dir/timelines/ (format:
 * docs/timeline.md): a header, one sample per second (the snapshot's
 * weights, phase, signals, guards and the second's series row), and every
 * journal event as it is written. A file past keep_mb/4 (at least 1 MiB)
 * goes on in a new file, so a cutover parked mid-way for days stays in
 * bounded files; files past timeline.keep_mb in total are removed oldest
 * first.
 *
 * Ownership: timeline_writer_open keeps cfg (it must outlive the writer). */
#ifndef CUTOVER_RUNTIME_TIMELINE_WRITER_H
#define CUTOVER_RUNTIME_TIMELINE_WRITER_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include "core/config.h"
#include "core/window.h"

struct timeline_writer;

/* Returns 0, or -1 with msg (the server then runs without a timeline). */
int timeline_writer_open(const struct config *cfg, struct timeline_writer **out, char *msg, size_t msglen);
/* Each second: the snapshot object the clients got ({"seq", "at",
 * "weights", ...}) and the window behind it (for the pre-roll). */
void timeline_writer_second(struct timeline_writer *t, const cJSON *snapshot, const struct window *w);
/* Each journal line as it is written (one JSON object, no newline). */
void timeline_writer_event(struct timeline_writer *t, const char *line);
/* One file's size past which the cutover goes on in a new file (the old
 * one ends "continued", the new header names it in "continues"). bytes <= 0
 * sets the default, timeline.keep_mb / 4 and at least 1 MiB; a smaller cap
 * is for tests, and for an embedder that wants shorter parts. */
void timeline_writer_set_file_cap(struct timeline_writer *t, long long bytes);
void timeline_writer_close(struct timeline_writer *t);

#endif

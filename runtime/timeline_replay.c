/* timeline_replay: moves made while no server ran (a direct `cutover shift`
 * writes the journal, never the timeline) reach the timeline when the next
 * server starts. The journal lines newer than the newest file's record and
 * older than this server are written as they would have been, each marked
 * "from":"journal": a move opens a file, a cutover they finished ends after
 * its post-roll, so a report's steps and total time hold them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/timeline.h"
#include "runtime/statedir.h"
#include "runtime/timeline_priv.h"

/* How far back the journal is read: far more than the moves between two
 * server runs, and a bound on the time a start takes. */
#define REPLAY_BYTES (1024 * 1024)

/* The journal's last REPLAY_BYTES, from a line start; NULL when none. */
static char *journal_tail(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        off_t from = st.st_size > REPLAY_BYTES ? st.st_size - REPLAY_BYTES : 0;
        size_t want = (size_t)(st.st_size - from), got = 0;
        buf = malloc(want + 1);
        ssize_t r;
        while (buf && got < want &&
               ((r = pread(fd, buf + got, want - got, from + (off_t)got)) > 0 ||
                (r < 0 && errno == EINTR)))
            if (r > 0)
                got += (size_t)r;
        if (buf) {
            buf[got] = '\0';
            *len = got;
            if (from > 0) {   /* the first line is cut: start after it */
                char *nl = memchr(buf, '\n', got);
                size_t skip = nl ? (size_t)(nl - buf) + 1 : got;
                memmove(buf, buf + skip, got - skip + 1);
                *len = got - skip;
            }
        }
    }
    close(fd);
    return buf;
}

static double line_time(const char *line)
{
    cJSON *o = cJSON_Parse(line);
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(o, "time");
    double at = cJSON_IsNumber(tm) ? tm->valuedouble : -1;
    cJSON_Delete(o);
    return at;
}

void timeline_replay_journal(struct timeline_writer *t)
{
    char path[1100];
    size_t len = 0;
    statedir_path(t->cfg->state_dir, "journal.jsonl", path, sizeof path);
    char *text = journal_tail(path, &len);
    if (!text)
        return;
    double from = timeline_dir_recorded_until(t);
    /* Lines from a second before this server's start on are the journal
     * tail's (server/engine.c), read as they come. */
    double to = t->opened_at - 1;
    char *line = text;
    while (line < text + len) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;   /* a torn last line: a writer is mid-line, or was killed */
        *nl = '\0';
        double at = line_time(line);
        if (at > from && at < to)
            timeline_writer_event_from(t, line, true);
        line = nl + 1;
    }
    free(text);
}

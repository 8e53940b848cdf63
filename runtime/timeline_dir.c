/* timeline_dir: the timelines folder under state_dir: its files sorted by
 * start time, trimmed oldest first to timeline.keep_mb, and the newest
 * unfinished one resumed after a restart. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/timeline.h"
#include "runtime/timeline_priv.h"

/* ---- rotation ----------------------------------------------------------- */

struct tl_file {
    char name[256];
    off_t size;
};

static bool is_timeline_name(const char *n)
{
    size_t len = strlen(n);
    return strncmp(n, "cutover-", 8) == 0 && len > 14 && strcmp(n + len - 6, ".jsonl") == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct tl_file *)a)->name, ((const struct tl_file *)b)->name);
}

/* The folder's timeline files sorted by name, which is by start time. */
static struct tl_file *list_files(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct tl_file *f = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_timeline_name(de->d_name) || strlen(de->d_name) >= sizeof f->name)
            continue;
        char p[1400];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct tl_file *g = realloc(f, cap * sizeof *g);
            if (!g)
                break;
            f = g;
        }
        snprintf(f[*n].name, sizeof f[*n].name, "%s", de->d_name);
        f[(*n)++].size = st.st_size;
    }
    closedir(d);
    if (f)
        qsort(f, *n, sizeof *f, by_name);
    return f;
}

/* Every file counts toward keep_mb, the open one too (its size now); the
 * open one is never removed, but the cap keeps it small, so the parts of a
 * cutover that never ends go oldest first like any other file. */
void timeline_dir_rotate(struct timeline_writer *t)
{
    size_t n;
    struct tl_file *f = list_files(t->dir, &n);
    double total = 0, limit = (double)t->cfg->timeline.keep_mb * 1048576.0;
    for (size_t i = 0; i < n; i++)
        total += (double)f[i].size;
    for (size_t i = 0; i < n && total > limit; i++) {
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", t->dir, f[i].name);
        if (t->fd >= 0 && strcmp(p, t->path) == 0)
            continue;   /* never the open one */
        if (unlink(p) == 0)
            total -= (double)f[i].size;
    }
    free(f);
    t->since_rotate = 0;
}

/* ---- resuming after a restart ------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    int saved = 0;
    if (fstat(fd, &st) != 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL)
        saved = errno;
    if (buf) {
        size_t got = 0;
        ssize_t r;
        while (got < (size_t)st.st_size &&
               ((r = read(fd, buf + got, (size_t)st.st_size - got)) > 0 || (r < 0 && errno == EINTR)))
            if (r > 0)
                got += (size_t)r;
        *len = got;
    }
    close(fd);
    errno = saved;   /* the caller says why there is no text */
    return buf;
}

static void resume_state(struct timeline_writer *t, const struct timeline *tl)
{
    int cand = color_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tl->header, "candidate")));
    t->candidate = cand == COLOR_NONE ? COLOR_GREEN : (enum color)cand;
    t->stable = color_other(t->candidate);
    t->started = timeline_line_time(tl->header);
    t->last_sec = -1;
    t->last_move_at = t->started;
    for (size_t i = 0; i < tl->n_samples; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(tl->sample[i], "sec");
        if (cJSON_IsNumber(s) && (int64_t)s->valuedouble > t->last_sec)
            t->last_sec = (int64_t)s->valuedouble;
    }
    t->seen = calloc(tl->n_events ? tl->n_events : 1, sizeof *t->seen);
    for (size_t i = 0; i < tl->n_events; i++) {
        const cJSON *ev = timeline_event_body(tl->event[i]);
        if (t->seen)
            t->seen[t->n_seen++] = cJSON_PrintUnformatted(ev);
        if (timeline_event_moves(ev))
            timeline_writer_note_move(t, ev, timeline_line_time(tl->event[i]));
    }
}

void timeline_dir_resume(struct timeline_writer *t)
{
    size_t n, len = 0;
    struct tl_file *f = list_files(t->dir, &n);
    if (n > 0)
        snprintf(t->path, sizeof t->path, "%s/%s", t->dir, f[n - 1].name);
    free(f);
    if (n == 0)
        return;
    char *text = read_all(t->path, &len);
    /* Zeroed: a file that cannot be read (EACCES, EMFILE, ENOMEM) is never
     * parsed, and timeline_free below must then free nothing. */
    struct timeline tl = {0};
    char err[200];
    if (!text)
        fprintf(stderr, "cutover server: timeline: cannot read %s to resume it: %s (the next "
                        "move starts a new file)\n", t->path, strerror(errno));
    if (text && timeline_parse(text, len, &tl, err, sizeof err) == 0 && tl.header && !tl.end) {
        t->fd = open(t->path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (t->fd >= 0) {
            t->resumed = true;
            t->size = (off_t)len;
            resume_state(t, &tl);
            if (len > 0 && text[len - 1] != '\n') {
                /* end the torn line: it stays one malformed line, ours stay whole */
                ssize_t w = write(t->fd, "\n", 1);
                t->size += w > 0 ? w : 0;
            }
        }
    }
    if (t->fd < 0)
        t->path[0] = '\0';   /* not resumed: no file is ours */
    timeline_free(&tl);
    free(text);
}

/* ---- where the record stops --------------------------------------------- */

double timeline_dir_recorded_until(const struct timeline_writer *t)
{
    size_t n, len = 0;
    struct tl_file *f = list_files(t->dir, &n);
    char path[1400];
    if (n > 0)
        snprintf(path, sizeof path, "%s/%s", t->dir, f[n - 1].name);
    free(f);
    if (n == 0)
        return 0;
    char *text = read_all(path, &len);
    struct timeline tl = {0};
    char err[200];
    double until = 0;
    if (text && timeline_parse(text, len, &tl, err, sizeof err) == 0) {
        until = timeline_line_time(tl.header);
        if (tl.n_events)
            until = fmax(until, timeline_line_time(tl.event[tl.n_events - 1]));
        if (tl.end)
            until = fmax(until, timeline_line_time(tl.end));
    }
    timeline_free(&tl);
    free(text);
    return until;
}

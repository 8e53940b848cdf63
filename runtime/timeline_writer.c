/* timeline: writes the timeline files (docs/timeline.md). A file opens at
 * the first move that changes the weights while none is open, with a
 * pre-roll from the window's history; it gets one sample per second and
 * every journal line; it ends postroll_s after the weights reached an end
 * with no move since, or goes on in a new file past its size cap. */
#include "runtime/timeline_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/timeline.h"
#include "runtime/statedir.h"
#include "runtime/timeline_priv.h"

/* Seconds of a tick gap filled from history; a longer stall (a suspended
 * laptop) is left as a gap rather than written as minutes of zeros. */
#define FILL_MAX_S 300
/* How often (in samples) the total size is checked while a file grows. */
#define ROTATE_EVERY 300
/* The smallest default cap of one file (keep_mb/4 otherwise). */
#define FILE_CAP_MIN (1024 * 1024)

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- writing ------------------------------------------------------------ */

/* One write(2) of the whole line on an O_APPEND descriptor: a killed server
 * leaves whole lines, at worst a torn last one that readers skip. */
static int write_text(struct timeline_writer *t, const char *text)
{
    size_t n = strlen(text);
    char *buf = malloc(n + 2);
    if (!buf)
        return -1;
    memcpy(buf, text, n);
    buf[n] = '\n';
    ssize_t w;
    do
        w = write(t->fd, buf, n + 1);
    while (w < 0 && errno == EINTR);
    free(buf);
    if (w > 0)
        t->size += w;
    return w == (ssize_t)(n + 1) ? 0 : -1;
}

static int write_json(struct timeline_writer *t, const cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    if (!s)
        return -1;
    int rc = write_text(t, s);
    free(s);
    return rc;
}

static void forget_seen(struct timeline_writer *t)
{
    for (size_t i = 0; i < t->n_seen; i++)
        free(t->seen[i]);
    free(t->seen);
    t->seen = NULL;
    t->n_seen = 0;
}

static void close_file(struct timeline_writer *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    t->resumed = false;
    forget_seen(t);
}

/* ---- samples from history (pre-roll, gaps) ------------------------------ */

/* like: the sample whose weights, colors and phase the rows take. */
static void write_history(struct timeline_writer *t, int64_t from, int64_t to, const char *flag,
                          const cJSON *like)
{
    if (!t->window || to < from)
        return;
    int64_t first = window_history_first(t->window);
    if (first < 0)
        return;
    if (from < first)
        from = first;
    if (to < from)
        return;
    size_t cap = (size_t)(to - from + 1);
    struct window_second *rows[COLOR_COUNT];
    size_t n[COLOR_COUNT];
    for (int c = 0; c < COLOR_COUNT; c++) {
        rows[c] = calloc(cap, sizeof *rows[c]);
        n[c] = rows[c] ? window_history(t->window, (enum color)c, from, to, rows[c], cap) : 0;
    }
    for (size_t i = 0; i < n[0] && i < n[1]; i++) {
        struct window_second pair[COLOR_COUNT] = {rows[0][i], rows[1][i]};
        if (pair[0].sec != pair[1].sec || pair[0].sec <= t->last_sec)
            continue;
        cJSON *s = timeline_history_sample_json(pair, like, flag);
        if (write_json(t, s) == 0)
            t->last_sec = pair[0].sec;
        cJSON_Delete(s);
    }
    for (int c = 0; c < COLOR_COUNT; c++)
        free(rows[c]);
}

/* ---- opening ------------------------------------------------------------ */

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void pick_colors(struct timeline_writer *t, const cJSON *ev)
{
    int cand = color_parse(str_item(ev, "candidate"));
    if (cand == COLOR_NONE)
        cand = color_parse(str_item(t->last, "candidate"));
    if (cand == COLOR_NONE)
        cand = COLOR_GREEN;
    t->candidate = (enum color)cand;
    t->stable = color_other(t->candidate);
}

static int create_file(struct timeline_writer *t, double started, char id[TIMELINE_ID_LEN])
{
    /* Same-second names only when a cutover ends and the next starts within a
     * second (postroll_s 0): the next free second keeps names sortable. */
    for (int i = 0; i < 10; i++) {
        timeline_id(started + i, id);
        snprintf(t->path, sizeof t->path, "%s/%s.jsonl", t->dir, id);
        t->fd = open(t->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (t->fd >= 0 || errno != EEXIST)
            break;
    }
    return t->fd >= 0 ? 0 : -1;
}

static void forget_recent(struct timeline_writer *t)
{
    for (int i = 0; i < t->n_recent; i++)
        free(t->recent[i].line);
    t->n_recent = 0;
}

/* Keeps the newest RECENT_LINES, oldest first. */
static void keep_recent(struct timeline_writer *t, const char *line, double at)
{
    char *copy = strdup(line);
    if (!copy)
        return;
    if (t->n_recent == RECENT_LINES) {
        free(t->recent[0].line);
        memmove(&t->recent[0], &t->recent[1], (RECENT_LINES - 1) * sizeof t->recent[0]);
        t->n_recent--;
    }
    t->recent[t->n_recent].at = at;
    t->recent[t->n_recent++].line = copy;
}

/* What led up to the first move, as far back as the pre-roll reaches. */
static void write_recent(struct timeline_writer *t, double at)
{
    for (int i = 0; i < t->n_recent; i++) {
        if (t->recent[i].at < at - t->cfg->timeline.preroll_s)
            continue;
        char *el = timeline_event_line(t->recent[i].line);
        if (el)
            write_text(t, el);
        free(el);
    }
    forget_recent(t);
}

static int open_new(struct timeline_writer *t, const cJSON *ev, double at)
{
    char id[TIMELINE_ID_LEN];
    if (create_file(t, at, id) != 0) {
        fprintf(stderr, "cutover server: timeline: cannot create %s: %s\n", t->path, strerror(errno));
        return -1;
    }
    pick_colors(t, ev);
    t->size = 0;
    t->started = at;
    t->last_sec = -1;
    t->last_move_at = at;
    t->end_since = 0;
    t->rolled_back = false;
    cJSON *h = timeline_header_json(id, t->host, at, t->stable, t->candidate, t->cfg);
    write_json(t, h);
    cJSON_Delete(h);
    int pre = t->cfg->timeline.preroll_s;
    if (pre > 0) {
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(t->last, "sec");
        /* the history before the last live second, then that second whole */
        int64_t to = cJSON_IsNumber(sec) ? (int64_t)sec->valuedouble - 1
                     : t->window ? window_history_last(t->window) : -1;
        int64_t from = to - pre + (t->last ? 2 : 1);
        /* The mover writes the upstream file before nginx -t and the reload,
         * and journals the move after: the last live sample may already show
         * the new weights, so the history takes the event's "before". */
        cJSON *like = t->last ? cJSON_Duplicate(t->last, 1) : NULL;
        const cJSON *before = cJSON_GetObjectItemCaseSensitive(ev, "before");
        if (like && cJSON_IsObject(before))
            cJSON_ReplaceItemInObjectCaseSensitive(like, "weights", cJSON_Duplicate(before, 1));
        write_history(t, from, to, "preroll", like);
        cJSON_Delete(like);
        if (t->last && write_json(t, t->last) == 0 && cJSON_IsNumber(sec))
            t->last_sec = (int64_t)sec->valuedouble;
    }
    write_recent(t, at);
    timeline_dir_rotate(t);
    return 0;
}

/* ---- the API ------------------------------------------------------------ */

int timeline_writer_open(const struct config *cfg, struct timeline_writer **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (!cfg->state_dir) {
        snprintf(msg, msglen, "no state_dir");
        return -1;
    }
    struct timeline_writer *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    t->cfg = cfg;
    t->fd = -1;
    t->last_sec = -1;
    timeline_writer_set_file_cap(t, 0);
    t->opened_at = wall_now();
    statedir_path(cfg->state_dir, TIMELINE_DIR, t->dir, sizeof t->dir);
    if (statedir_prepare(t->dir, msg, msglen) != 0) {
        free(t);
        return -1;
    }
    if (gethostname(t->host, sizeof t->host) != 0)
        snprintf(t->host, sizeof t->host, "unknown");
    t->host[sizeof t->host - 1] = '\0';
    timeline_dir_resume(t);
    timeline_replay_journal(t);
    timeline_dir_rotate(t);
    *out = t;
    return 0;
}

/* The open file's id: its name without ".jsonl". */
static void open_id(const struct timeline_writer *t, char id[TIMELINE_ID_LEN])
{
    const char *slash = strrchr(t->path, '/');
    const char *name = slash ? slash + 1 : t->path;
    size_t n = strcspn(name, ".");
    snprintf(id, TIMELINE_ID_LEN, "%.*s", (int)(n < TIMELINE_ID_LEN ? n : TIMELINE_ID_LEN - 1), name);
}

/* A cutover parked mid-way (50/50 overnight) never reaches an end, and
 * rotation never removes the open file: past the cap the file ends
 * "continued" and the cutover goes on in a new file whose header names it,
 * so keep_mb bounds the folder and a reader never parses a file without
 * limit. No pre-roll: the previous file holds those seconds. */
static void continue_file(struct timeline_writer *t, const cJSON *sample)
{
    char prev[TIMELINE_ID_LEN], id[TIMELINE_ID_LEN];
    double at = timeline_line_time(sample);
    open_id(t, prev);
    cJSON *e = timeline_end_json(at, "continued", cJSON_GetObjectItemCaseSensitive(sample, "weights"));
    write_json(t, e);
    cJSON_Delete(e);
    close_file(t);
    if (create_file(t, at, id) != 0) {
        fprintf(stderr, "cutover server: timeline: cannot create %s to continue %s: %s\n", t->path,
                prev, strerror(errno));
        return;
    }
    t->size = 0;
    cJSON *h = timeline_header_json(id, t->host, at, t->stable, t->candidate, t->cfg);
    cJSON_AddStringToObject(h, "continues", prev);
    write_json(t, h);
    cJSON_Delete(h);
    timeline_dir_rotate(t);
}

static void maybe_end(struct timeline_writer *t, const cJSON *sample)
{
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(sample, "weights");
    double at = timeline_line_time(sample);
    const char *outcome = timeline_outcome(weights, t->stable, t->candidate, t->rolled_back);
    if (!outcome) {
        t->end_since = 0;
        return;
    }
    if (t->end_since == 0)
        t->end_since = at;
    double since = t->end_since > t->last_move_at ? t->end_since : t->last_move_at;
    if (at - since < t->cfg->timeline.postroll_s - 1e-6)   /* 1e-6: float sums of whole seconds */
        return;
    cJSON *e = timeline_end_json(at, outcome, weights);
    write_json(t, e);
    cJSON_Delete(e);
    close_file(t);
}

void timeline_writer_second(struct timeline_writer *t, const cJSON *snapshot, const struct window *w)
{
    int64_t sec;
    t->window = w;
    cJSON *s = timeline_sample_json(snapshot, &sec);
    if (!s)
        return;
    cJSON_Delete(t->last);
    t->last = s;
    if (t->fd < 0)
        return;
    if (t->size >= t->cap)
        continue_file(t, s);
    if (t->fd < 0)
        return;
    /* A late tick skips a second: its row is in the history. */
    if (t->last_sec >= 0 && sec > t->last_sec + 1 && sec - t->last_sec <= FILL_MAX_S)
        write_history(t, t->last_sec + 1, sec - 1, "filled", t->last);
    if (sec > t->last_sec && write_json(t, s) == 0)
        t->last_sec = sec;
    if (++t->since_rotate >= ROTATE_EVERY)
        timeline_dir_rotate(t);
    maybe_end(t, s);
}

static bool seen_before(struct timeline_writer *t, const cJSON *ev)
{
    if (!t->resumed || !t->n_seen)
        return false;
    char *s = cJSON_PrintUnformatted(ev);
    bool found = false;
    for (size_t i = 0; s && i < t->n_seen && !found; i++)
        found = t->seen[i] && strcmp(s, t->seen[i]) == 0;
    free(s);
    return found;
}

/* The weights a move left, for an end decided by the journal's times. */
void timeline_writer_note_move(struct timeline_writer *t, const cJSON *ev, double at)
{
    t->last_move_at = at;
    t->end_since = 0;
    if (!timeline_event_applied(ev))
        return;
    t->rolled_back = timeline_event_is_rollback(ev);
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(ev, "after");
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(after, color_name((enum color)c));
        t->moved_to[c] = cJSON_IsNumber(v) ? (int)v->valuedouble : -1;
    }
    /* at an end from the move on: the same as the next sample would say,
     * since the post-roll counts from the later of the two */
    if (t->moved_to[COLOR_BLUE] == 100 || t->moved_to[COLOR_GREEN] == 100)
        t->end_since = at;
}

/* Replayed moves have no samples between them: a cutover they finished
 * ends postroll_s after it reached its end, before the next one opens. */
static void end_by_event_time(struct timeline_writer *t, double at)
{
    if (t->fd < 0 || t->end_since <= 0)
        return;
    double since = t->end_since > t->last_move_at ? t->end_since : t->last_move_at;
    if (at - since < t->cfg->timeline.postroll_s)
        return;
    cJSON *w = cJSON_CreateObject();
    for (int c = 0; c < COLOR_COUNT; c++)
        cJSON_AddNumberToObject(w, color_name((enum color)c), t->moved_to[c]);
    const char *outcome = timeline_outcome(w, t->stable, t->candidate, t->rolled_back);
    if (outcome) {
        cJSON *e = timeline_end_json(since + t->cfg->timeline.postroll_s, outcome, w);
        write_json(t, e);
        cJSON_Delete(e);
        close_file(t);
    }
    cJSON_Delete(w);
}

static void remember_seen(struct timeline_writer *t, const cJSON *ev)
{
    char **g = realloc(t->seen, (t->n_seen + 1) * sizeof *g);
    if (!g)
        return;
    t->seen = g;
    t->seen[t->n_seen] = cJSON_PrintUnformatted(ev);
    if (t->seen[t->n_seen])
        t->n_seen++;
}

void timeline_writer_event_from(struct timeline_writer *t, const char *line, bool from_journal)
{
    cJSON *ev = cJSON_Parse(line);
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(ev, "time");
    if (!cJSON_IsObject(ev) || !cJSON_IsNumber(tm)) {
        cJSON_Delete(ev);
        return;
    }
    double at = tm->valuedouble;
    bool moves = timeline_event_moves(ev);
    if (from_journal)
        end_by_event_time(t, at);
    /* The journal tail replays the file's end at start: those lines are
     * history, or already in a resumed file (the replay from the journal
     * wrote the ones that were missing). */
    double oldest = from_journal ? 0 : t->resumed ? t->started : t->opened_at - 1;
    /* Only a real move opens a file: a refusal or a rollback at 100/0 would
     * make a file that ends "abandoned" and hides the last real cutover
     * from `latest`. An open file records refusals too. */
    bool opens = timeline_event_opens(ev);
    if (at >= oldest && t->fd < 0 && !opens && !seen_before(t, ev))
        keep_recent(t, line, at);
    if (at < oldest || seen_before(t, ev) || (t->fd < 0 && (!opens || open_new(t, ev, at) != 0))) {
        cJSON_Delete(ev);
        return;
    }
    char *el = from_journal ? timeline_event_line_from(line, "journal") : timeline_event_line(line);
    if (el)
        write_text(t, el);
    free(el);
    if (from_journal && t->resumed)
        remember_seen(t, ev);   /* the tail delivers it again */
    if (moves)
        timeline_writer_note_move(t, ev, at);
    cJSON_Delete(ev);
}

void timeline_writer_event(struct timeline_writer *t, const char *line)
{
    timeline_writer_event_from(t, line, false);
}

void timeline_writer_set_file_cap(struct timeline_writer *t, long long bytes)
{
    if (bytes > 0) {
        t->cap = (off_t)bytes;
        return;
    }
    long long quarter = (long long)t->cfg->timeline.keep_mb * 1048576LL / 4;
    t->cap = (off_t)(quarter > FILE_CAP_MIN ? quarter : FILE_CAP_MIN);
}

void timeline_writer_close(struct timeline_writer *t)
{
    if (!t)
        return;
    close_file(t);
    forget_recent(t);
    cJSON_Delete(t->last);
    free(t);
}

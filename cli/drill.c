/* drill: a scenario driven on the sandbox's loop (see drill.h). */
#include "cli/drill.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backends/atomicfile.h"
#include "cli/datadir.h"
#include "core/config.h"
#include "core/journal.h"
#include "core/scenario.h"
#include "core/upstream.h"
#include "runtime/statedir.h"

#define TICK_MS 500
#define MAX_FILE (256 * 1024)

/* One `cutover-sim ctl ADDR set K=V...` waiting its turn. */
struct ctl_job {
    struct ctl_job *next;
    enum color color;
    struct scenario_set set;
};

struct drill {
    struct scenario *scn;
    char name[128];
    uv_loop_t *loop;
    const struct sandbox *sb;
    char upstream_name[128];
    uv_timer_t timer;
    bool timer_open;
    uint64_t started_ms;
    enum color candidate;
    int weight[COLOR_COUNT];
    struct ctl_job *queue, *running;
    uv_process_t proc;
    drill_ready_fn ready;
    void *ready_arg;
    bool stopping;
};

/* ---- finding and loading a scenario ---- */

/* An uninstalled build reads the source tree's scenarios; an installed
 * binary reads pkgdatadir's (cli/datadir). */
static void scenario_dir(char *out, size_t len)
{
    datadir_path("scenarios", out, len);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "good, slow-green, ..." from the folder, sorted. */
static void list_names(const char *dir, char *out, size_t len)
{
    char *names[64];
    int n = 0;
    DIR *d = opendir(dir);
    out[0] = '\0';
    for (struct dirent *e; d && n < 64 && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 9 && strcmp(e->d_name + l - 9, ".scenario") == 0 && (names[n] = strdup(e->d_name)))
            names[n++][l - 9] = '\0';
    }
    if (d)
        closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
}

/* A scenario or the upstream file, whole; bounded, as both are small. */
static char *read_text(const char *path, char *msg, size_t msglen)
{
    char *text = NULL;
    size_t len = 0;
    if (atomicfile_read(path, &text, &len, msg, msglen) != 0)
        return NULL;
    if (len > MAX_FILE) {
        snprintf(msg, msglen, "%s: larger than 256 KiB", path);
        free(text);
        return NULL;
    }
    return text;
}

static bool is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 9 && strcmp(s + n - 9, ".scenario") == 0);
}

/* The name shown in the banner and the notes: the file name, no suffix. */
static void base_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);
    if (n > 9 && strcmp(base + n - 9, ".scenario") == 0)
        n -= 9;
    if (n >= len)
        n = len - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

int drill_load(const char *name_or_path, struct drill **out, char *msg, size_t msglen)
{
    char dir[PATH_MAX], path[PATH_MAX + 300];
    scenario_dir(dir, sizeof dir);
    if (is_path(name_or_path)) {
        snprintf(path, sizeof path, "%s", name_or_path);
    } else {
        snprintf(path, sizeof path, "%s/%s.scenario", dir, name_or_path);
        if (access(path, R_OK) != 0) {
            char names[1024];
            list_names(dir, names, sizeof names);
            snprintf(msg, msglen, "no scenario '%s' in %s (available: %s; or give the path of "
                     "a .scenario file)", name_or_path, dir, names[0] ? names : "none");
            return -1;
        }
    }
    char *text = read_text(path, msg, msglen);
    if (!text)
        return -1;
    struct drill *d = calloc(1, sizeof *d);
    int rc = d ? scenario_parse(text, path, &d->scn, msg, msglen) : -1;
    if (!d)
        snprintf(msg, msglen, "out of memory");
    free(text);
    if (rc != 0) {
        free(d);
        return -1;
    }
    base_name(path, d->name, sizeof d->name);
    *out = d;
    return 0;
}

const char *drill_name(const struct drill *d)
{
    return d->name;
}

const char *drill_summary(const struct drill *d)
{
    return scenario_summary(d->scn);
}

/* ---- running it ---- */

/* The weights nginx has now; the last ones read stay when the file cannot
 * be read (it is replaced by rename, so that is rare and brief). */
static void read_weights(struct drill *d)
{
    char msg[256];
    char *text = read_text(d->sb->upstream_file, msg, sizeof msg);
    const char *addr[COLOR_COUNT] = {d->sb->color_addr[COLOR_BLUE], d->sb->color_addr[COLOR_GREEN]};
    int w[COLOR_COUNT];
    if (text && upstream_parse(text, d->upstream_name, addr, w, msg, sizeof msg) == 0)
        memcpy(d->weight, w, sizeof w);
    free(text);
}

static enum color resolve(const struct drill *d, enum scenario_target t)
{
    switch (t) {
    case SCENARIO_BLUE:
        return COLOR_BLUE;
    case SCENARIO_GREEN:
        return COLOR_GREEN;
    case SCENARIO_CANDIDATE:
        return d->candidate;
    case SCENARIO_STABLE:
        break;
    }
    return color_other(d->candidate);
}

static void set_text(const struct drill *d, const struct scenario_set *s, char *out, size_t len)
{
    size_t used = (size_t)snprintf(out, len, "%s", color_name(resolve(d, s->target)));
    for (int i = 0; i < s->npairs && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, " %s", s->pair[i]);
}

static void run_next(struct drill *d);

static void on_proc_closed(uv_handle_t *h)
{
    struct drill *d = h->data;
    free(d->running);
    d->running = NULL;
    run_next(d);
}

static void on_proc_exit(uv_process_t *p, int64_t status, int term_signal)
{
    struct drill *d = p->data;
    if ((status != 0 || term_signal != 0) && !d->stopping) {
        char what[512];
        set_text(d, &d->running->set, what, sizeof what);
        fprintf(stderr, "cutover demo: drill: could not set %s (cutover-sim ctl: status %lld, "
                        "signal %d; see %s/drill.out)\n", what, (long long)status, term_signal,
                d->sb->dir);
    }
    uv_close((uv_handle_t *)p, on_proc_closed);
}

static void spawn_job(struct drill *d, struct ctl_job *job)
{
    char out[700];
    snprintf(out, sizeof out, "%s/drill.out", d->sb->dir);
    int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    char *argv[SCENARIO_MAX_PAIRS + 5] = {(char *)d->sb->sim_bin, "ctl",
                                         (char *)d->sb->ctl_addr[job->color], "set"};
    for (int i = 0; i < job->set.npairs; i++)
        argv[4 + i] = job->set.pair[i];
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        {.flags = fd >= 0 ? UV_INHERIT_FD : UV_IGNORE, .data.fd = fd},
        {.flags = fd >= 0 ? UV_INHERIT_FD : UV_IGNORE, .data.fd = fd},
    };
    uv_process_options_t opt = {.file = argv[0], .args = argv, .exit_cb = on_proc_exit,
                                .stdio_count = 3, .stdio = stdio};
    d->running = job;
    d->proc.data = d;
    int rc = uv_spawn(d->loop, &d->proc, &opt);
    if (fd >= 0)
        close(fd);
    if (rc != 0) {
        fprintf(stderr, "cutover demo: drill: cannot run %s: %s\n", argv[0], uv_strerror(rc));
        uv_close((uv_handle_t *)&d->proc, on_proc_closed); /* libuv wants it closed even so */
    }
}

/* One ctl call at a time, so two rules setting the same key land in order.
 * The first time the queue runs dry the start rules have been applied. */
static void run_next(struct drill *d)
{
    if (d->running)
        return;
    struct ctl_job *job = d->queue;
    if (job && !d->stopping) {
        d->queue = job->next;
        spawn_job(d, job);
        return;
    }
    if (d->ready) {
        drill_ready_fn ready = d->ready;
        d->ready = NULL;
        ready(d->ready_arg);
    }
}

static void enqueue(struct drill *d, const struct scenario_set *set)
{
    struct ctl_job *job = calloc(1, sizeof *job), **tail = &d->queue;
    if (!job) {
        fprintf(stderr, "cutover demo: drill: out of memory\n");
        return;
    }
    job->color = resolve(d, set->target);
    job->set = *set;
    while (*tail)
        tail = &(*tail)->next;
    *tail = job;
}

/* The trainer's record: one JSON line per rule fired, settings included
 * (the trainee's screen shows only the text). */
static void write_note(const struct drill *d, const struct scenario_fire *f)
{
    char path[700], what[512];
    snprintf(path, sizeof path, "%s/drill.jsonl", d->sb->dir);
    cJSON *o = cJSON_CreateObject(), *sets = cJSON_CreateArray(), *w = cJSON_CreateObject();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cJSON_AddNumberToObject(o, "time", (double)ts.tv_sec + ts.tv_nsec / 1e9);
    cJSON_AddNumberToObject(o, "elapsed", f->elapsed);
    cJSON_AddStringToObject(o, "scenario", d->name);
    cJSON_AddStringToObject(o, "rule", f->rule);
    if (f->say)
        cJSON_AddStringToObject(o, "say", f->say);
    for (int i = 0; i < f->nsets; i++) {
        set_text(d, &f->sets[i], what, sizeof what);
        cJSON_AddItemToArray(sets, cJSON_CreateString(what));
    }
    cJSON_AddItemToObject(o, "set", sets);
    for (int c = 0; c < COLOR_COUNT; c++)
        cJSON_AddNumberToObject(w, color_name((enum color)c), d->weight[c]);
    cJSON_AddItemToObject(o, "weights", w);
    char *line = cJSON_PrintUnformatted(o);
    FILE *out = line ? fopen(path, "a") : NULL;
    if (out) {
        fprintf(out, "%s\n", line);
        fclose(out);
    }
    free(line);
    cJSON_Delete(o);
}

/* The trainee's record: the text goes into the journal as a "drill" event,
 * so the console's events, a recording's markers and the server's timeline
 * (and so replay and report) show what the scenario did beside what the
 * trainee did. */
static void journal_note(const struct drill *d, const char *text)
{
    char state[700], msg[256], user[144];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(state, sizeof state, "%s/state", d->sb->dir);
    snprintf(user, sizeof user, "drill %s", d->name);
    struct journal_event ev = {.time = (double)ts.tv_sec + ts.tv_nsec / 1e9, .user = user,
                               .action = "drill", .outcome = "note", .error = (char *)text,
                               .candidate = (char *)color_name(d->candidate)};
    for (int c = 0; c < COLOR_COUNT; c++)
        ev.before[c] = ev.after[c] = d->weight[c];
    if (statedir_journal_append(state, &ev, msg, sizeof msg) != 0)
        fprintf(stderr, "drill %s: journal: %s\n", d->name, msg);
}

static void on_fire(void *arg, const struct scenario_fire *f)
{
    struct drill *d = arg;
    for (int i = 0; i < f->nsets; i++)
        enqueue(d, &f->sets[i]);
    if (f->say) {
        fprintf(stderr, "drill %s +%.0fs: %s\n", d->name, f->elapsed, f->say);
        journal_note(d, f->say);
    }
    write_note(d, f);
}

static void tick(struct drill *d)
{
    read_weights(d);
    double elapsed = (double)(uv_now(d->loop) - d->started_ms) / 1000.0;
    scenario_tick(d->scn, elapsed, d->weight[d->candidate], on_fire, d);
    run_next(d);
}

static void on_tick(uv_timer_t *t)
{
    tick(t->data);
}

void drill_start(struct drill *d, uv_loop_t *loop, const struct sandbox *sb, drill_ready_fn ready,
                 void *arg)
{
    struct config *cfg = config_new_defaults();
    snprintf(d->upstream_name, sizeof d->upstream_name, "%s",
             cfg ? cfg->nginx.upstream_name : "openclaw_gateway");
    config_free(cfg);
    d->loop = loop;
    d->sb = sb;
    d->ready = ready;
    d->ready_arg = arg;
    d->weight[COLOR_BLUE] = 100;
    read_weights(d);
    /* The candidate is the color with less weight when the drill starts
     * (green on a fresh sandbox); never assumed. */
    d->candidate = d->weight[COLOR_GREEN] <= d->weight[COLOR_BLUE] ? COLOR_GREEN : COLOR_BLUE;
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    d->timer_open = true;
    d->started_ms = uv_now(loop);
    tick(d);
    uv_timer_start(&d->timer, on_tick, TICK_MS, TICK_MS);
}

void drill_stop(struct drill *d)
{
    if (!d || d->stopping)
        return;
    d->stopping = true;
    d->ready = NULL;
    /* A ctl call still running would keep the demo's loop alive: a sim that
     * stopped answering must not hold the demo's exit. */
    if (d->running && !uv_is_closing((uv_handle_t *)&d->proc))
        uv_process_kill(&d->proc, SIGTERM);
    if (d->timer_open)
        uv_close((uv_handle_t *)&d->timer, NULL);
    d->timer_open = false;
}

void drill_free(struct drill *d)
{
    if (!d)
        return;
    while (d->queue) {
        struct ctl_job *next = d->queue->next;
        free(d->queue);
        d->queue = next;
    }
    free(d->running);
    scenario_free(d->scn);
    free(d);
}

void drill_print_debrief(const char *dir, FILE *out)
{
    char path[700], line[4096];
    snprintf(path, sizeof path, "%s/drill.jsonl", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(out, "drill debrief (what the scenario did, and when):\n");
    while (fgets(line, sizeof line, f)) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *el = cJSON_GetObjectItemCaseSensitive(o, "elapsed");
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(o, "rule");
        const cJSON *say = cJSON_GetObjectItemCaseSensitive(o, "say");
        const cJSON *sets = cJSON_GetObjectItemCaseSensitive(o, "set"), *s;
        if (cJSON_IsNumber(el) && cJSON_IsString(rule)) {
            fprintf(out, "  +%4.0fs %s:", el->valuedouble, rule->valuestring);
            cJSON_ArrayForEach(s, sets)
                if (cJSON_IsString(s))
                    fprintf(out, " [%s]", s->valuestring);
            fprintf(out, "%s%s\n", cJSON_IsString(say) ? " " : "",
                    cJSON_IsString(say) ? say->valuestring : "");
        }
        cJSON_Delete(o);
    }
    fclose(f);
}

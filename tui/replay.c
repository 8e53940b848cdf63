/* replay: timeline lines -> the server's message shapes, in time order. */
#include "tui/replay.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeline.h"

#define RECENT_EVENTS 20        /* what a live snapshot carries (the engine keeps 20) */

struct replay {
    struct timeline tl;
    size_t next_sample, next_event;
    double start, end, now;
    long long seq;
    cJSON *recent;              /* the newest journal events, oldest first */
    char name[128];
};

static double sample_time(const struct replay *r, size_t i)
{
    return timeline_line_time(r->tl.sample[i]);
}

static double event_time(const struct replay *r, size_t i)
{
    return timeline_line_time(r->tl.event[i]);
}

static void find_bounds(struct replay *r)
{
    r->start = r->tl.n_samples ? sample_time(r, 0) : 0;
    r->end = r->tl.n_samples ? sample_time(r, r->tl.n_samples - 1) : 0;
    if (r->tl.n_events) {
        double first = event_time(r, 0), last = event_time(r, r->tl.n_events - 1);
        if (!r->tl.n_samples || first < r->start)
            r->start = first;
        if (last > r->end)
            r->end = last;
    }
    if (r->tl.end && timeline_line_time(r->tl.end) > r->end)
        r->end = timeline_line_time(r->tl.end);
}

int replay_open(const char *text, size_t len, const char *name, struct replay **out, char *err,
                size_t errlen)
{
    *out = NULL;
    struct replay *r = calloc(1, sizeof *r);
    if (!r || !(r->recent = cJSON_CreateArray())) {
        free(r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (timeline_parse(text, len, &r->tl, err, errlen) != 0) {
        replay_free(r);
        return -1;
    }
    if (r->tl.n_samples == 0 && r->tl.n_events == 0) {
        snprintf(err, errlen, "no samples and no events to play");
        replay_free(r);
        return -1;
    }
    const cJSON *id = r->tl.header ? cJSON_GetObjectItemCaseSensitive(r->tl.header, "id") : NULL;
    snprintf(r->name, sizeof r->name, "%s",
             cJSON_IsString(id) ? id->valuestring : name ? name : "timeline");
    find_bounds(r);
    r->now = r->start - 1;      /* nothing played yet */
    *out = r;
    return 0;
}

void replay_free(struct replay *r)
{
    if (!r)
        return;
    timeline_free(&r->tl);
    cJSON_Delete(r->recent);
    free(r);
}

double replay_start(const struct replay *r) { return r->start; }
double replay_end(const struct replay *r) { return r->end; }
double replay_now(const struct replay *r) { return r->now < r->start ? r->start : r->now; }
const char *replay_name(const struct replay *r) { return r->name; }

const char *replay_host(const struct replay *r)
{
    const cJSON *h = r->tl.header ? cJSON_GetObjectItemCaseSensitive(r->tl.header, "host") : NULL;
    return cJSON_IsString(h) ? h->valuestring : "";
}
int replay_malformed(const struct replay *r) { return r->tl.malformed; }
bool replay_done(const struct replay *r) { return r->now >= r->end; }

static void emit_json(cJSON *o, replay_emit_cb emit, void *data)
{
    char *line = cJSON_PrintUnformatted(o);
    if (line)
        emit(line, strlen(line), data);
    free(line);
}

static void play_event(struct replay *r, const cJSON *line, replay_emit_cb emit, void *data)
{
    const cJSON *body = timeline_event_body(line);
    if (!body)
        return;
    cJSON_AddItemToArray(r->recent, cJSON_Duplicate(body, true));
    if (cJSON_GetArraySize(r->recent) > RECENT_EVENTS)
        cJSON_DeleteItemFromArray(r->recent, 0);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "event", cJSON_Duplicate(body, true));
    emit_json(o, emit, data);
    cJSON_Delete(o);
}

/* The row becomes a one-second series: the model merges it into its own
 * history exactly as it merges a live snapshot's. */
static void add_series(cJSON *s, const cJSON *row)
{
    cJSON *series = cJSON_AddObjectToObject(s, "series");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(row, "fields");
    const cJSON *first = NULL;
    if (fields)
        cJSON_AddItemToObject(series, "fields", cJSON_Duplicate(fields, true));
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *cells = cJSON_GetObjectItemCaseSensitive(row, color_name((enum color)c));
        cJSON *rows = cJSON_AddArrayToObject(series, color_name((enum color)c));
        if (cJSON_IsArray(cells)) {
            cJSON_AddItemToArray(rows, cJSON_Duplicate(cells, true));
            first = first ? first : cJSON_GetArrayItem(cells, 0);
        }
    }
    if (cJSON_IsNumber(first))
        cJSON_AddNumberToObject(series, "from", first->valuedouble);
}

static void play_sample(struct replay *r, const cJSON *sample, replay_emit_cb emit, void *data)
{
    cJSON *s = cJSON_Duplicate(sample, true);
    if (!s)
        return;
    static const char *const not_snapshot[] = {"type", "row", "preroll", "filled", "sec"};
    for (size_t i = 0; i < sizeof not_snapshot / sizeof not_snapshot[0]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(s, not_snapshot[i]);
    cJSON_AddNumberToObject(s, "seq", (double)++r->seq);
    cJSON *ctl = cJSON_AddObjectToObject(s, "control");
    cJSON_AddStringToObject(ctl, "state", "free");
    cJSON_AddStringToObject(ctl, "text", "replay: nobody can move anything");
    cJSON_AddNumberToObject(s, "clients", 0);
    const cJSON *row = cJSON_GetObjectItemCaseSensitive(sample, "row");
    if (cJSON_IsObject(row))
        add_series(s, row);
    cJSON_AddItemToObject(s, "events", cJSON_Duplicate(r->recent, true));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "snapshot", s);
    emit_json(o, emit, data);
    cJSON_Delete(o);
}

int replay_advance(struct replay *r, double t, replay_emit_cb emit, void *data)
{
    if (t > r->end)
        t = r->end;
    int n = 0;
    for (;;) {
        bool have_s = r->next_sample < r->tl.n_samples && sample_time(r, r->next_sample) <= t;
        bool have_e = r->next_event < r->tl.n_events && event_time(r, r->next_event) <= t;
        if (!have_s && !have_e)
            break;
        /* At the same moment the event first: the snapshot then shows it. */
        if (have_e && (!have_s || event_time(r, r->next_event) <= sample_time(r, r->next_sample)))
            play_event(r, r->tl.event[r->next_event++], emit, data);
        else
            play_sample(r, r->tl.sample[r->next_sample++], emit, data);
        n++;
    }
    if (t > r->now)
        r->now = t;
    return n;
}

double replay_next_event(const struct replay *r)
{
    return r->next_event < r->tl.n_events ? event_time(r, r->next_event) : -1;
}

/* timeline: parse and encode the lines of a timeline file. */
#include "core/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/metric_json.h"

/* ---- reader ------------------------------------------------------------- */

static const char *line_type(const cJSON *o)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    return cJSON_IsString(t) ? t->valuestring : "";
}

double timeline_line_time(const cJSON *line)
{
    const char *type = line_type(line);
    const cJSON *src = line;
    const char *key = "at";
    if (strcmp(type, "event") == 0) {
        src = timeline_event_body(line);
        key = "time";
    } else if (strcmp(type, "timeline") == 0) {
        key = "started";
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

const cJSON *timeline_event_body(const cJSON *event_line)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(event_line, "event");
    return cJSON_IsObject(e) ? e : NULL;
}

static int push(cJSON ***arr, size_t *n, cJSON *item)
{
    /* grow by doubling: a day-long file has ~86400 samples */
    if ((*n & (*n - 1)) == 0) {
        size_t cap = *n ? *n * 2 : 1;
        cJSON **grown = realloc(*arr, cap * sizeof *grown);
        if (!grown)
            return -1;
        *arr = grown;
    }
    (*arr)[(*n)++] = item;
    return 0;
}

/* Takes o; returns 0, 1 when it is not a timeline line (counted), -1 on OOM. */
static int take_line(struct timeline *t, cJSON *o)
{
    const char *type = line_type(o);
    int rc = 1;
    if (strcmp(type, "sample") == 0 && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "at")))
        rc = push(&t->sample, &t->n_samples, o);
    else if (strcmp(type, "event") == 0 && timeline_event_body(o))
        rc = push(&t->event, &t->n_events, o);
    else if (strcmp(type, "timeline") == 0 && !t->header)
        t->header = o, rc = 0;
    else if (strcmp(type, "end") == 0 && !t->end)
        t->end = o, rc = 0;
    if (rc != 0)
        cJSON_Delete(o);
    return rc;
}

/* Stable merge sort by line time: qsort is not stable, and equal times
 * (two journal events in one millisecond) must keep the file's order. */
static void sort_lines(cJSON **a, cJSON **tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_lines(a, tmp, h);
    sort_lines(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = timeline_line_time(a[j]) < timeline_line_time(a[i]) ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int sort_all(struct timeline *t)
{
    size_t n = t->n_samples > t->n_events ? t->n_samples : t->n_events;
    if (n < 2)
        return 0;
    cJSON **tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return -1;
    sort_lines(t->sample, tmp, t->n_samples);
    sort_lines(t->event, tmp, t->n_events);
    free(tmp);
    return 0;
}

static int parse_one(struct timeline *t, const char *p, size_t n)
{
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(p, n, &end, 0);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        t->malformed++;
        return 0;
    }
    /* trailing bytes after the object: two lines glued by a torn write */
    for (; end && end < p + n; end++)
        if (*end != ' ' && *end != '\t' && *end != '\r') {
            cJSON_Delete(o);
            t->malformed++;
            return 0;
        }
    int rc = take_line(t, o);
    if (rc > 0)
        t->malformed++;
    return rc < 0 ? -1 : 0;
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

int timeline_parse(const char *text, size_t len, struct timeline *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (!nl && !blank(text + pos, n)) {
            /* no newline: a write the server never finished */
            out->malformed++;
            break;
        }
        if (!blank(text + pos, n) && parse_one(out, text + pos, n) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        pos += n + 1;
    }
    if (sort_all(out) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!out->header && !out->n_samples && !out->n_events && !out->end) {
        snprintf(err, errlen, "not a timeline: no timeline line in %d line(s)", out->malformed);
        return -1;
    }
    return 0;
}

void timeline_free(struct timeline *t)
{
    cJSON_Delete(t->header);
    for (size_t i = 0; i < t->n_samples; i++)
        cJSON_Delete(t->sample[i]);
    for (size_t i = 0; i < t->n_events; i++)
        cJSON_Delete(t->event[i]);
    free(t->sample);
    free(t->event);
    cJSON_Delete(t->end);
    memset(t, 0, sizeof *t);
}

/* ---- encoders ----------------------------------------------------------- */

void timeline_id(double started, char out[TIMELINE_ID_LEN])
{
    time_t s = (time_t)floor(started);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, TIMELINE_ID_LEN, "cutover-%Y%m%dT%H%M%SZ", &tm);
}

cJSON *timeline_header_json(const char *id, const char *host, double started, enum color stable,
                            enum color candidate, const struct config *cfg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "timeline");
    cJSON_AddNumberToObject(o, "version", TIMELINE_VERSION);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "host", host);
    cJSON_AddNumberToObject(o, "started", started);
    cJSON_AddStringToObject(o, "stable", color_name(stable));
    cJSON_AddStringToObject(o, "candidate", color_name(candidate));
    /* Every rollout key, from the config's own table: a new rule is recorded
     * as soon as it is a key. */
    cJSON *rules = config_section_json(cfg, "rollout");
    if (rules != NULL)
        cJSON_AddItemToObject(o, "rules", rules);
    return o;
}

static void copy_item(cJSON *to, const cJSON *from, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);
    if (v)
        cJSON_AddItemToObject(to, key, cJSON_Duplicate(v, 1));
}

/* The newest row of the snapshot's series, per color, under the series'
 * own field names. */
static cJSON *newest_row(const cJSON *series, int64_t *sec)
{
    cJSON *row = cJSON_CreateObject();
    copy_item(row, series, "fields");
    for (int c = 0; c < COLOR_COUNT; c++) {
        const char *name = color_name((enum color)c);
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(series, name);
        int n = cJSON_GetArraySize(arr);
        const cJSON *last = n > 0 ? cJSON_GetArrayItem(arr, n - 1) : NULL;
        if (!cJSON_IsArray(last))
            continue;
        cJSON_AddItemToObject(row, name, cJSON_Duplicate(last, 1));
        const cJSON *s = cJSON_GetArrayItem(last, 0);
        if (cJSON_IsNumber(s))
            *sec = (int64_t)s->valuedouble;
    }
    return row;
}

cJSON *timeline_sample_json(const cJSON *snapshot, int64_t *sec)
{
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(snapshot, "at");
    if (!cJSON_IsNumber(at))
        return NULL;
    /* the snapshot at T shows the seconds that closed before T */
    *sec = (int64_t)floor(at->valuedouble) - 1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "sample");
    cJSON_AddNumberToObject(o, "at", at->valuedouble);
    cJSON *secj = cJSON_AddNumberToObject(o, "sec", 0);
    static const char *const keys[] = {"weights", "stable", "candidate", "phase", "busy",
                                       "old_workers_draining", "signals", "guards"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        copy_item(o, snapshot, keys[i]);
    const cJSON *series = cJSON_GetObjectItemCaseSensitive(snapshot, "series");
    if (cJSON_IsObject(series))
        cJSON_AddItemToObject(o, "row", newest_row(series, sec));
    cJSON_SetNumberValue(secj, (double)*sec);
    return o;
}

cJSON *timeline_history_sample_json(const struct window_second rows[COLOR_COUNT],
                                    const cJSON *like, const char *flag)
{
    int64_t sec = rows[0].sec;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "sample");
    /* the second as a live snapshot would have shown it: just after it closed */
    cJSON_AddNumberToObject(o, "at", (double)sec + 1.0);
    cJSON_AddNumberToObject(o, "sec", (double)sec);
    cJSON_AddBoolToObject(o, flag, 1);
    static const char *const keys[] = {"weights", "stable", "candidate", "phase"};
    for (size_t i = 0; like && i < sizeof keys / sizeof *keys; i++)
        copy_item(o, like, keys[i]);
    cJSON *row = cJSON_AddObjectToObject(o, "row");
    cJSON_AddItemToObject(row, "fields", metric_json_row_fields());
    for (int c = 0; c < COLOR_COUNT; c++)
        cJSON_AddItemToObject(row, color_name((enum color)c), metric_json_row(&rows[c]));
    return o;
}

char *timeline_event_line(const char *line)
{
    cJSON *o = cJSON_Parse(line);
    bool ok = cJSON_IsObject(o);
    cJSON_Delete(o);
    if (!ok)
        return NULL;
    /* the journal's bytes as written, not re-encoded */
    static const char pre[] = "{\"type\":\"event\",\"event\":";
    size_t n = strlen(line);
    char *out = malloc(sizeof pre + n + 1);
    if (!out)
        return NULL;
    memcpy(out, pre, sizeof pre - 1);
    memcpy(out + sizeof pre - 1, line, n);
    out[sizeof pre - 1 + n] = '}';
    out[sizeof pre + n] = '\0';
    return out;
}

char *timeline_event_line_from(const char *line, const char *from)
{
    char *el = timeline_event_line(line);
    if (!el)
        return NULL;
    size_t n = strlen(el), extra = strlen(from) + 10;
    char *out = realloc(el, n + extra + 1);
    if (!out) {
        free(el);
        return NULL;
    }
    /* before the closing brace: ,"from":"FROM"} */
    snprintf(out + n - 1, extra + 2, ",\"from\":\"%s\"}", from);
    return out;
}

cJSON *timeline_end_json(double at, const char *outcome, const cJSON *weights)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "end");
    cJSON_AddNumberToObject(o, "at", at);
    cJSON_AddStringToObject(o, "outcome", outcome);
    cJSON_AddItemToObject(o, "weights", weights ? cJSON_Duplicate(weights, 1) : cJSON_CreateNull());
    return o;
}

static const char *event_action(const cJSON *ev)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(ev, "action");
    return cJSON_IsString(a) ? a->valuestring : "";
}

bool timeline_event_moves(const cJSON *journal_event)
{
    static const char *const moving[] = {"shift", "rollback", "reload", "auto-rollback", "override"};
    const char *a = event_action(journal_event);
    for (size_t i = 0; i < sizeof moving / sizeof *moving; i++)
        if (strcmp(a, moving[i]) == 0)
            return true;
    return false;
}

bool timeline_event_applied(const cJSON *journal_event)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(journal_event, "outcome");
    if (!cJSON_IsString(o) || strcmp(o->valuestring, "ok") != 0)
        return false;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(journal_event, "before");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(journal_event, "after");
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *bv = cJSON_GetObjectItemCaseSensitive(b, color_name((enum color)c));
        const cJSON *av = cJSON_GetObjectItemCaseSensitive(a, color_name((enum color)c));
        if (cJSON_IsNumber(av) && (!cJSON_IsNumber(bv) || av->valuedouble != bv->valuedouble))
            return true;
    }
    return false;
}

bool timeline_event_opens(const cJSON *journal_event)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(journal_event, "outcome");
    bool ok = cJSON_IsString(o) && strcmp(o->valuestring, "ok") == 0;
    if (ok && strcmp(event_action(journal_event), "override") == 0)
        return true;
    return timeline_event_moves(journal_event) && timeline_event_applied(journal_event);
}

bool timeline_event_is_rollback(const cJSON *journal_event)
{
    const char *a = event_action(journal_event);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(journal_event, "outcome");
    bool ok = cJSON_IsString(o) && strcmp(o->valuestring, "ok") == 0;
    return ok && (strcmp(a, "rollback") == 0 || strcmp(a, "auto-rollback") == 0);
}

int timeline_weights_end(const cJSON *weights)
{
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(weights, color_name((enum color)c));
        if (cJSON_IsNumber(v) && v->valuedouble == 100)
            return c;
    }
    return COLOR_NONE;
}

const char *timeline_outcome(const cJSON *weights, enum color stable, enum color candidate,
                             bool rolled_back)
{
    int at = timeline_weights_end(weights);
    if (at == COLOR_NONE)
        return NULL;
    if (at == (int)candidate)
        return "complete";
    (void)stable;
    return rolled_back ? "rolled-back" : "abandoned";
}

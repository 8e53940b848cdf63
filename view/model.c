/* model: the server's messages folded into one fixed-size struct. */
#include "view/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metric_json.h"

/* ---- small readers: a missing or mistyped field gives the default -------- */

static double num(const cJSON *o, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static void str(const cJSON *o, const char *key, char *buf, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(buf, len, "%s", cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
}

static bool flag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void weights(const cJSON *o, int out[COLOR_COUNT])
{
    for (int c = 0; c < COLOR_COUNT; c++)
        out[c] = (int)num(o, color_name((enum color)c), -1);
}

static int color_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? color_parse(v->valuestring) : COLOR_NONE;
}

/* ---- lifetime ------------------------------------------------------------ */

struct model *model_new(void)
{
    struct model *m = malloc(sizeof *m);
    if (m)
        model_reset(m);
    return m;
}

void model_free(struct model *m)
{
    free(m);
}

void model_reset(struct model *m)
{
    memset(m, 0, sizeof *m);
    m->stable = COLOR_NONE;
    m->candidate = COLOR_NONE;
}

/* ---- hello --------------------------------------------------------------- */

static void apply_hello(struct model *m, const cJSON *h)
{
    struct model_hello *o = &m->hello;
    o->have = true;
    o->server_pid = (long)num(h, "server_pid", 0);
    str(h, "state_dir", o->state_dir, sizeof o->state_dir);
    const cJSON *you = cJSON_GetObjectItemCaseSensitive(h, "you");
    o->client_id = (long)num(you, "client_id", 0);
    o->may_control = flag(you, "may_control");
    str(h, "control", o->control, sizeof o->control);
}

/* ---- journal events and markers ----------------------------------------- */

/* Two copies of one event (from a snapshot and from its own message) carry
 * the same millisecond and action. */
static bool same_event(double t1, const char *a1, double t2, const char *a2)
{
    return llround(t1 * 1000.0) == llround(t2 * 1000.0) && strcmp(a1, a2) == 0;
}

void model_decode_event(const cJSON *j, struct model_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->time = num(j, "time", 0);
    str(j, "user", ev->user, sizeof ev->user);
    str(j, "action", ev->action, sizeof ev->action);
    weights(cJSON_GetObjectItemCaseSensitive(j, "before"), ev->before);
    weights(cJSON_GetObjectItemCaseSensitive(j, "after"), ev->after);
    str(j, "candidate", ev->candidate, sizeof ev->candidate);
    str(j, "candidate_version", ev->version, sizeof ev->version);
    str(j, "outcome", ev->outcome, sizeof ev->outcome);
    str(j, "error", ev->error, sizeof ev->error);
}

/* Keeps the list newest first whatever order copies arrive in; when full,
 * an event older than all kept ones is dropped. Returns false for a copy. */
static bool insert_event(struct model *m, const struct model_event *ev)
{
    int pos = m->event_count;
    for (int i = 0; i < m->event_count; i++) {
        const struct model_event *k = &m->events[i];
        if (same_event(k->time, k->action, ev->time, ev->action))
            return false;
        if (pos == m->event_count && ev->time > k->time)
            pos = i;
    }
    /* Copies can sit after pos (equal times): the loop above saw them all. */
    if (pos >= MODEL_EVENTS)
        return false;
    int n = m->event_count < MODEL_EVENTS ? m->event_count : MODEL_EVENTS - 1;
    memmove(&m->events[pos + 1], &m->events[pos], (size_t)(n - pos) * sizeof m->events[0]);
    m->events[pos] = *ev;
    if (m->event_count < MODEL_EVENTS)
        m->event_count++;
    return true;
}

/* A reload that changed (or re-applied) what nginx serves gets a marker. */
static bool is_reload(const struct model_event *ev)
{
    if (strcmp(ev->outcome, "ok") != 0)
        return false;
    /* a restore (cutover reconcile --restore) reloads too */
    return strcmp(ev->action, "shift") == 0 || strcmp(ev->action, "rollback") == 0 ||
           strcmp(ev->action, "auto-rollback") == 0 || strcmp(ev->action, "reload") == 0 ||
           strcmp(ev->action, "restore") == 0;
}

bool model_event_by_server(const struct model_event *ev)
{
    return strncmp(ev->user, "cutover (", 9) == 0;
}

void model_reason_short(const char *reason, char *buf, size_t len)
{
    const char *cut = strstr(reason, " (");
    int n = cut ? (int)(cut - reason) : (int)strlen(reason);
    snprintf(buf, len, "%.*s", n, reason);
}

/* An auto-rollback starts (its reason) and, a second later, its reload ends
 * (the marker): whichever arrives second labels the marker. */
#define MODEL_AUTO_PAIR_S 60.0

static bool is_auto_start(const struct model_event *ev)
{
    return strcmp(ev->action, "auto-rollback") == 0 && model_event_by_server(ev);
}

static void label_auto(struct model_marker *k, const char *reason)
{
    char s[96];
    model_reason_short(reason, s, sizeof s);
    snprintf(k->what, sizeof k->what, "auto-rollback: %s", s);
}

static void label_marker(struct model *m, struct model_marker *k, const struct model_event *ev)
{
    if (!model_event_by_server(ev) || strcmp(ev->action, "rollback") != 0)
        return;
    snprintf(k->what, sizeof k->what, "auto-rollback to %d/%d", ev->after[COLOR_BLUE],
             ev->after[COLOR_GREEN]);
    for (int i = 0; i < m->event_count; i++) {
        const struct model_event *s = &m->events[i];
        if (is_auto_start(s) && s->time <= ev->time && ev->time - s->time < MODEL_AUTO_PAIR_S &&
            s->error[0]) {
            label_auto(k, s->error);
            return;
        }
    }
}

/* The reason came after its marker (a snapshot's events in another order). */
static void label_markers_after(struct model *m, const struct model_event *start)
{
    if (!is_auto_start(start) || !start->error[0])
        return;
    for (int i = 0; i < m->marker_count; i++) {
        struct model_marker *k = &m->markers[i];
        if (strcmp(k->action, "rollback") == 0 && k->what[0] && k->time >= start->time &&
            k->time - start->time < MODEL_AUTO_PAIR_S && strncmp(k->what, "auto-rollback to", 16) == 0)
            label_auto(k, start->error);
    }
}

/* Oldest first; when full the oldest goes, since the chart shows the end. */
static void insert_marker(struct model *m, const struct model_event *ev)
{
    for (int i = 0; i < m->marker_count; i++)
        if (same_event(m->markers[i].time, m->markers[i].action, ev->time, ev->action))
            return;
    if (m->marker_count == MODEL_MARKERS) {
        if (ev->time < m->markers[0].time)
            return;
        memmove(&m->markers[0], &m->markers[1], (MODEL_MARKERS - 1) * sizeof m->markers[0]);
        m->marker_count--;
    }
    int pos = m->marker_count;
    while (pos > 0 && m->markers[pos - 1].time > ev->time)
        pos--;
    memmove(&m->markers[pos + 1], &m->markers[pos],
            (size_t)(m->marker_count - pos) * sizeof m->markers[0]);
    struct model_marker *k = &m->markers[pos];
    memset(k, 0, sizeof *k);
    k->time = ev->time;
    memcpy(k->after, ev->after, sizeof k->after);
    snprintf(k->version, sizeof k->version, "%s", ev->version);
    snprintf(k->action, sizeof k->action, "%s", ev->action);
    label_marker(m, k, ev);
    m->marker_count++;
}

static void apply_event(struct model *m, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return;
    struct model_event ev;
    model_decode_event(j, &ev);
    /* A move's intent is bookkeeping for a kill: its outcome line follows
     * and is the row that tells the move; one that never got an outcome
     * is the server's reconcile, which says so itself. */
    if (strcmp(ev.action, "intent") == 0)
        return;
    if (insert_event(m, &ev))
        label_markers_after(m, &ev);
    /* A marker is deduplicated on its own: its event may have left the
     * bounded list while the marker is still on the chart. */
    if (is_reload(&ev))
        insert_marker(m, &ev);
}

/* ---- series -------------------------------------------------------------- */

static double cell(const double *row, int nrow, int col, double def)
{
    return col >= 0 && col < nrow ? row[col] : def;
}

/* The rows are positional: the server's "fields" say where each column is,
 * so a server that adds a column does not shift ours. */
static void merge_row(struct model *m, enum color c, const cJSON *jrow,
                      const int col[METRIC_COUNT], int sec_col)
{
    double row[16];
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, jrow) {
        if (n == 16)
            break;
        row[n++] = cJSON_IsNumber(v) ? v->valuedouble : -1;
    }
    if (sec_col < 0 || sec_col >= n || row[sec_col] <= 0)
        return;
    int64_t sec = (int64_t)row[sec_col];
    if (m->newest_sec && sec <= m->newest_sec - MODEL_SERIES_S)
        return;
    struct model_point *p = &m->series[c][sec % MODEL_SERIES_S];
    p->sec = sec;
    for (int i = 0; i < METRIC_COUNT; i++)
        p->v[i] = cell(row, n, col[i], metric_table[i].kind == METRIC_GAUGE ? -1 : 0);
    /* A row of parts (the failures) that an older server or timeline did
     * not write is the sum of its parts, so old recordings still plot it. */
    for (int i = 0; i < METRIC_COUNT; i++)
        if (col[i] < 0 && metric_table[i].n_parts > 0)
            for (int k = 0; k < metric_table[i].n_parts; k++)
                p->v[i] += p->v[metric_table[i].parts[k]];
    if (sec > m->newest_sec)
        m->newest_sec = sec;
}

static void apply_series(struct model *m, const cJSON *s)
{
    int col[METRIC_COUNT], sec_col;
    metric_json_row_columns(cJSON_GetObjectItemCaseSensitive(s, "fields"), col, &sec_col);
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(s, color_name((enum color)c)))
            merge_row(m, (enum color)c, row, col, sec_col);
    }
}

/* ---- snapshot ------------------------------------------------------------ */

static void apply_value(struct model_value *out, const struct metric *k, const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k->status_key);
    memset(out, 0, sizeof *out);
    if (k->kind == METRIC_LATENCY) {
        out->has = cJSON_IsObject(v);
        if (out->has) {
            out->p50 = num(v, "p50", 0);
            out->p95 = out->v = num(v, "p95", 0);
            out->p99 = num(v, "p99", 0);
        }
    } else {
        out->has = cJSON_IsNumber(v);
        out->v = out->has ? v->valuedouble : 0;
    }
    if (k->ratio_key)
        out->ratio = num(o, k->ratio_key, 0);
}

static void apply_signal(struct model_signal *s, const cJSON *o)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < METRIC_COUNT; i++)
        apply_value(&s->value[i], &metric_table[i], o);
    /* Likewise a value of parts an older server did not send at all. */
    for (int i = 0; i < METRIC_COUNT; i++) {
        struct model_value *v = &s->value[i];
        if (metric_table[i].n_parts == 0 ||
            cJSON_GetObjectItemCaseSensitive(o, metric_table[i].status_key) ||
            cJSON_GetObjectItemCaseSensitive(o, metric_table[i].ratio_key))
            continue;
        for (int k = 0; k < metric_table[i].n_parts; k++) {
            const struct model_value *part = &s->value[metric_table[i].parts[k]];
            v->has |= part->has;
            v->v += part->v;
            v->ratio += part->ratio;
        }
    }
    str(o, "last_probe_error", s->last_probe_error, sizeof s->last_probe_error);
}

static void apply_control(struct model_control *c, const cJSON *o)
{
    memset(c, 0, sizeof *c);
    str(o, "state", c->state, sizeof c->state);
    str(o, "text", c->text, sizeof c->text);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "holder");
    str(h, "user", c->holder_user, sizeof c->holder_user);
    c->holder_since = num(h, "since", 0);
    c->holder_client_id = (long)num(h, "client_id", -1);
    c->grace_until = num(o, "grace_until", 0);
}

static void apply_guards(struct model *m, const cJSON *g)
{
    m->have_guards = cJSON_IsObject(g);
    m->guard_count = 0;
    m->dwell_remaining_s = num(g, "dwell_remaining_s", 0);
    str(g, "drain", m->drain, sizeof m->drain);
    m->auto_rollback = flag(g, "auto_rollback");
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(g, "items")) {
        if (m->guard_count == MODEL_GUARDS)
            break;
        struct model_guard *k = &m->guard[m->guard_count++];
        str(it, "name", k->name, sizeof k->name);
        str(it, "level", k->level, sizeof k->level);
        str(it, "text", k->text, sizeof k->text);
    }
}

static void apply_weights(struct model *m, const cJSON *s)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(s, "weights");
    m->weights_known = cJSON_IsObject(w);
    weights(w, m->weight);
    str(s, "weights_error", m->weights_error, sizeof m->weights_error);
    m->stable = color_of(s, "stable");
    m->candidate = color_of(s, "candidate");
    str(s, "phase", m->phase, sizeof m->phase);
    str(s, "stable_unknown", m->stable_unknown, sizeof m->stable_unknown);
    m->old_workers_draining = (int)num(s, "old_workers_draining", -1);
}

/* A snapshot without "failures" (an older server) leaves the list empty. */
static void apply_failures(struct model *m, const cJSON *arr)
{
    const cJSON *it;
    m->failure_count = 0;
    cJSON_ArrayForEach(it, arr) {
        if (m->failure_count == MODEL_FAILURES)
            break;
        struct model_failure *f = &m->failure[m->failure_count++];
        f->time = num(it, "time", 0);
        f->color = color_of(it, "color");
        str(it, "kind", f->kind, sizeof f->kind);
        f->status = (int)num(it, "status", 0);
        str(it, "path", f->path, sizeof f->path);
        str(it, "rid", f->rid, sizeof f->rid);
        str(it, "run", f->run, sizeof f->run);
        str(it, "detail", f->detail, sizeof f->detail);
    }
}

/* Held while the snapshots carry it; since is when it first showed. */
static void apply_reconcile(struct model *m, const cJSON *r)
{
    struct model_reconcile *o = &m->reconcile;
    if (!cJSON_IsObject(r)) {
        memset(o, 0, sizeof *o);
        return;
    }
    if (!o->have)
        o->since = m->at;
    o->have = true;
    o->interrupted = flag(r, "interrupted");
    o->may_apply = flag(r, "may_apply");
    str(r, "text", o->text, sizeof o->text);
    weights(cJSON_GetObjectItemCaseSensitive(r, "confirmed"), o->confirmed);
    weights(cJSON_GetObjectItemCaseSensitive(r, "file"), o->file);
}

static void apply_snapshot(struct model *m, const cJSON *s)
{
    m->have_snapshot = true;
    m->seq = num(s, "seq", 0);
    m->at = num(s, "at", 0);
    apply_weights(m, s);
    apply_reconcile(m, cJSON_GetObjectItemCaseSensitive(s, "reconcile"));
    const cJSON *busy = cJSON_GetObjectItemCaseSensitive(s, "busy");
    m->busy = cJSON_IsString(busy);
    str(s, "busy", m->busy_text, sizeof m->busy_text);
    apply_control(&m->control, cJSON_GetObjectItemCaseSensitive(s, "control"));
    m->clients = (int)num(s, "clients", 0);
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(s, "signals");
    m->window_s = num(sig, "window_s", 0);
    for (int c = 0; c < COLOR_COUNT; c++)
        apply_signal(&m->signal[c], cJSON_GetObjectItemCaseSensitive(sig, color_name((enum color)c)));
    apply_guards(m, cJSON_GetObjectItemCaseSensitive(s, "guards"));
    apply_failures(m, cJSON_GetObjectItemCaseSensitive(s, "failures"));
    apply_series(m, cJSON_GetObjectItemCaseSensitive(s, "series"));
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(s, "events"))
        apply_event(m, ev);
}

/* ---- entry points -------------------------------------------------------- */

enum model_msg model_apply(struct model *m, const cJSON *msg)
{
    if (!cJSON_IsObject(msg))
        return MODEL_MSG_ERROR;
    const cJSON *v;
    if (cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(msg, "snapshot"))) {
        apply_snapshot(m, v);
        return MODEL_MSG_SNAPSHOT;
    }
    if (cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(msg, "event"))) {
        apply_event(m, v);
        return MODEL_MSG_EVENT;
    }
    if (cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(msg, "hello"))) {
        apply_hello(m, v);
        return MODEL_MSG_HELLO;
    }
    return MODEL_MSG_OTHER;
}

enum model_msg model_apply_line(struct model *m, const char *line, size_t len, char *err,
                                size_t errlen)
{
    cJSON *msg = cJSON_ParseWithLength(line, len);
    if (!msg) {
        snprintf(err, errlen, "not JSON: %.40s", line);
        return MODEL_MSG_ERROR;
    }
    enum model_msg kind = model_apply(m, msg);
    cJSON_Delete(msg);
    if (kind == MODEL_MSG_ERROR)
        snprintf(err, errlen, "not a JSON object");
    return kind;
}

double model_age(const struct model *m, double now)
{
    return m->have_snapshot ? now - m->at : 1e9;
}

bool model_stale(const struct model *m, double now)
{
    return model_age(m, now) > MODEL_STALE_S;
}

const struct model_point *model_point_at(const struct model *m, enum color c, int64_t sec)
{
    if ((int)c < 0 || c >= COLOR_COUNT || sec <= 0)
        return NULL;
    if (sec > m->newest_sec || sec <= m->newest_sec - MODEL_SERIES_S)
        return NULL;
    const struct model_point *p = &m->series[c][sec % MODEL_SERIES_S];
    return p->sec == sec ? p : NULL;
}

int64_t model_newest_sec(const struct model *m)
{
    return m->newest_sec;
}

int model_marker_count(const struct model *m)
{
    return m->marker_count;
}

const struct model_marker *model_marker_get(const struct model *m, int i)
{
    return i >= 0 && i < m->marker_count ? &m->markers[i] : NULL;
}

int model_failure_find(const struct model *m, const struct model_failure *f)
{
    for (int i = 0; i < m->failure_count; i++) {
        const struct model_failure *g = &m->failure[i];
        if (g->time == f->time && g->color == f->color && strcmp(g->kind, f->kind) == 0 &&
            strcmp(g->rid, f->rid) == 0 && strcmp(g->run, f->run) == 0)
            return i;
    }
    return -1;
}

int model_event_count(const struct model *m)
{
    return m->event_count;
}

const struct model_event *model_event_get(const struct model *m, int i)
{
    return i >= 0 && i < m->event_count ? &m->events[i] : NULL;
}

/* report: the model of a cutover built from its timeline. Rendering is in
 * core/report_render.c. */
#include "core/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metric_json.h"

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_item(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void weights_of(const cJSON *w, int out[COLOR_COUNT])
{
    for (int c = 0; c < COLOR_COUNT; c++)
        out[c] = (int)num_item(w, color_name((enum color)c), -1);
}

static void *grow(void *arr, size_t n, size_t size)
{
    /* doubling at powers of two */
    if (n & (n - 1))
        return arr;
    return realloc(arr, (n ? n * 2 : 1) * size);
}

/* ---- steps -------------------------------------------------------------- */

static int add_step(struct report *r, double start, const int w[COLOR_COUNT], const char *action,
                    const char *user)
{
    struct report_step *g = grow(r->step, r->n_steps, sizeof *g);
    if (!g)
        return -1;
    r->step = g;
    struct report_step *s = &r->step[r->n_steps];
    memset(s, 0, sizeof *s);
    s->index = (int)r->n_steps++;
    s->start = start;
    memcpy(s->weight, w, sizeof s->weight);
    snprintf(s->action, sizeof s->action, "%s", action);
    snprintf(s->user, sizeof s->user, "%s", user);
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int i = 0; i < METRIC_COUNT; i++) {
            struct report_value *v = &s->sig[c].v[i];
            v->ratio = v->avg = v->max = v->last = -1;
        }
    return 0;
}

static double row_value(const cJSON *row, int idx)
{
    const cJSON *v = idx >= 0 ? cJSON_GetArrayItem(row, idx) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Adds one sample's row to a step's signals; finish_signals ends the
 * averages and ratios. A gauge counts from 0, a count or a latency only
 * above it (a latency's 0 is what a window without samples reads). */
static void add_row(struct report_signals *s, const cJSON *row, const int col[METRIC_COUNT])
{
    s->seconds++;
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *k = &metric_table[i];
        struct report_value *v = &s->v[i];
        double x = row_value(row, col[i]);
        if (!k->report_key || (k->kind == METRIC_GAUGE ? x < 0 : x <= 0))
            continue;
        if (k->kind == METRIC_SUM) {
            v->sum += x;
            continue;
        }
        if (x > v->max)
            v->max = x;
        v->last = x;
        if (k->kind == METRIC_GAUGE) {
            v->avg = (v->avg < 0 ? 0 : v->avg) + x;   /* the sum meanwhile */
            v->n += 1;
        }
    }
}

static void finish_signals(struct report_signals *s)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *k = &metric_table[i];
        struct report_value *v = &s->v[i];
        if (v->n > 0)
            v->avg /= v->n;
        v->n = 0;
        if (k->ratio_key) {
            double den = s->v[k->ratio_of].sum;
            v->ratio = den > 0 ? v->sum / den : -1;
        }
    }
}

static void fill_signals(struct report *r, const struct timeline *t)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n_samples && r->n_steps; i++) {
        double at = timeline_line_time(t->sample[i]);
        while (k + 1 < r->n_steps && at >= r->step[k + 1].start)
            k++;
        const cJSON *row = cJSON_GetObjectItemCaseSensitive(t->sample[i], "row");
        int col[METRIC_COUNT], sec_col;
        metric_json_row_columns(cJSON_GetObjectItemCaseSensitive(row, "fields"), col, &sec_col);
        for (int c = 0; c < COLOR_COUNT; c++) {
            const cJSON *cr = cJSON_GetObjectItemCaseSensitive(row, color_name((enum color)c));
            if (cJSON_IsArray(cr))
                add_row(&r->step[k].sig[c], cr, col);
        }
    }
    for (size_t s = 0; s < r->n_steps; s++)
        for (int c = 0; c < COLOR_COUNT; c++)
            finish_signals(&r->step[s].sig[c]);
}

static int build_steps(struct report *r, const struct timeline *t)
{
    int w[COLOR_COUNT] = {-1, -1};
    double start = r->first_at;
    if (t->n_samples)
        weights_of(cJSON_GetObjectItemCaseSensitive(t->sample[0], "weights"), w);
    else if (t->n_events)
        weights_of(cJSON_GetObjectItemCaseSensitive(timeline_event_body(t->event[0]), "before"), w);
    if (add_step(r, start, w, "baseline", "") != 0)
        return -1;
    for (size_t i = 0; i < t->n_events; i++) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        if (!timeline_event_applied(ev))
            continue;
        weights_of(cJSON_GetObjectItemCaseSensitive(ev, "after"), w);
        if (add_step(r, num_item(ev, "time", 0), w, str_item(ev, "action"), str_item(ev, "user")) != 0)
            return -1;
    }
    double stop = r->end_at > 0 ? r->end_at : r->last_at;
    for (size_t s = 0; s < r->n_steps; s++) {
        double next = s + 1 < r->n_steps ? r->step[s + 1].start : stop;
        r->step[s].dwell_s = next > r->step[s].start ? next - r->step[s].start : 0;
    }
    fill_signals(r, t);
    return 0;
}

/* ---- guard level changes ------------------------------------------------ */

struct level_seen {
    char name[32];
    char level[16];
};

static int guard_change(struct report *r, double at, const char *name, const char *from,
                        const cJSON *item)
{
    struct report_guard *g = grow(r->guard, r->n_guards, sizeof *g);
    if (!g)
        return -1;
    r->guard = g;
    g = &r->guard[r->n_guards++];
    g->at = at;
    snprintf(g->name, sizeof g->name, "%s", name);
    snprintf(g->from, sizeof g->from, "%s", from);
    snprintf(g->to, sizeof g->to, "%s", str_item(item, "level"));
    snprintf(g->text, sizeof g->text, "%s", str_item(item, "text"));
    return 0;
}

static int build_guards(struct report *r, const struct timeline *t)
{
    struct level_seen seen[16];
    int n_seen = 0;
    for (size_t i = 0; i < t->n_samples; i++) {
        const cJSON *guards = cJSON_GetObjectItemCaseSensitive(t->sample[i], "guards");
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(guards, "items");
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            const char *name = str_item(it, "name"), *level = str_item(it, "level");
            int k = 0;
            while (k < n_seen && strcmp(seen[k].name, name) != 0)
                k++;
            if (k == n_seen) {
                if (n_seen == 16)
                    continue;
                /* every guard starts ok: a first reading above it is a change */
                snprintf(seen[k].name, sizeof seen[k].name, "%s", name);
                snprintf(seen[k].level, sizeof seen[k].level, "ok");
                n_seen++;
            }
            if (strcmp(seen[k].level, level) == 0)
                continue;
            if (guard_change(r, timeline_line_time(t->sample[i]), name, seen[k].level, it) != 0)
                return -1;
            snprintf(seen[k].level, sizeof seen[k].level, "%s", level);
        }
    }
    return 0;
}

/* ---- operator actions --------------------------------------------------- */

/* An override's detail reads '... by USER: REASON' (server/engine_cmd.c). */
static void override_reason(const char *detail, const char *user, char *out, size_t outlen)
{
    char key[96];
    snprintf(key, sizeof key, " by %s: ", user);
    const char *p = NULL, *q = detail;
    while ((q = strstr(q, key)) != NULL)
        p = q++;
    snprintf(out, outlen, "%s", p ? p + strlen(key) : "");
}

static int build_actions(struct report *r, const struct timeline *t)
{
    for (size_t i = 0; i < t->n_events; i++) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        struct report_action *a = grow(r->action, r->n_actions, sizeof *a);
        if (!a)
            return -1;
        r->action = a;
        a = &r->action[r->n_actions++];
        memset(a, 0, sizeof *a);
        a->at = num_item(ev, "time", 0);
        snprintf(a->action, sizeof a->action, "%s", str_item(ev, "action"));
        snprintf(a->outcome, sizeof a->outcome, "%s", str_item(ev, "outcome"));
        snprintf(a->user, sizeof a->user, "%s", str_item(ev, "user"));
        snprintf(a->ssh_client, sizeof a->ssh_client, "%s", str_item(ev, "ssh_client"));
        snprintf(a->detail, sizeof a->detail, "%s", str_item(ev, "error"));
        weights_of(cJSON_GetObjectItemCaseSensitive(ev, "before"), a->before);
        weights_of(cJSON_GetObjectItemCaseSensitive(ev, "after"), a->after);
        a->forced = strcmp(a->action, "override") == 0;
        a->from_journal = strcmp(str_item(t->event[i], "from"), "journal") == 0;
        if (a->forced)
            override_reason(a->detail, a->user, a->reason, sizeof a->reason);
    }
    return 0;
}

/* ---- the whole ---------------------------------------------------------- */

static void span(struct report *r, const struct timeline *t)
{
    double lo = HUGE_VAL, hi = 0;
    double cand[4] = {t->n_samples ? timeline_line_time(t->sample[0]) : 0,
                      t->n_events ? timeline_line_time(t->event[0]) : 0,
                      t->n_samples ? timeline_line_time(t->sample[t->n_samples - 1]) : 0,
                      t->n_events ? timeline_line_time(t->event[t->n_events - 1]) : 0};
    for (int i = 0; i < 4; i++)
        if (cand[i] > 0) {
            lo = fmin(lo, cand[i]);
            hi = fmax(hi, cand[i]);
        }
    if (r->end_at > hi)
        hi = r->end_at;
    r->first_at = lo == HUGE_VAL ? r->started : lo;
    r->last_at = hi > 0 ? hi : r->started;
}

static void header_fields(struct report *r, const struct timeline *t)
{
    const cJSON *h = t->header;
    snprintf(r->id, sizeof r->id, "%s", str_item(h, "id"));
    snprintf(r->host, sizeof r->host, "%s", str_item(h, "host"));
    int cand = color_parse(str_item(h, "candidate"));
    r->candidate = cand == COLOR_NONE ? COLOR_GREEN : (enum color)cand;
    r->stable = color_other(r->candidate);
    r->started = num_item(h, "started", 0);
    r->malformed = t->malformed;
    if (t->end) {
        snprintf(r->outcome, sizeof r->outcome, "%s", str_item(t->end, "outcome"));
        r->end_at = num_item(t->end, "at", 0);
    } else {
        snprintf(r->outcome, sizeof r->outcome, "unfinished");
    }
    for (size_t i = 0; i < t->n_samples; i++) {
        r->samples++;
        r->preroll_samples += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t->sample[i], "preroll"));
        r->filled_samples += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t->sample[i], "filled"));
    }
}

/* The move that put the weights where the cutover ended: the total time
 * runs from the first move to it. */
static void weights_now(const struct timeline *t, struct report *r);

static void done_time(struct report *r, const struct timeline *t)
{
    const cJSON *w = t->end ? cJSON_GetObjectItemCaseSensitive(t->end, "weights") : NULL;
    if (!w && t->n_samples)
        w = cJSON_GetObjectItemCaseSensitive(t->sample[t->n_samples - 1], "weights");
    weights_of(w, r->final_weight);
    weights_now(t, r);
    r->total_s = -1;
    for (size_t i = 0; i < t->n_events; i++) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        int after[COLOR_COUNT];
        weights_of(cJSON_GetObjectItemCaseSensitive(ev, "after"), after);
        if (timeline_event_applied(ev) && (after[0] == 100 || after[1] == 100))
            r->done_at = num_item(ev, "time", 0);
    }
    /* A file that continues another starts mid-cutover: the first move is
     * in an earlier file, so the total cannot be known from this one. */
    bool part = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t->header, "continues"));
    if (r->done_at > 0 && (r->final_weight[0] == 100 || r->final_weight[1] == 100)) {
        double from = r->started > 0 ? r->started : r->first_at;
        if (!part)
            r->total_s = r->done_at >= from ? r->done_at - from : 0;
    } else {
        r->done_at = 0;
    }
}

/* ---- what happened ------------------------------------------------------- */

/* An auto-rollback starts (the server's reason) and its rollback's reload
 * follows within this many seconds. */
#define AUTO_PAIR_S 60.0

/* The newest journal line of a move (an intent or an outcome, by move_id):
 * an intent last means the move never got its outcome. */
static const cJSON *last_move_line(const struct timeline *t)
{
    for (size_t i = t->n_events; i-- > 0;) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ev, "move_id")))
            return ev;
    }
    return NULL;
}

/* The rollback that brought everything back: by the server's auto-rollback
 * when one started shortly before it; its reason then says why. */
static bool auto_rolled_back(const struct timeline *t, char *why, size_t whylen)
{
    double rb_at = -1;
    size_t i = t->n_events;
    while (i-- > 0) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        if (timeline_event_applied(ev) && timeline_event_moves(ev)) {
            if (!timeline_event_is_rollback(ev))
                return false;
            rb_at = num_item(ev, "time", 0);
            if (strcmp(str_item(ev, "action"), "auto-rollback") == 0) {
                snprintf(why, whylen, "%s", str_item(ev, "error"));
                return true;
            }
            break;
        }
    }
    for (; rb_at >= 0 && i-- > 0;) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        if (rb_at - num_item(ev, "time", 0) > AUTO_PAIR_S)
            break;
        if (strcmp(str_item(ev, "action"), "auto-rollback") == 0) {
            snprintf(why, whylen, "%s", str_item(ev, "error"));
            return true;
        }
    }
    return false;
}

static void interrupted_why(const cJSON *ev, char *why, size_t whylen)
{
    int b[COLOR_COUNT], a[COLOR_COUNT];
    weights_of(cJSON_GetObjectItemCaseSensitive(ev, "before"), b);
    weights_of(cJSON_GetObjectItemCaseSensitive(ev, "after"), a);
    const char *move = str_item(ev, "move");
    const char *user = str_item(ev, "user");
    snprintf(why, whylen, "a %s by %s (%d/%d -> %d/%d) %s; see cutover reconcile",
             move[0] ? move : "move", user[0] ? user : "?", b[0], b[1], a[0], a[1],
             strcmp(str_item(ev, "action"), "intent") == 0 ? "has no outcome: it did not finish"
                                                           : "was found interrupted");
}

/* The weights now: the end line's or the last sample's, or a move's after
 * that came later than the last sample (moves from the journal carry no
 * samples of their own). */
static void weights_now(const struct timeline *t, struct report *r)
{
    if (t->end)
        return;
    double last_sample = t->n_samples ? timeline_line_time(t->sample[t->n_samples - 1]) : 0;
    for (size_t i = t->n_events; i-- > 0;) {
        const cJSON *ev = timeline_event_body(t->event[i]);
        if (!timeline_event_applied(ev) || !timeline_event_moves(ev))
            continue;
        if (num_item(ev, "time", 0) > last_sample)
            weights_of(cJSON_GetObjectItemCaseSensitive(ev, "after"), r->final_weight);
        return;
    }
}

static void set_result(struct report *r, const char *result)
{
    snprintf(r->result, sizeof r->result, "%s", result);
}

static void result_of(struct report *r, const struct timeline *t)
{
    const cJSON *mv = last_move_line(t);
    const char *mv_outcome = mv ? str_item(mv, "outcome") : "";
    int at_end = timeline_weights_end(cJSON_GetObjectItemCaseSensitive(t->end, "weights"));
    if (!t->end && r->final_weight[0] >= 0 && r->final_weight[1] >= 0)
        at_end = r->final_weight[0] == 100 ? 0 : r->final_weight[1] == 100 ? 1 : COLOR_NONE;
    if (mv && (strcmp(str_item(mv, "action"), "intent") == 0 ||
               strcmp(mv_outcome, "interrupted") == 0)) {
        set_result(r, "interrupted");
        interrupted_why(mv, r->result_why, sizeof r->result_why);
    } else if (t->end && strcmp(r->outcome, "continued") == 0) {
        set_result(r, "continued");
    } else if (at_end == (int)r->candidate) {
        set_result(r, "completed");
    } else if (at_end == (int)r->stable) {
        bool rolled = t->end ? strcmp(r->outcome, "rolled-back") == 0 : false;
        bool is_auto = auto_rolled_back(t, r->result_why, sizeof r->result_why);
        if (!t->end)
            for (size_t i = t->n_events; i-- > 0 && !rolled;) {
                const cJSON *ev = timeline_event_body(t->event[i]);
                if (timeline_event_applied(ev) && timeline_event_moves(ev)) {
                    rolled = timeline_event_is_rollback(ev);
                    break;
                }
            }
        set_result(r, is_auto ? "auto-rolled-back" : rolled ? "rolled-back" : "abandoned");
        if (!is_auto)
            r->result_why[0] = '\0';
    } else {
        set_result(r, "in-progress");
    }
}

int report_build(const struct timeline *t, struct report *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    header_fields(out, t);
    span(out, t);
    done_time(out, t);
    result_of(out, t);
    if (build_steps(out, t) != 0 || build_guards(out, t) != 0 || build_actions(out, t) != 0) {
        report_free(out);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void report_free(struct report *r)
{
    free(r->step);
    free(r->guard);
    free(r->action);
    memset(r, 0, sizeof *r);
}

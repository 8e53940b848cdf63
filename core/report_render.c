/* report_render: the report model as Markdown and as JSON. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/report.h"

/* ---- a growing string --------------------------------------------------- */

struct buf {
    char *s;
    size_t len, cap;
    int oom;
};

__attribute__((format(printf, 2, 3))) static void bprintf(struct buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static char *finish(struct buf *b)
{
    if (b->oom || !b->s) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

/* ---- Markdown ----------------------------------------------------------- */

/* "HH:MM:SS", or with full "YYYY-MM-DD HH:MM:SS UTC" */
static void utc(double t, bool full, char *out, size_t outlen)
{
    time_t s = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&s, &tm);
    if (full)
        snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(out, outlen, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void duration(double s, char *out, size_t outlen)
{
    long v = lround(s);
    if (v >= 3600)
        snprintf(out, outlen, "%ldh %02ldm %02lds", v / 3600, v / 60 % 60, v % 60);
    else if (v >= 60)
        snprintf(out, outlen, "%ldm %02lds", v / 60, v % 60);
    else
        snprintf(out, outlen, "%lds", v);
}

static void weights_text(const int w[COLOR_COUNT], char *out, size_t outlen)
{
    if (w[0] < 0 || w[1] < 0)
        snprintf(out, outlen, "?");
    else
        snprintf(out, outlen, "%d/%d", w[0], w[1]);
}

/* Markdown tables break on '|' and newlines in free text (guard texts,
 * reasons): they are replaced, never dropped. */
static void md_text(struct buf *b, const char *s)
{
    for (; *s; s++)
        bprintf(b, "%s", *s == '|' ? "\\|" : *s == '\n' ? " " : (char[]){*s, 0});
}

/* One color's cells: each signal with a report column, as its kind reads. */
static void md_signals(struct buf *b, const struct report_signals *g)
{
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *k = &metric_table[i];
        const struct report_value *v = &g->v[i];
        if (!k->report_title)
            continue;
        if (k->kind == METRIC_GAUGE && v->avg >= 0)
            bprintf(b, " %.1f / %.0f |", v->avg, v->max);
        else if (k->kind == METRIC_SUM && k->ratio_key && v->ratio >= 0)
            bprintf(b, " %.2f%% (%.0f/%.0f) |", v->ratio * 100, v->sum,
                    g->v[k->ratio_of].sum);
        else if (k->kind == METRIC_LATENCY && v->last >= 0)
            bprintf(b, " %.1f (max %.1f) |", v->last, v->max);
        else
            bprintf(b, " – |");
    }
}

/* The outcome in words: what happened, why, and where the file stands. */
static void md_outcome(struct buf *b, const struct report *r)
{
    char t[64], w[32];
    const char *words = r->result;
    static const struct { const char *key, *words; } said[] = {
        {"completed", "completed"},       {"rolled-back", "rolled back"},
        {"auto-rolled-back", "auto-rolled back"}, {"abandoned", "abandoned"},
        {"interrupted", "interrupted"},   {"in-progress", "in progress"},
        {"continued", "continued in the next file"},
    };
    for (size_t i = 0; i < sizeof said / sizeof said[0]; i++)
        if (strcmp(said[i].key, r->result) == 0)
            words = said[i].words;
    bprintf(b, "- outcome: **%s**", words[0] ? words : r->outcome);
    weights_text(r->final_weight, w, sizeof w);
    bprintf(b, " (");
    if (r->result_why[0]) {
        md_text(b, r->result_why);
        bprintf(b, "; ");
    }
    bprintf(b, "at %s", w);
    if (r->end_at > 0) {
        utc(r->end_at, true, t, sizeof t);
        bprintf(b, "; file closed %s", t);
    } else if (r->final_weight[0] == 100 || r->final_weight[1] == 100) {
        /* At an end but inside the post-roll: say why it is not closed. */
        bprintf(b, "; the file closes once that has held timeline.postroll_s");
    } else {
        bprintf(b, "; the file is still open");
    }
    bprintf(b, ")\n");
}

static void md_head(struct buf *b, const struct report *r)
{
    char t[64], d[64];
    bprintf(b, "# Cutover %s\n\n", r->id[0] ? r->id : "(no header)");
    utc(r->started, true, t, sizeof t);
    bprintf(b, "- host: %s\n- direction: %s → %s\n- started: %s\n", r->host,
            color_name(r->stable), color_name(r->candidate), t);
    md_outcome(b, r);
    if (r->total_s >= 0) {
        duration(r->total_s, d, sizeof d);
        weights_text(r->final_weight, t, sizeof t);
        bprintf(b, "- total time: %s (from the first move to the one that reached %s)\n", d, t);
    } else {
        bprintf(b, "- total time: not done (no move reached 100/0 or 0/100)\n");
    }
    bprintf(b, "- samples: %d (%d pre-roll, %d filled from history)", r->samples,
            r->preroll_samples, r->filled_samples);
    if (r->malformed)
        bprintf(b, "; %d malformed line(s) skipped", r->malformed);
    bprintf(b, "\n\n");
}

static void md_steps(struct buf *b, const struct report *r)
{
    const char *s = color_name(COLOR_BLUE), *g = color_name(COLOR_GREEN);
    bprintf(b, "## Steps\n\nWeights are %s/%s. Per color:", s, g);
    const char *sep = " ";
    for (int i = 0; i < METRIC_COUNT; i++)
        if (metric_table[i].report_title) {
            bprintf(b, "%s%s", sep, metric_table[i].report_help);
            sep = ", ";
        }
    bprintf(b, ".\n\n| # | start (UTC) | dwell | weights | action | by |");
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int i = 0; i < METRIC_COUNT; i++)
            if (metric_table[i].report_title)
                bprintf(b, " %s %s |", color_name((enum color)c), metric_table[i].report_title);
    bprintf(b, "\n|---|---|---|---|---|---|");
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int i = 0; i < METRIC_COUNT; i++)
            if (metric_table[i].report_title)
                bprintf(b, "---|");
    bprintf(b, "\n");
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct report_step *st = &r->step[i];
        char t[32], d[32], w[32];
        utc(st->start, false, t, sizeof t);
        duration(st->dwell_s, d, sizeof d);
        weights_text(st->weight, w, sizeof w);
        bprintf(b, "| %d | %s | %s | %s | %s | %s |", st->index, t, d, w, st->action,
                st->user[0] ? st->user : "–");
        for (int c = 0; c < COLOR_COUNT; c++)
            md_signals(b, &st->sig[c]);
        bprintf(b, "\n");
    }
    bprintf(b, "\n");
}

static void md_guards(struct buf *b, const struct report *r)
{
    bprintf(b, "## Guard events\n\n");
    if (!r->n_guards)
        bprintf(b, "None: every guard stayed ok.\n");
    for (size_t i = 0; i < r->n_guards; i++) {
        const struct report_guard *g = &r->guard[i];
        char t[32];
        utc(g->at, false, t, sizeof t);
        bprintf(b, "- %s **%s** %s → %s: ", t, g->name, g->from, g->to);
        md_text(b, g->text);
        bprintf(b, "\n");
    }
    bprintf(b, "\n");
}

static void md_actions(struct buf *b, const struct report *r)
{
    bprintf(b, "## Operator actions\n\n| time (UTC) | action | outcome | weights | who | from | why |\n"
            "|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct report_action *a = &r->action[i];
        char t[32], w0[32], w1[32];
        utc(a->at, false, t, sizeof t);
        weights_text(a->before, w0, sizeof w0);
        weights_text(a->after, w1, sizeof w1);
        bprintf(b, "| %s | %s | %s | %s → %s | %s | %s%s | ", t, a->action, a->outcome, w0, w1,
                a->user[0] ? a->user : "–", a->ssh_client[0] ? a->ssh_client : "local",
                a->from_journal ? " (no server ran: from the journal)" : "");
        if (a->forced) {
            bprintf(b, "forced: ");
            md_text(b, a->reason[0] ? a->reason : a->detail);
        } else {
            md_text(b, a->detail);
        }
        bprintf(b, " |\n");
    }
}

char *report_markdown(const struct report *r)
{
    struct buf b = {0};
    md_head(&b, r);
    md_steps(&b, r);
    md_guards(&b, r);
    md_actions(&b, r);
    return finish(&b);
}

/* ---- JSON --------------------------------------------------------------- */

static void add_num_or_null(cJSON *o, const char *key, double v, bool ok)
{
    if (ok)
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *weights_json(const int w[COLOR_COUNT])
{
    cJSON *o = cJSON_CreateObject();
    for (int c = 0; c < COLOR_COUNT; c++)
        add_num_or_null(o, color_name((enum color)c), w[c], w[c] >= 0);
    return o;
}

static cJSON *signals_json(const struct report_signals *g)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seconds", g->seconds);
    for (int i = 0; i < METRIC_COUNT; i++) {
        const struct metric *k = &metric_table[i];
        const struct report_value *v = &g->v[i];
        if (!k->report_key)
            continue;
        if (k->kind == METRIC_SUM) {
            cJSON_AddNumberToObject(o, k->report_key, v->sum);
        } else {
            cJSON *x = cJSON_AddObjectToObject(o, k->report_key);
            if (k->kind == METRIC_GAUGE)
                add_num_or_null(x, "avg", v->avg, v->avg >= 0);
            else
                add_num_or_null(x, "last", v->last, v->last >= 0);
            add_num_or_null(x, "max", v->max, v->max >= 0);
        }
        if (k->ratio_key)
            add_num_or_null(o, k->ratio_key, v->ratio, v->ratio >= 0);
    }
    return o;
}

static cJSON *steps_json(const struct report *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct report_step *s = &r->step[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", s->index);
        cJSON_AddNumberToObject(o, "start", s->start);
        cJSON_AddNumberToObject(o, "dwell_s", s->dwell_s);
        cJSON_AddItemToObject(o, "weights", weights_json(s->weight));
        cJSON_AddStringToObject(o, "action", s->action);
        add_num_or_null(o, "user", 0, false);
        if (s->user[0])
            cJSON_ReplaceItemInObject(o, "user", cJSON_CreateString(s->user));
        cJSON *sig = cJSON_AddObjectToObject(o, "signals");
        for (int c = 0; c < COLOR_COUNT; c++)
            cJSON_AddItemToObject(sig, color_name((enum color)c), signals_json(&s->sig[c]));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *guards_json(const struct report *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_guards; i++) {
        const struct report_guard *g = &r->guard[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "at", g->at);
        cJSON_AddStringToObject(o, "name", g->name);
        cJSON_AddStringToObject(o, "from", g->from);
        cJSON_AddStringToObject(o, "to", g->to);
        cJSON_AddStringToObject(o, "text", g->text);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s[0])
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *actions_json(const struct report *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct report_action *a = &r->action[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "at", a->at);
        cJSON_AddStringToObject(o, "action", a->action);
        cJSON_AddStringToObject(o, "outcome", a->outcome);
        add_str_or_null(o, "user", a->user);
        add_str_or_null(o, "ssh_client", a->ssh_client);
        cJSON_AddItemToObject(o, "before", weights_json(a->before));
        cJSON_AddItemToObject(o, "after", weights_json(a->after));
        cJSON_AddBoolToObject(o, "forced", a->forced);
        cJSON_AddBoolToObject(o, "from_journal", a->from_journal);
        add_str_or_null(o, "reason", a->reason);
        add_str_or_null(o, "detail", a->detail);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

char *report_json(const struct report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "report_version", 1);
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "host", r->host);
    cJSON_AddStringToObject(o, "stable", color_name(r->stable));
    cJSON_AddStringToObject(o, "candidate", color_name(r->candidate));
    cJSON_AddNumberToObject(o, "started", r->started);
    cJSON_AddStringToObject(o, "outcome", r->outcome);
    cJSON_AddStringToObject(o, "result", r->result);
    add_str_or_null(o, "result_why", r->result_why);
    add_num_or_null(o, "ended", r->end_at, r->end_at > 0);
    add_num_or_null(o, "done_at", r->done_at, r->done_at > 0);
    add_num_or_null(o, "total_s", r->total_s, r->total_s >= 0);
    cJSON_AddItemToObject(o, "final_weights", weights_json(r->final_weight));
    cJSON *s = cJSON_AddObjectToObject(o, "samples");
    cJSON_AddNumberToObject(s, "total", r->samples);
    cJSON_AddNumberToObject(s, "preroll", r->preroll_samples);
    cJSON_AddNumberToObject(s, "filled", r->filled_samples);
    cJSON_AddNumberToObject(o, "malformed_lines", r->malformed);
    cJSON_AddItemToObject(o, "steps", steps_json(r));
    cJSON_AddItemToObject(o, "guard_events", guards_json(r));
    cJSON_AddItemToObject(o, "actions", actions_json(r));
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

/* announce: the server's own acts, from the journal events. */
#include "view/announce.h"

#include "core/intent.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Events after the headline, by the server and this close, are what it
 * led to (the rollback's reload, the candidate's stop, the hooks). */
#define FOLLOW_S 60.0

/* A journal action the server takes alone, and how it is announced. A
 * follow-up is folded into an auto-rollback before it rather than told on
 * its own. */
struct kind {
    const char *action;
    const char *title;
    bool follow_up;
};

static const struct kind kinds[] = {
    {"auto-rollback", "AUTO-ROLLBACK", false},
    {"alarm", "ALARM", false},
    {"reconcile", "RECONCILE NEEDED", false},
    {"stop", "CANDIDATE STOPPED", true},
    {"rollback", "ROLLED BACK", true},
};

static const struct kind *kind_of(const struct model_event *ev)
{
    if (!model_event_by_server(ev))
        return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].action, ev->action) == 0)
            return &kinds[i];
    return NULL;
}

static void weights_text(const int w[COLOR_COUNT], char *buf, size_t len)
{
    snprintf(buf, len, "blue %d / green %d", w[COLOR_BLUE], w[COLOR_GREEN]);
}

static bool weights_known(const int w[COLOR_COUNT])
{
    return w[COLOR_BLUE] >= 0 && w[COLOR_GREEN] >= 0;
}

/* Appends "; <text>" (or the first piece) to buf. */
static void add(char *buf, size_t len, const char *text)
{
    size_t n = strlen(buf);
    /* What does not fit is dropped: the banner has BANNER_MAX_ROWS. */
    if (n + 3 < len)
        snprintf(buf + n, len - n, "%s%.*s", n ? "; " : "", (int)(len - n - 3), text);
}

/* What one follow-up event adds: the reload's weights, the stop. */
static void follow(const struct model_event *ev, bool said_weights, char *buf, size_t len)
{
    char piece[320], before[40], after[40];
    bool ok = strcmp(ev->outcome, "ok") == 0;
    const char *cand = ev->candidate[0] ? ev->candidate : "the candidate";
    if (strcmp(ev->action, "rollback") == 0 && ok && said_weights) {
        snprintf(piece, sizeof piece, "reloaded");
    } else if (strcmp(ev->action, "rollback") == 0 && ok && weights_known(ev->after)) {
        weights_text(ev->before, before, sizeof before);
        weights_text(ev->after, after, sizeof after);
        snprintf(piece, sizeof piece, "nginx now runs %s (was %s)", after, before);
    } else if (strcmp(ev->action, "stop") == 0 && ok) {
        snprintf(piece, sizeof piece, "%s stopped", cand);
    } else if (strcmp(ev->action, "stop") == 0 || strcmp(ev->action, "rollback") == 0 ||
               strcmp(ev->action, "hook") == 0) {
        if (ok)
            return;
        snprintf(piece, sizeof piece, "%s %s: %.200s", ev->action, ev->outcome, ev->error);
    } else {
        return;
    }
    add(buf, len, piece);
}

/* A reconcile the server asked for at start is over once a move went
 * through after it (the restore or reload that resolved it). */
static bool resolved_later(const struct model *m, int i)
{
    static const char *const moves[] = {"restore", "reload", "rollback", "shift", "auto-rollback"};
    for (int j = 0; j < i; j++) {
        const struct model_event *ev = model_event_get(m, j);
        for (size_t k = 0; k < sizeof moves / sizeof moves[0]; k++)
            if (strcmp(ev->action, moves[k]) == 0 && strcmp(ev->outcome, "ok") == 0)
                return true;
    }
    return false;
}

/* The headline: the newest event the server took alone, a follow-up
 * replaced by the auto-rollback it followed. Events are newest first. */
static int headline(const struct model *m, const struct kind **k)
{
    int n = model_event_count(m);
    for (int i = 0; i < n; i++) {
        const struct model_event *ev = model_event_get(m, i);
        if (!(*k = kind_of(ev)))
            continue;
        if (strcmp(ev->action, "reconcile") == 0 && resolved_later(m, i))
            continue;
        if (!(*k)->follow_up)
            return i;
        for (int j = i + 1; j < n; j++) {
            const struct model_event *s = model_event_get(m, j);
            if (ev->time - s->time >= FOLLOW_S)
                break;
            if (model_event_by_server(s) && strcmp(s->action, "auto-rollback") == 0) {
                *k = kind_of(s);
                return j;
            }
        }
        return i;
    }
    return -1;
}

static void compose(const struct model *m, int h, const struct kind *k, struct announce *out)
{
    const struct model_event *ev = model_event_get(m, h);
    char clock[16], before[40], after[40];
    time_t t = (time_t)ev->time;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    out->have = true;
    out->time = ev->time;
    snprintf(out->title, sizeof out->title, "%s", k->title);
    char *text = out->text;
    size_t len = sizeof out->text;
    text[0] = '\0';
    if (ev->error[0])
        add(text, len, ev->error);
    if (strcmp(ev->action, "alarm") == 0)
        add(text, len, strcmp(ev->outcome, "5xx-excess") == 0
                           ? "auto-rollback is off: the server moves nothing (R rolls back)"
                           : ev->outcome);
    bool moving = strcmp(ev->action, "auto-rollback") == 0;
    bool said = moving && weights_known(ev->after) && ev->after[COLOR_BLUE] != ev->before[COLOR_BLUE];
    if (said) {
        char piece[120];
        weights_text(ev->before, before, sizeof before);
        weights_text(ev->after, after, sizeof after);
        snprintf(piece, sizeof piece, "%s -> %s", before, after);
        add(text, len, piece);
    }
    if (moving && strcmp(ev->outcome, "started") != 0 && strcmp(ev->outcome, "ok") != 0)
        add(text, len, ev->outcome);
    for (int i = k->follow_up ? h : h - 1; i >= 0; i--) {
        const struct model_event *f = model_event_get(m, i);
        if (f->time - ev->time < FOLLOW_S && model_event_by_server(f))
            follow(f, said, text, len);
    }
    char first[120];
    model_reason_short(ev->error, first, sizeof first);
    snprintf(out->line, sizeof out->line, "%s at %s%s%s", k->title, clock, first[0] ? ": " : "",
             first);
    /* The clock leads the banner's text: when, then why. */
    char whole[sizeof out->text];
    snprintf(whole, sizeof whole, "%s  %.*s", clock, (int)(sizeof whole - strlen(clock) - 3), text);
    memcpy(out->text, whole, sizeof whole);
}

static void clock_of(double t, char *buf, size_t len)
{
    time_t s = (time_t)t;
    struct tm tm;
    localtime_r(&s, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}

/* The snapshot's reconcile, short enough for a banner at 80 columns (the
 * server's whole sentence is in `cutover reconcile` and on m): the numbers
 * and the commands that resolve it. */
static void compose_reconcile(const struct model_reconcile *r, struct announce *out)
{
    char clock[16];
    const int *c = r->confirmed, *f = r->file;
    clock_of(r->since, clock, sizeof clock);
    out->have = true;
    out->standing = true;
    out->time = r->since;
    snprintf(out->title, sizeof out->title, "RECONCILE NEEDED");
    int n = snprintf(out->text, sizeof out->text, "%s  %s: nginx runs %d/%d as last confirmed, "
                     "the upstream file holds %d/%d. Nothing moves until ", clock,
                     r->interrupted ? "a move did not finish" : "the file changed",
                     c[COLOR_BLUE], c[COLOR_GREEN], f[COLOR_BLUE], f[COLOR_GREEN]);
    if (n < 0 || (size_t)n >= sizeof out->text)
        return;
    if (r->may_apply)
        snprintf(out->text + n, sizeof out->text - (size_t)n, "`%s` (test and reload the file) or "
                 "`%s` (put back %d/%d)", INTENT_CMD_APPLY, INTENT_CMD_RESTORE, c[COLOR_BLUE],
                 c[COLOR_GREEN]);
    else
        snprintf(out->text + n, sizeof out->text - (size_t)n, "`%s` (put back %d/%d); applying "
                 "the file would move nginx more than one step", INTENT_CMD_RESTORE,
                 c[COLOR_BLUE], c[COLOR_GREEN]);
    snprintf(out->line, sizeof out->line, "RECONCILE NEEDED: nothing moves until `%s`%s%s",
             r->may_apply ? INTENT_CMD_APPLY : INTENT_CMD_RESTORE, r->may_apply ? " or " : "",
             r->may_apply ? "--restore" : "");
}

void announce_latest(const struct model *m, struct announce *out)
{
    const struct kind *k = NULL;
    memset(out, 0, sizeof *out);
    if (m->reconcile.have) {
        compose_reconcile(&m->reconcile, out);
        return;
    }
    int h = headline(m, &k);
    if (h >= 0 && k)
        compose(m, h, k, out);
}

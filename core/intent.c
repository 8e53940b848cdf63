/* intent: the last move's record, the reconcile decision, the one-step rule. */
#include "core/intent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static bool weights_known(const int w[COLOR_COUNT])
{
    return w[COLOR_BLUE] >= 0 && w[COLOR_GREEN] >= 0;
}

static bool same_weights(const int a[COLOR_COUNT], const int b[COLOR_COUNT])
{
    return a[COLOR_BLUE] == b[COLOR_BLUE] && a[COLOR_GREEN] == b[COLOR_GREEN];
}

void intent_last_from_event(const struct journal_event *ev, struct intent_last *out)
{
    memset(out, 0, sizeof *out);
    for (int c = 0; c < COLOR_COUNT; c++)
        out->before[c] = out->after[c] = out->nginx[c] = -1;
    if (ev == NULL || ev->move_id == NULL || ev->action == NULL)
        return;
    out->known = true;
    out->pending = strcmp(ev->action, "intent") == 0;
    copy_str(out->move_id, sizeof out->move_id, ev->move_id);
    copy_str(out->move, sizeof out->move, out->pending ? ev->move : ev->action);
    copy_str(out->user, sizeof out->user, ev->user);
    copy_str(out->reason, sizeof out->reason, ev->reason);
    copy_str(out->outcome, sizeof out->outcome, out->pending ? "" : ev->outcome);
    out->time = ev->time;
    memcpy(out->before, ev->before, sizeof out->before);
    memcpy(out->after, ev->after, sizeof out->after);
    memcpy(out->nginx, ev->nginx, sizeof out->nginx);
}

void intent_confirmed_after(const char *outcome, const int before_nginx[COLOR_COUNT],
                            const int after[COLOR_COUNT], int out[COLOR_COUNT])
{
    bool applied = outcome != NULL && strcmp(outcome, "ok") == 0;
    memcpy(out, applied ? after : before_nginx, sizeof(int) * COLOR_COUNT);
}

/* "blue 90 / green 10" */
static void weights_text(const int w[COLOR_COUNT], char *buf, size_t len)
{
    snprintf(buf, len, "blue %d / green %d", w[COLOR_BLUE], w[COLOR_GREEN]);
}

static void age_text(double seconds, char *buf, size_t len)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s < 120)
        snprintf(buf, len, "%ld s ago", s);
    else if (s < 2 * 3600)
        snprintf(buf, len, "%ld min ago", s / 60);
    else
        snprintf(buf, len, "%ld h ago", s / 3600);
}

/* "a shift by root 14 s ago (blue 90 / green 10 -> blue 80 / green 20)" */
static void move_text(const struct intent_last *last, double now, char *buf, size_t len)
{
    char age[32], w0[40], w1[40];
    age_text(now - last->time, age, sizeof age);
    weights_text(last->before, w0, sizeof w0);
    weights_text(last->after, w1, sizeof w1);
    snprintf(buf, len, "a %s by %.60s %s (%s -> %s%s%.120s)", last->move, last->user, age, w0,
             w1, last->reason[0] ? ", " : "", last->reason);
}

int intent_check_step(const int confirmed[COLOR_COUNT], const int after[COLOR_COUNT], int stable,
                      int step, const char *balancer, char *msg, size_t msglen)
{
    int moved = abs(after[COLOR_BLUE] - confirmed[COLOR_BLUE]);
    if (moved <= step)
        return 0;
    if (stable == COLOR_BLUE || stable == COLOR_GREEN) {
        if (after[stable] == 100)
            return 0;           /* everything back to the stable color */
    }
    char w0[40], w1[40];
    weights_text(confirmed, w0, sizeof w0);
    weights_text(after, w1, sizeof w1);
    snprintf(msg, msglen, "%s runs %s (confirmed); %s would move it %d points in one reload, and "
             "a reload moves at most one step (%d): step by step, or `cutover rollback` to send "
             "everything back", balancer, w0, w1, moved, step);
    return -1;
}

static void decide_reconcile(const struct intent_last *last, const char *balancer, double now,
                             struct intent_reconcile *out)
{
    char what[400], wc[40], wf[40], apply[200];
    weights_text(out->confirmed, wc, sizeof wc);
    weights_text(out->file, wf, sizeof wf);
    move_text(last, now, what, sizeof what);
    if (out->may_apply)
        snprintf(apply, sizeof apply, "`%s` (%s -t and reload the file)", INTENT_CMD_APPLY,
                 balancer);
    else
        snprintf(apply, sizeof apply, "not `%s` (reloading the file would move %s more than one "
                 "step)", INTENT_CMD_APPLY, balancer);
    int n;
    if (out->pending)
        n = snprintf(out->text, sizeof out->text, "%s did not finish: %s was last confirmed to "
                     "run %s; the upstream file holds %s", what, balancer, wc, wf);
    else
        n = snprintf(out->text, sizeof out->text, "%s was last confirmed to run %s (after %s: %s);"
                     " the upstream file holds %s", balancer, wc, what, last->outcome, wf);
    if (n > 0 && (size_t)n < sizeof out->text)
        snprintf(out->text + n, sizeof out->text - (size_t)n, ". Reconcile before anything "
                 "else moves: %s or `%s` (put back %s)", apply, INTENT_CMD_RESTORE, wc);
}

void intent_decide(const struct intent_last *last, const int file[COLOR_COUNT], int stable,
                   int step, const char *balancer, double now, struct intent_reconcile *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->file, file, sizeof out->file);
    memcpy(out->confirmed, file, sizeof out->confirmed);
    /* Nothing journaled yet (or by a version before intents): the file is
     * all there is to go by, as it always was. */
    if (!last->known || !weights_known(last->nginx))
        return;
    memcpy(out->confirmed, last->nginx, sizeof out->confirmed);
    out->pending = last->pending;
    char what[400], wc[40];
    if (same_weights(file, last->nginx)) {
        if (!last->pending)
            return;
        /* Killed before the write, or after a refused file was put back: no
         * reload can have followed, so the balancer runs what it ran. */
        out->verdict = INTENT_CLOSE;
        move_text(last, now, what, sizeof what);
        weights_text(out->confirmed, wc, sizeof wc);
        snprintf(out->text, sizeof out->text, "%s was interrupted before the upstream file "
                 "changed: %s runs %s as confirmed; nothing to reconcile", what, balancer, wc);
        return;
    }
    out->verdict = INTENT_RECONCILE;
    char why[400];
    out->may_apply = intent_check_step(out->confirmed, file, stable, step, balancer, why,
                                       sizeof why) == 0;
    decide_reconcile(last, balancer, now, out);
}

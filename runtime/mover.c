/* mover: read, plan and apply weight moves; journal every attempt. */
#include "runtime/mover.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "backends/spawn.h"
#include "core/errcode.h"
#include "core/journal.h"
#include "runtime/statedir.h"

struct move_op {
    uv_loop_t *loop;
    const struct config *cfg;
    char user[64];
    char ssh_client[128];
    struct mover_current cur;
    char action[32];
    char move_id[48];           /* pairs the intent with its outcome */
    char reason[200];
    int confirmed[COLOR_COUNT]; /* what the balancer ran, confirmed, when it began */
    const struct balancer_ops *balancer;
    char *text;                 /* the balancer's new config; NULL: reload as it stands */
    char version[128];
    struct mover_result res;
    mover_done_cb cb;
    void *data;
};

static double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

__attribute__((format(printf, 2, 3)))
static void add_warning(struct mover_result *r, const char *fmt, ...)
{
    size_t used = strlen(r->warnings);
    if (used + 2 >= sizeof r->warnings)
        return;
    if (used > 0)
        r->warnings[used++] = ';', r->warnings[used++] = ' ', r->warnings[used] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warnings + used, sizeof r->warnings - used, fmt, ap);
    va_end(ap);
}

int mover_read_current(const struct config *cfg, int named, struct mover_current *cur,
                       char *msg, size_t msglen)
{
    memset(cur, 0, sizeof *cur);
    if (balancer_of(cfg)->read_weights(cfg, cur->weight, msg, msglen) != 0)
        return ERRCODE_IO;
    if (statedir_load_rollout(cfg->state_dir, &cur->state, msg, msglen) != 0)
        return ERRCODE_IO;
    enum color stable;
    if (rollout_resolve_stable(cur->weight, &cur->state, named, &stable, cur->why_unknown,
                               sizeof cur->why_unknown) == 0) {
        cur->stable_known = true;
        cur->stable = stable;
        cur->candidate = color_other(stable);
    }
    struct journal_event ev;
    char why[256];
    int found = statedir_journal_last_move(cfg->state_dir, &ev, why, sizeof why);
    if (found < 0) {
        snprintf(msg, msglen, "%s", why);
        return ERRCODE_IO;
    }
    intent_last_from_event(found == 1 ? &ev : NULL, &cur->last);
    journal_event_clear(&ev);
    intent_decide(&cur->last, cur->weight, cur->stable_known ? (int)cur->stable : COLOR_NONE,
                  cfg->rollout.step, balancer_of(cfg)->name, now_seconds(), &cur->rec);
    return 0;
}

/* What may start while the file and the confirmed weights disagree. */
static const struct {
    const char *action;
    bool while_unreconciled;
} move_kinds[] = {
    {"shift", false},
    {"rollback", true},         /* the safe direction never waits */
    {"restore", true},          /* puts the confirmed file back: resolves it */
    {"reload", true},           /* applies the file (one step at most): resolves it */
};

int mover_may_move(const struct mover_current *cur, const char *action, char *msg,
                   size_t msglen)
{
    if (cur->rec.verdict != INTENT_RECONCILE)
        return 0;
    for (size_t i = 0; i < sizeof move_kinds / sizeof move_kinds[0]; i++)
        if (strcmp(move_kinds[i].action, action) == 0 && move_kinds[i].while_unreconciled)
            return 0;
    snprintf(msg, msglen, "%s refused: %s", action, cur->rec.text);
    return ERRCODE_REFUSED;
}

double mover_weights_since(const struct config *cfg)
{
    return balancer_of(cfg)->weights_since(cfg);
}

int mover_plan_shift(const struct config *cfg, const struct mover_current *cur, bool absolute,
                     int amount, int after[COLOR_COUNT], char *msg, size_t msglen)
{
    int step = cfg->rollout.step;
    char why[256];
    if (!cur->stable_known) {
        snprintf(msg, msglen, "%s", cur->why_unknown);
        return ERRCODE_REFUSED;
    }
    if (amount % step != 0) {
        snprintf(msg, msglen, "%d is not a multiple of rollout.step (%d)", amount, step);
        return ERRCODE_USAGE;
    }
    int ok = absolute ? rollout_set(cur->stable, amount, step, after, why, sizeof why)
                      : rollout_step(cur->weight, cur->stable, amount, step, after, why, sizeof why);
    if (ok != 0) {
        snprintf(msg, msglen, "%s", why);
        return ERRCODE_REFUSED;
    }
    /* Refused here, before the guards sample or the preflight runs: the
     * same rules refuse it again in mover_apply. */
    if (cur->rec.verdict == INTENT_RECONCILE) {
        snprintf(msg, msglen, "%s", cur->rec.text);
        return ERRCODE_REFUSED;
    }
    if (intent_check_step(cur->rec.confirmed, after, (int)cur->stable, step,
                          balancer_of(cfg)->name, msg, msglen) != 0)
        return ERRCODE_REFUSED;
    return 0;
}

/* ---- journal and state ------------------------------------------------ */

static void journal_fill(const struct config *cfg, const struct mover_actor *who,
                         const struct mover_current *cur, const char *action,
                         struct journal_event *ev)
{
    (void)cfg;
    memset(ev, 0, sizeof *ev);
    ev->time = now_seconds();
    ev->user = (char *)(who->user ? who->user : "unknown");
    ev->ssh_client = who->ssh_client && who->ssh_client[0] ? (char *)who->ssh_client : NULL;
    ev->action = (char *)action;
    for (int c = 0; c < COLOR_COUNT; c++) {
        ev->before[c] = cur->weight[c];
        ev->after[c] = cur->weight[c];
    }
    ev->candidate = cur->stable_known ? (char *)color_name(cur->candidate) : NULL;
    for (int c = 0; c < COLOR_COUNT; c++)
        ev->nginx[c] = -1;
}

static int journal_write(const struct config *cfg, const struct journal_event *ev,
                         char *msg, size_t msglen)
{
    return statedir_journal_append(cfg->state_dir, ev, msg, msglen);
}

void mover_journal(const struct config *cfg, const struct mover_actor *who,
                   const struct mover_current *cur, const char *action, const char *outcome,
                   const char *error)
{
    char msg[256];
    struct journal_event ev;
    journal_fill(cfg, who, cur, action, &ev);
    ev.outcome = (char *)outcome;
    ev.error = (char *)error;
    journal_write(cfg, &ev, msg, sizeof msg);
}

/* An intent found without its outcome gets one before anything else is
 * journaled for the balancer: "interrupted", with what was known. */
static void close_interrupted(const struct config *cfg, const struct mover_current *cur)
{
    char msg[256];
    const struct intent_last *last = &cur->last;
    if (!last->pending)
        return;
    struct mover_actor who = {last->user, NULL, NULL};
    struct journal_event ev;
    char found[256];
    const int *c = cur->rec.confirmed, *f = cur->rec.file;
    snprintf(found, sizeof found, "found without its outcome %.0f s later: %s last confirmed "
             "blue %d / green %d, the upstream file held blue %d / green %d", now_seconds() -
             last->time, balancer_of(cfg)->name, c[COLOR_BLUE], c[COLOR_GREEN], f[COLOR_BLUE],
             f[COLOR_GREEN]);
    journal_fill(cfg, &who, cur, last->move, &ev);
    memcpy(ev.before, last->before, sizeof ev.before);
    memcpy(ev.after, last->after, sizeof ev.after);
    memcpy(ev.nginx, cur->rec.confirmed, sizeof ev.nginx);
    ev.move_id = (char *)last->move_id;
    ev.move = (char *)last->move;
    ev.reason = last->reason[0] ? (char *)last->reason : NULL;
    ev.outcome = "interrupted";
    ev.error = found;
    journal_write(cfg, &ev, msg, sizeof msg);
}

void mover_close_interrupted(const struct config *cfg, const struct mover_current *cur)
{
    close_interrupted(cfg, cur);
}

/* One of a move's two lines: the intent (outcome NULL: "started") or its
 * outcome, both with the move id and the confirmed weights. */
static int journal_move(struct move_op *op, const char *action, const char *outcome,
                        const char *error, const int nginx[COLOR_COUNT], char *msg,
                        size_t msglen)
{
    struct mover_actor who = {op->user, op->ssh_client, NULL};
    struct journal_event ev;
    journal_fill(op->cfg, &who, &op->cur, action, &ev);
    memcpy(ev.before, op->res.before, sizeof ev.before);
    memcpy(ev.after, op->res.after, sizeof ev.after);
    memcpy(ev.nginx, nginx, sizeof ev.nginx);
    ev.move_id = op->move_id;
    ev.move = op->action;
    ev.reason = op->reason[0] ? op->reason : NULL;
    ev.candidate_version = op->version[0] ? op->version : NULL;
    ev.outcome = (char *)(outcome ? outcome : "started");
    ev.error = (char *)error;
    return journal_write(op->cfg, &ev, msg, msglen);
}

/* Whether the move may start: refused while a reconcile waits (shifts),
 * and by the one-step rule. */
static int begin_move(struct move_op *op, char *msg, size_t msglen)
{
    char why[512];
    int stable = op->cur.stable_known ? (int)op->cur.stable : COLOR_NONE;
    int rc = mover_may_move(&op->cur, op->action, msg, msglen);
    if (rc != 0)
        return rc;
    if (intent_check_step(op->confirmed, op->res.after, stable, op->cfg->rollout.step,
                          op->balancer->name, why, sizeof why) != 0) {
        snprintf(msg, msglen, "%s refused: %s", op->action, why);
        return ERRCODE_REFUSED;
    }
    return 0;
}

/* Right before the first byte of the balancer's file changes (after the
 * candidate's version is known): an interrupted intent closed, this move's
 * intent on disk. A journal that cannot take it stops the move. */
static int journal_intent(struct move_op *op, char *msg, size_t msglen)
{
    char why[512];
    close_interrupted(op->cfg, &op->cur);
    if (journal_move(op, "intent", NULL, NULL, op->confirmed, why, sizeof why) != 0) {
        snprintf(msg, msglen, "%s refused: the journal cannot take its intent, so nothing moved: "
                 "%.380s", op->action, why);
        return ERRCODE_IO;
    }
    return 0;
}

/* The stable color is written down before the first byte of the balancer's
 * file changes: a move killed between the two would otherwise leave, say,
 * 30/70 with no state, and the heavier color would pass for the stable one. */
static int record_stable(const struct config *cfg, const struct mover_current *cur,
                         char *msg, size_t msglen)
{
    char why[512];
    if (cur->state.known && cur->state.stable == cur->stable)
        return 0;
    struct rollout_state st = {.known = true, .stable = cur->stable, .since = now_seconds()};
    if (statedir_save_rollout(cfg->state_dir, &st, why, sizeof why) != 0) {
        snprintf(msg, msglen, "cannot record the stable color before moving: %s", why);
        return ERRCODE_IO;
    }
    return 0;
}

/* ---- the asynchronous move ------------------------------------------- */

static void summarize(struct move_op *op, const struct balancer_report *rep)
{
    struct mover_result *r = &op->res;
    if (rep->outcome == BALANCER_OK) {
        snprintf(r->summary, sizeof r->summary, "blue %d / green %d -> blue %d / green %d: %.300s",
                 r->before[COLOR_BLUE], r->before[COLOR_GREEN], r->after[COLOR_BLUE],
                 r->after[COLOR_GREEN], rep->message);
        return;
    }
    snprintf(r->detail, sizeof r->detail, "%s", rep->message);
    if (rep->outcome == BALANCER_REJECTED)
        snprintf(r->summary, sizeof r->summary, "%s", op->balancer->rejected_text);
    else if (rep->outcome == BALANCER_RELOAD_FAILED || rep->outcome == BALANCER_NOT_CONFIRMED)
        snprintf(r->summary, sizeof r->summary, "%.300s (%s)", rep->message,
                 op->balancer->kept_note);
    else
        snprintf(r->summary, sizeof r->summary, "%.400s", rep->message);
}

static void finish(struct move_op *op)
{
    op->cb(&op->res, op->data);
    free(op->text);
    free(op);
}

static void on_applied(const struct balancer_report *rep, void *data)
{
    struct move_op *op = data;
    char msg[512];
    const char *outcome = balancer_outcome_name(rep->outcome);
    int nginx[COLOR_COUNT];
    intent_confirmed_after(outcome, op->confirmed, op->res.after, nginx);
    if (journal_move(op, op->action, outcome, rep->outcome == BALANCER_OK ? NULL : rep->message,
                     nginx, msg, sizeof msg) != 0)
        add_warning(&op->res, "journal not written: %s", msg);
    /* A reload sent but not confirmed still left the new file in place, and
     * the balancer serves it at its next reload: the state follows the file. */
    if (rep->outcome == BALANCER_OK || rep->outcome == BALANCER_NOT_CONFIRMED ||
        rep->outcome == BALANCER_RELOAD_FAILED) {
        struct rollout_state next = rollout_after_move(&op->cur.state, op->cur.stable,
                                                       op->res.after, now_seconds());
        if (statedir_save_rollout(op->cfg->state_dir, &next, msg, sizeof msg) != 0)
            add_warning(&op->res, "rollout state not saved: %s", msg);
    }
    op->res.outcome = rep->outcome;
    op->res.status = balancer_outcome_err(rep->outcome);
    op->res.draining = rep->draining;
    summarize(op, rep);
    finish(op);
}

static void start_apply(struct move_op *op)
{
    char msg[512];
    if (journal_intent(op, op->res.summary, sizeof op->res.summary) != 0) {
        op->res.outcome = BALANCER_WRITE_FAILED;    /* nothing was touched */
        op->res.status = ERRCODE_IO;
        finish(op);
        return;
    }
    int rc = op->text ? op->balancer->apply(op->loop, op->cfg, op->text, on_applied, op, msg,
                                            sizeof msg)
                      : op->balancer->reload(op->loop, op->cfg, on_applied, op, msg, sizeof msg);
    if (rc != 0) {
        struct balancer_report rep = {.outcome = BALANCER_WRITE_FAILED};
        snprintf(rep.message, sizeof rep.message, "%s", msg);
        on_applied(&rep, op);
    }
}

/* The first line of the version command's output, trimmed. */
static void keep_first_line(const char *out, char *buf, size_t len)
{
    while (*out == ' ' || *out == '\t' || *out == '\n' || *out == '\r')
        out++;
    size_t n = strcspn(out, "\r\n");
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    snprintf(buf, len, "%.*s", (int)n, out);
}

static void on_version(const struct spawn_result *r, void *data)
{
    struct move_op *op = data;
    if (spawn_succeeded(r) && r->out)
        keep_first_line(r->out, op->version, sizeof op->version);
    else {
        char why[256];
        spawn_describe(r, why, sizeof why);
        add_warning(&op->res, "%s version unknown: %s", color_name(op->cur.candidate), why);
    }
    start_apply(op);
}

static struct move_op *op_new(uv_loop_t *loop, const struct config *cfg,
                              const struct mover_actor *who, const struct mover_current *cur,
                              const char *action, mover_done_cb cb, void *data)
{
    struct move_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->loop = loop;
    op->cfg = cfg;
    op->balancer = balancer_of(cfg);
    snprintf(op->user, sizeof op->user, "%s", who->user ? who->user : "unknown");
    snprintf(op->ssh_client, sizeof op->ssh_client, "%s", who->ssh_client ? who->ssh_client : "");
    op->cur = *cur;
    snprintf(op->action, sizeof op->action, "%s", action);
    op->cb = cb;
    op->data = data;
    snprintf(op->reason, sizeof op->reason, "%s", who->reason ? who->reason : "");
    snprintf(op->move_id, sizeof op->move_id, "%.3f-%ld", now_seconds(), (long)getpid());
    memcpy(op->confirmed, cur->rec.confirmed, sizeof op->confirmed);
    memcpy(op->res.before, cur->weight, sizeof op->res.before);
    memcpy(op->res.after, cur->weight, sizeof op->res.after);
    return op;
}

int mover_apply(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                const struct mover_current *cur, const int after[COLOR_COUNT],
                const char *action, mover_done_cb cb, void *data, char *msg, size_t msglen)
{
    int rc = record_stable(cfg, cur, msg, msglen);
    if (rc != 0)
        return rc;
    struct move_op *op = op_new(loop, cfg, who, cur, action, cb, data);
    if (!op) {
        snprintf(msg, msglen, "out of memory");
        return ERRCODE_IO;
    }
    memcpy(op->res.after, after, sizeof op->res.after);
    op->text = op->balancer->render(cfg, after, msg, msglen);
    if (!op->text) {
        free(op);
        return ERRCODE_USAGE;
    }
    if ((rc = begin_move(op, msg, msglen)) != 0) {
        free(op->text);
        free(op);
        return rc;
    }
    const struct config_argv *version = &cfg->colors[cur->candidate].version;
    char why[256];
    if (version->argc == 0 ||
        spawn_start(loop, version->argv, NULL, cfg->command_timeout_ms, on_version, op, why,
                    sizeof why) != 0) {
        if (version->argc > 0)
            add_warning(&op->res, "%s version unknown: %s", color_name(cur->candidate), why);
        start_apply(op);
    }
    return 0;
}

int mover_reload(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                 const struct mover_current *cur, mover_done_cb cb, void *data, char *msg,
                 size_t msglen)
{
    struct move_op *op = op_new(loop, cfg, who, cur, "reload", cb, data);
    if (!op) {
        snprintf(msg, msglen, "out of memory");
        return ERRCODE_IO;
    }
    /* From what the balancer was confirmed to run to what the file holds. */
    memcpy(op->res.before, cur->rec.confirmed, sizeof op->res.before);
    int rc = begin_move(op, msg, msglen);
    if (rc != 0) {
        free(op);
        return rc;
    }
    start_apply(op);
    return 0;
}

/* ---- stopping the candidate ------------------------------------------ */

static void on_stopped(const struct spawn_result *r, void *data)
{
    struct move_op *op = data;
    struct mover_actor who = {op->user, op->ssh_client, NULL};
    const char *name = color_name(op->cur.candidate);
    if (spawn_succeeded(r)) {
        mover_journal(op->cfg, &who, &op->cur, "stop", "ok", NULL);
        snprintf(op->res.summary, sizeof op->res.summary, "stopped %s", name);
        op->res.status = 0;
    } else {
        char why[256];
        spawn_describe(r, why, sizeof why);
        snprintf(op->res.detail, sizeof op->res.detail, "%s%s%.300s", why,
                 r->err && r->err[0] ? ": " : "", r->err ? r->err : "");
        mover_journal(op->cfg, &who, &op->cur, "stop", "failed", op->res.detail);
        snprintf(op->res.summary, sizeof op->res.summary,
                 "weights are back on %s, but stopping %s failed: %.300s",
                 color_name(op->cur.stable), name, op->res.detail);
        op->res.status = ERRCODE_STOP;
    }
    finish(op);
}

int mover_stop_candidate(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                         const struct mover_current *cur, mover_done_cb cb, void *data,
                         char *msg, size_t msglen)
{
    struct mover_current stopped = *cur;
    /* By now the stable color holds all the weight. */
    stopped.weight[cur->stable] = 100;
    stopped.weight[cur->candidate] = 0;
    struct move_op *op = op_new(loop, cfg, who, &stopped, "stop", cb, data);
    if (!op) {
        snprintf(msg, msglen, "out of memory");
        return ERRCODE_IO;
    }
    const struct config_argv *stop = &cfg->colors[cur->candidate].stop;
    if (stop->argc == 0) {
        snprintf(op->res.summary, sizeof op->res.summary,
                 "no stop command configured for %s (colors.%s.stop): stop it by hand",
                 color_name(cur->candidate), color_name(cur->candidate));
        finish(op);
        return 0;
    }
    char why[256];
    if (spawn_start(loop, stop->argv, NULL, cfg->command_timeout_ms, on_stopped, op, why,
                    sizeof why) != 0) {
        struct spawn_result r = {.started = false};
        snprintf(r.error, sizeof r.error, "%s", why);
        on_stopped(&r, op);
    }
    return 0;
}

/* ---- blocking forms ---------------------------------------------------- */

struct run_wait {
    struct mover_result *out;
    bool done;
};

static void on_run_done(const struct mover_result *r, void *data)
{
    struct run_wait *w = data;
    *w->out = *r;
    w->done = true;
}

static void run_until(uv_loop_t *loop, struct run_wait *w, int rc, const char *msg)
{
    if (rc != 0) {
        w->out->status = rc;
        snprintf(w->out->summary, sizeof w->out->summary, "%s", msg);
        return;
    }
    while (!w->done)
        uv_run(loop, UV_RUN_ONCE);
}

void mover_apply_run(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                     const struct mover_current *cur, const int after[COLOR_COUNT],
                     const char *action, struct mover_result *out)
{
    char msg[512];
    struct run_wait w = {out, false};
    memset(out, 0, sizeof *out);
    run_until(loop, &w, mover_apply(loop, cfg, who, cur, after, action, on_run_done, &w, msg,
                                    sizeof msg), msg);
}

void mover_reload_run(uv_loop_t *loop, const struct config *cfg, const struct mover_actor *who,
                      const struct mover_current *cur, struct mover_result *out)
{
    char msg[512];
    struct run_wait w = {out, false};
    memset(out, 0, sizeof *out);
    run_until(loop, &w, mover_reload(loop, cfg, who, cur, on_run_done, &w, msg, sizeof msg), msg);
}

void mover_stop_candidate_run(uv_loop_t *loop, const struct config *cfg,
                              const struct mover_actor *who, const struct mover_current *cur,
                              struct mover_result *out)
{
    char msg[512];
    struct run_wait w = {out, false};
    memset(out, 0, sizeof *out);
    run_until(loop, &w, mover_stop_candidate(loop, cfg, who, cur, on_run_done, &w, msg,
                                             sizeof msg), msg);
}

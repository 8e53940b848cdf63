/* engine_cmd: the clients' commands. Moving commands need control and run
 * one at a time; a second one while a move is in flight is refused, never
 * queued. */
#include "server/engine_priv.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errcode.h"
#include "server/preflight_job.h"
#include "runtime/statedir.h"

/* A reply carrying the mover's details (the balancer's text, warnings). The
 * field keeps its protocol name, "nginx_message", for the clients. */
static void reply_move(struct engine *e, const struct mover_result *r)
{
    struct client *c = engine_find_client(e, e->pending.conn_id);
    if (!c)
        return; /* the asker left; the journal has the outcome */
    cJSON *o = cJSON_CreateObject();
    cJSON *p = cJSON_AddObjectToObject(o, "reply");
    cJSON_AddNumberToObject(p, "id", (double)e->pending.cmd_id);
    cJSON_AddBoolToObject(p, "ok", r->status == 0);
    cJSON_AddNumberToObject(p, "exit_code", protocol_wire_code(r->status));
    cJSON_AddStringToObject(p, "message", r->summary);
    if (r->detail[0])
        cJSON_AddStringToObject(p, "nginx_message", r->detail);
    if (r->warnings[0])
        cJSON_AddStringToObject(p, "warnings", r->warnings);
    char *line = cJSON_PrintUnformatted(o);
    engine_send(c, line);
    free(line);
    cJSON_Delete(o);
}

static void end_move(struct engine *e, const struct mover_result *r)
{
    reply_move(e, r);
    statedir_unlock(e->pending.lock_fd);
    e->busy = false;
    e->busy_text[0] = '\0';
    engine_maybe_finish_stop(e);
}

static void on_stop_done(const struct mover_result *r, void *data)
{
    end_move(data, r);
}

/* After every shift, as the runbook asks: nothing may listen off loopback. */
static void on_loopback_checked(const struct preflight_report *r, void *data)
{
    struct engine *e = data;
    char failed[1200];
    struct mover_current cur;
    char msg[256];
    e->async_ops--;
    preflight_failures(r, failed, sizeof failed);
    if (failed[0] && !e->stopping) {
        if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0)
            memset(&cur, 0, sizeof cur);
        struct mover_actor who = {.user = "cutover (after shift)", .ssh_client = ""};
        mover_journal(e->cfg, &who, &cur, "alarm", "listener-check-failed", failed);
    }
    engine_maybe_finish_stop(e);
}

void engine_on_move_done(const struct mover_result *r, void *data)
{
    struct engine *e = data;
    char msg[256];
    if (r->outcome == BALANCER_OK)
        e->draining = r->draining;
    if (e->pending.name == CMD_SHIFT && r->status == 0 && !e->stopping &&
        preflight_job_start(e->loop, e->cfg, true, on_loopback_checked, e) == 0)
        e->async_ops++;
    /* Rollback: stop the candidate only once no new request can reach it. */
    if (e->pending.name == CMD_ROLLBACK && r->status == 0 && !e->stopping &&
        mover_stop_candidate(e->loop, e->cfg, &e->pending.actor, &e->pending.cur, on_stop_done,
                             e, msg, sizeof msg) == 0)
        return;
    end_move(e, r);
}

/* Checks that c may move traffic now; replies and returns false if not. */
static bool may_move(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char text[400];
    if (!c->may_control) {
        snprintf(text, sizeof text, "refused: %s may only watch (only the server's user moves traffic)",
                 c->who.user);
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, text);
        return false;
    }
    if (!control_may_command(&e->control, c->who.client_id)) {
        struct control_view v;
        control_holder(&e->control, collector_now(), &v);
        snprintf(text, sizeof text, "refused: you do not hold control (control: %s)", v.text);
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, text);
        return false;
    }
    /* A step still deciding holds nothing yet: a rollback never waits on it. */
    if (e->busy && e->pending.decider && cmd->name == CMD_ROLLBACK)
        decider_cancel(e->pending.decider);
    if (e->busy) {
        snprintf(text, sizeof text, "refused: %s is still running; try again when it is done",
                 e->busy_text);
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, text);
        return false;
    }
    return true;
}

/* Reads the weights and takes the state folder's lock (a direct `cutover
 * shift` elsewhere takes the same lock). Replies on failure. */
static bool begin_move(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[512];
    struct pending *p = &e->pending;
    memset(p, 0, sizeof *p);
    p->lock_fd = statedir_lock(e->cfg->state_dir, msg, sizeof msg);
    if (p->lock_fd < 0) {
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, msg);
        return false;
    }
    int rc = mover_read_current(e->cfg, cmd->stable, &p->cur, msg, sizeof msg);
    bool needs_stable = cmd->name != CMD_RELOAD && cmd->name != CMD_RECONCILE_APPLY &&
                        cmd->name != CMD_RECONCILE_RESTORE;
    if (rc == 0 && !p->cur.stable_known && needs_stable) {
        snprintf(msg, sizeof msg, "%s", p->cur.why_unknown);
        rc = ERRCODE_REFUSED;
    }
    if (rc != 0) {
        statedir_unlock(p->lock_fd);
        engine_reply(c, cmd->id, false, rc, msg);
        return false;
    }
    p->conn_id = conn_id(c->conn);
    p->cmd_id = cmd->id;
    p->name = cmd->name;
    p->force = cmd->force;
    snprintf(p->reason, sizeof p->reason, "%s", cmd->reason);
    snprintf(p->user, sizeof p->user, "%s", c->who.user);
    snprintf(p->ssh_client, sizeof p->ssh_client, "%s", c->who.ssh_client);
    p->actor.user = p->user;
    p->actor.ssh_client = p->ssh_client;
    p->actor.reason = p->reason[0] ? p->reason : NULL;
    return true;
}

static void fail_move(struct engine *e, struct client *c, const struct protocol_cmd *cmd, int rc,
                      const char *msg)
{
    statedir_unlock(e->pending.lock_fd);
    e->busy = false;
    e->busy_text[0] = '\0';
    engine_reply(c, cmd->id, false, rc, msg);
}

static void start_busy(struct engine *e, struct client *c, const char *what)
{
    e->busy = true;
    snprintf(e->busy_text, sizeof e->busy_text, "%.120s by %.60s", what, c->who.user);
}

enum step_verdict { STEP_GO, STEP_REFUSED, STEP_DECIDING };

static void start_deciding(struct engine *e, struct client *c, const int after[COLOR_COUNT]);

/* Steps toward the candidate pass the guards that hold steps, or are
 * forced with a reason; both the refusal and the override are journaled
 * with the numbers. A verdict that only waits on more probes is decided
 * first (runtime/decider). Replies when refused. */
static enum step_verdict guards_allow(struct engine *e, struct client *c,
                                      const struct protocol_cmd *cmd,
                                      const int after[COLOR_COUNT])
{
    struct pending *p = &e->pending;
    struct guards_step gs;
    char detail[GUARDS_TEXT + 64];
    if (engine_check_step(e, &p->cur, after, &gs) == 0)
        return STEP_GO;
    if (cmd->force) {
        snprintf(detail, sizeof detail, "override of \"%.240s\" by %.60s: %.200s", gs.text,
                 c->who.user, cmd->reason);
        mover_journal(e->cfg, &p->actor, &p->cur, "override", "ok", detail);
        return STEP_GO;
    }
    if (decider_needed(&gs)) {
        start_deciding(e, c, after);
        return STEP_DECIDING;
    }
    mover_journal(e->cfg, &p->actor, &p->cur, "shift", "refused", gs.text);
    snprintf(detail, sizeof detail, "%s (override: --force --reason TEXT)", gs.text);
    fail_move(e, c, cmd, ERRCODE_REFUSED, detail);
    return STEP_REFUSED;
}

/* A move that ends before it starts: answer the asker if still there. */
static void fail_pending(struct engine *e, int rc, const char *msg)
{
    struct mover_result r = {.status = rc};
    snprintf(r.summary, sizeof r.summary, "%.500s", msg); /* the journal has it whole */
    end_move(e, &r);
}

static void shift_apply(struct engine *e)
{
    char msg[512];
    struct pending *p = &e->pending;
    if (mover_apply(e->loop, e->cfg, &p->actor, &p->cur, p->after, "shift", engine_on_move_done, e,
                    msg, sizeof msg) != 0)
        fail_pending(e, ERRCODE_IO, msg);
}

static void on_first_step_checked(const struct preflight_report *r, void *data)
{
    struct engine *e = data;
    struct pending *p = &e->pending;
    char failed[1200], detail[1500];
    e->async_ops--;
    if (e->stopping) { /* its asker was disconnected; move nothing now */
        fail_pending(e, ERRCODE_REFUSED, "refused: the server is stopping");
        return;
    }
    preflight_failures(r, failed, sizeof failed);
    if (!failed[0]) {
        mover_journal(e->cfg, &p->actor, &p->cur, "preflight", "ok", NULL);
    } else if (p->force) {
        snprintf(detail, sizeof detail, "override of failed preflight (%.1100s) by %.60s: %.200s",
                 failed, p->user, p->reason);
        mover_journal(e->cfg, &p->actor, &p->cur, "override", "ok", detail);
    } else {
        mover_journal(e->cfg, &p->actor, &p->cur, "preflight", "failed", failed);
        snprintf(detail, sizeof detail, "refused: preflight failed before the first step: %.1100s "
                 "(see `cutover check`; override: --force --reason TEXT)", failed);
        fail_pending(e, ERRCODE_REFUSED, detail);
        return;
    }
    shift_apply(e);
}

/* A shift the guards let through: busy, then the first step's preflight
 * or the move itself. The asker may have left (a decided step). */
static void shift_go(struct engine *e)
{
    struct pending *p = &e->pending;
    e->busy = true;
    snprintf(e->busy_text, sizeof e->busy_text, "shift to blue %d / green %d by %.60s",
             p->after[COLOR_BLUE], p->after[COLOR_GREEN], p->user);
    /* The first step of a cutover waits for the preflight checks. */
    bool first_step = p->cur.weight[p->cur.candidate] == 0 && p->after[p->cur.candidate] > 0;
    if (first_step && preflight_job_start(e->loop, e->cfg, false, on_first_step_checked, e) == 0) {
        e->async_ops++;
        return;
    }
    shift_apply(e);
}

static void on_deciding(const char *text, void *data)
{
    struct engine *e = data;
    snprintf(e->busy_text, sizeof e->busy_text, "%.150s (Esc cancels)", text);
}

static void on_decided(enum decider_outcome outcome, const struct guards_step *gs, void *data)
{
    struct engine *e = data;
    struct pending *p = &e->pending;
    char detail[700];
    p->decider = NULL;
    if (outcome == DECIDER_DECIDED && gs->allowed) {
        shift_go(e);
        return;
    }
    mover_journal(e->cfg, &p->actor, &p->cur, "shift",
                  outcome == DECIDER_CANCELLED ? "cancelled" : "refused", gs->text);
    snprintf(detail, sizeof detail, "%.560s%s", gs->text,
             outcome == DECIDER_CANCELLED ? "" : " (override: --force --reason TEXT)");
    fail_pending(e, ERRCODE_REFUSED, detail);
}

/* The step waits for its verdict: probes burst, the busy line says how far
 * the decision has come, Esc (a cancel command) or a rollback gives it up. */
static void start_deciding(struct engine *e, struct client *c, const int after[COLOR_COUNT])
{
    struct pending *p = &e->pending;
    char msg[200];
    struct decider_request req = {
        .cfg = e->cfg, .collector = e->collector, .gp = &e->gp, .stable = p->cur.stable,
        .since = mover_weights_since(e->cfg), .burst_max = (unsigned)e->cfg->probe.burst_max,
        .progress = on_deciding, .done = on_decided, .data = e,
    };
    memcpy(req.before, p->cur.weight, sizeof req.before);
    memcpy(req.after, after, sizeof req.after);
    memcpy(p->after, after, sizeof p->after);
    start_busy(e, c, "deciding the step");
    if (decider_start(e->loop, &req, &p->decider, msg, sizeof msg) != 0)
        fail_pending(e, ERRCODE_IO, msg);
}

static void cmd_cancel(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    if (!c->may_control || !control_may_command(&e->control, c->who.client_id)) {
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, "refused: you do not hold control");
        return;
    }
    if (!e->pending.decider) {
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, "nothing to cancel: no step is deciding");
        return;
    }
    decider_cancel(e->pending.decider);
    engine_reply(c, cmd->id, true, 0, "cancelled: the step was given up while it was deciding; nothing moved");
}

static void cmd_shift(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[1024]; /* room for a reconcile text */
    int after[COLOR_COUNT];
    if (!may_move(e, c, cmd) || !begin_move(e, c, cmd))
        return;
    struct pending *p = &e->pending;
    int rc = mover_plan_shift(e->cfg, &p->cur, cmd->absolute, cmd->amount, after, msg, sizeof msg);
    if (rc != 0) {
        mover_journal(e->cfg, &p->actor, &p->cur, "shift", "refused", msg);
        fail_move(e, c, cmd, rc, msg);
        return;
    }
    enum step_verdict v = guards_allow(e, c, cmd, after);
    if (v != STEP_GO)
        return;
    if (after[COLOR_BLUE] == p->cur.weight[COLOR_BLUE]) {
        snprintf(msg, sizeof msg, "already at blue %d / green %d: nothing to do",
                 after[COLOR_BLUE], after[COLOR_GREEN]);
        statedir_unlock(p->lock_fd);
        engine_reply(c, cmd->id, true, 0, msg);
        return;
    }
    memcpy(p->after, after, sizeof p->after);
    shift_go(e);
}

static void cmd_rollback(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[512];
    int after[COLOR_COUNT];
    if (!may_move(e, c, cmd) || !begin_move(e, c, cmd))
        return;
    struct pending *p = &e->pending;
    rollout_set(p->cur.stable, 0, e->cfg->rollout.step, after, msg, sizeof msg);
    int rc;
    start_busy(e, c, "rollback");
    if (p->cur.weight[p->cur.stable] == 100)
        rc = mover_stop_candidate(e->loop, e->cfg, &p->actor, &p->cur, on_stop_done, e, msg,
                                  sizeof msg);
    else
        rc = mover_apply(e->loop, e->cfg, &p->actor, &p->cur, after, "rollback", engine_on_move_done, e,
                         msg, sizeof msg);
    if (rc != 0)
        fail_move(e, c, cmd, rc, msg);
}

static void cmd_reload(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[512];
    if (!may_move(e, c, cmd) || !begin_move(e, c, cmd))
        return;
    start_busy(e, c, "reload");
    /* The mover's reload: journaled as a move, never more than one step. */
    int rc = mover_reload(e->loop, e->cfg, &e->pending.actor, &e->pending.cur,
                          engine_on_move_done, e, msg, sizeof msg);
    if (rc != 0)
        fail_move(e, c, cmd, rc, msg);
}

/* After an interrupted move: apply the file (test + reload, one step at
 * most) or restore the confirmed weights; cutover reconcile's server side. */
static void cmd_reconcile(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[512];
    if (!may_move(e, c, cmd) || !begin_move(e, c, cmd))
        return;
    struct pending *p = &e->pending;
    const struct intent_reconcile *rec = &p->cur.rec;
    if (rec->verdict != INTENT_RECONCILE) {
        if (rec->verdict == INTENT_CLOSE)
            mover_close_interrupted(e->cfg, &p->cur);
        else
            snprintf(msg, sizeof msg, "nothing to reconcile: %s runs blue %d / green %d as "
                     "confirmed", balancer_of(e->cfg)->name, rec->confirmed[COLOR_BLUE],
                     rec->confirmed[COLOR_GREEN]);
        statedir_unlock(p->lock_fd);
        engine_reply(c, cmd->id, true, 0, rec->verdict == INTENT_CLOSE ? rec->text : msg);
        return;
    }
    p->actor.reason = "reconcile";
    bool apply = cmd->name == CMD_RECONCILE_APPLY;
    start_busy(e, c, apply ? "reconcile (apply)" : "reconcile (restore)");
    int rc = apply ? mover_reload(e->loop, e->cfg, &p->actor, &p->cur, engine_on_move_done, e,
                                  msg, sizeof msg)
                   : mover_apply(e->loop, e->cfg, &p->actor, &p->cur, rec->confirmed, "restore",
                                 engine_on_move_done, e, msg, sizeof msg);
    if (rc != 0)
        fail_move(e, c, cmd, rc, msg);
}

/* The drained color's stop command, offered by the console once the color at
 * 0 has had no connection for drain_idle_s. Refused before that. */
static void cmd_retire(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[512];
    if (!may_move(e, c, cmd))
        return;
    if (e->drain.state != GUARDS_DRAIN_DRAINED) {
        snprintf(msg, sizeof msg, "refused: nothing is drained yet (%.400s)", e->drain.text);
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, msg);
        return;
    }
    if (!begin_move(e, c, cmd))
        return;
    struct pending *p = &e->pending;
    /* The color at 0 is the one that drained: stop it as the candidate. */
    if (p->cur.weight[p->cur.stable] != 100) {
        fail_move(e, c, cmd, ERRCODE_REFUSED, "refused: the weights moved since it drained");
        return;
    }
    start_busy(e, c, "retire");
    int rc = mover_stop_candidate(e->loop, e->cfg, &p->actor, &p->cur, on_stop_done, e, msg,
                                  sizeof msg);
    if (rc != 0)
        fail_move(e, c, cmd, rc, msg);
}

void engine_command(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char text[400];
    switch (cmd->name) {
    case CMD_SHIFT:
        cmd_shift(e, c, cmd);
        break;
    case CMD_ROLLBACK:
        cmd_rollback(e, c, cmd);
        break;
    case CMD_RELOAD:
        cmd_reload(e, c, cmd);
        break;
    case CMD_RETIRE:
        cmd_retire(e, c, cmd);
        break;
    case CMD_TAKE_CONTROL: {
        enum control_outcome o = engine_request_control(e, c, cmd->steal, text, sizeof text);
        bool ok = o == CONTROL_GRANTED || o == CONTROL_RECLAIMED || o == CONTROL_STOLEN;
        engine_reply(c, cmd->id, ok, ok ? 0 : ERRCODE_REFUSED, text);
        break;
    }
    case CMD_RELEASE:
        if (control_release(&e->control, c->who.client_id, collector_now()) == 0) {
            engine_journal_control(e, &c->who, "release", "ok", NULL);
            engine_reply(c, cmd->id, true, 0, "control released");
        } else {
            engine_reply(c, cmd->id, false, ERRCODE_REFUSED, "you do not hold control");
        }
        break;
    case CMD_STATUS:
        engine_reply(c, cmd->id, true, 0, "status");
        engine_send_snapshot(e, c);
        break;
    case CMD_LOOKUP:
        engine_cmd_lookup(e, c, cmd);
        break;
    case CMD_CANCEL:
        cmd_cancel(e, c, cmd);
        break;
    case CMD_RECONCILE_APPLY:
    case CMD_RECONCILE_RESTORE:
        cmd_reconcile(e, c, cmd);
        break;
    case CMD_NONE:
        break;
    }
}
